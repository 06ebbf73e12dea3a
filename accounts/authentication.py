"""API tokens (``accounts.models.ApiToken``), one per device, each with its own expiry: an expired token is
deleted and refused with 401 ``token_expired``."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.backends import demo_login_refused
from accounts.errors import AccountErrorCode
from accounts.models import ApiToken
from accounts.services import api_token_digest
from core.exceptions import ErrorCode

# How often a token's ``last_used_at`` is written (not at every request).
LAST_USED_EVERY = timedelta(minutes=1)


class WrongCredentials(exceptions.AuthenticationFailed):
    default_detail = "Wrong username or password."
    retrace_code = ErrorCode.AUTHENTICATION_FAILED


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = "Your token has expired. Request a new one with POST /api/auth/token/."
    retrace_code = ErrorCode.TOKEN_EXPIRED


class OtpRequired(exceptions.AuthenticationFailed):
    default_detail = (
        "This account signs in with a one-time code: send `otp` with the code your authenticator app shows "
        "now (or one of your recovery codes)."
    )
    retrace_code = AccountErrorCode.OTP_REQUIRED


class OtpInvalid(exceptions.AuthenticationFailed):
    default_detail = "That one-time code is wrong or was already used: send the code your app shows now."
    retrace_code = AccountErrorCode.OTP_INVALID


class OtpNotSetUp(exceptions.PermissionDenied):
    default_detail = (
        "This account needs a second factor and has none yet: sign in on the portal (/login/) once to set up an "
        "authenticator app, then ask for a token with its code."
    )
    retrace_code = AccountErrorCode.OTP_NOT_SET_UP


class TooManyAttempts(exceptions.APIException):
    """429 with ``Retry-After`` (DRF's handler sends ``wait`` as that header)."""

    status_code = 429

    def __init__(self, message: str, *, wait: int, code: str) -> None:
        super().__init__(message)
        self.wait = wait
        self.retrace_code = code


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``: the key's digest is looked up among the devices' tokens."""

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(key_digest=api_token_digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = timezone.now()
        if token.expires_at <= now:
            token.delete()
            raise TokenExpired()
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if demo_login_refused(user):
            raise exceptions.AuthenticationFailed("Demo accounts may only be used on the embedded default.")
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token
