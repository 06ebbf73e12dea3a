"""Rate limits of the token API (DRF throttles), on top of django-axes' lock-out: per address and per account
(the username asked for). They live in Django's cache: per web process unless CACHES names a shared one."""

import hashlib

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.lockout import client_ip


class SignInAddressThrottle(SimpleRateThrottle):
    scope = "sign_in_address"

    def get_rate(self) -> str:
        return settings.API_SIGN_IN_RATE_PER_ADDRESS

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


class SignInAccountThrottle(SimpleRateThrottle):
    scope = "sign_in_account"

    def get_rate(self) -> str:
        return settings.API_SIGN_IN_RATE_PER_ACCOUNT

    def get_cache_key(self, request, view) -> str | None:
        data = request.data
        username = data.get("username") if hasattr(data, "get") else None
        if not isinstance(username, str) or not username:
            return None  # refused as invalid input anyway
        ident = hashlib.sha256(username.encode()).hexdigest()  # any characters: a safe cache key
        return self.cache_format % {"scope": self.scope, "ident": ident}
