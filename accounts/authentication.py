"""API tokens that expire after ``API_TOKEN_TTL``; an expired token is deleted and refused with 401."""

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.backends import demo_login_refused
from core.exceptions import ErrorCode


class WrongCredentials(exceptions.AuthenticationFailed):
    default_detail = "Wrong username or password."
    retrace_code = ErrorCode.AUTHENTICATION_FAILED


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = "Your token has expired. Request a new one with POST /api/auth/token/."
    retrace_code = ErrorCode.TOKEN_EXPIRED


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token.created < timezone.now() - settings.API_TOKEN_TTL:
            token.delete()
            raise TokenExpired()
        if demo_login_refused(user):
            raise exceptions.AuthenticationFailed("Demo accounts may only be used on the embedded default.")
        return user, token
