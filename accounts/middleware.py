"""Until a police user (or anyone with an authenticator app) has given a one-time code in this session, they
reach nothing but the code pages: not the portal, not the admin, not the API through their session.

The check runs as ``process_view``, once the request is routed and every middleware has run: a fault there
(the database down) is then answered like one in a view (``core.middleware``: 503), not as a bare 500."""

from functools import partial
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject

from accounts import otp
from accounts.errors import AccountErrorCode
from core.exception_handlers import error_body

# What an unverified session may open: the code pages, and leaving.
OPEN_BEFORE_CODE = frozenset({"otp-verify", "otp-setup", "login", "logout", "admin:logout", "healthz"})
NEEDS_CODE_MESSAGE = (
    "Finish signing in: enter the one-time code from your authenticator app at /login/code/ first "
    "(API clients: ask POST /api/auth/token/ for a token, with `otp`)."
)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_CODE:
            return None
        try:
            blocked = _needs_code_now(request.user)
        except DatabaseError:
            # The session or the user could not be read (the database is down). Refusing here would bypass
            # the views' fault handling (503): the check moves into the view instead, where the first use of
            # request.user reads it again and refuses a session without its code (fail closed).
            request.user = SimpleLazyObject(partial(_user_or_refuse, request.user))
            return None
        return _needs_code(request, request.user) if blocked else None


def _needs_code_now(user) -> bool:
    return bool(user.is_authenticated and not otp.is_verified(user) and otp.second_factor_required(user))


def _user_or_refuse(user):
    if _needs_code_now(user):
        raise PermissionDenied(NEEDS_CODE_MESSAGE)
    return user


def _needs_code(request, user):
    if request.path_info.startswith("/api/"):
        return JsonResponse(error_body(NEEDS_CODE_MESSAGE, AccountErrorCode.OTP_REQUIRED), status=403)
    page = "otp-verify" if otp.has_authenticator(user) else "otp-setup"
    target = request.get_full_path() if request.method == "GET" else "/"
    response = redirect(page)
    response["Location"] += "?" + urlencode({"next": target})
    return response
