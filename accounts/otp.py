"""The second factor, on django-otp: an authenticator app (a TOTP device) and recovery codes (a static device
whose codes each work once). https://django-otp-official.readthedocs.io/

Police users (beat officers, force admins) and superusers must use one; anyone else who set one up uses it
too. A session is verified once a code was accepted in it (``django_otp.login``); until then
``accounts.middleware.SecondFactorMiddleware`` lets such a user reach nothing but the code pages. The API
issues tokens to them only with a code in the token request (``accounts.apis.TokenCreateApi``).
"""

import hashlib
import re
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import access, events
from accounts.models import ApiToken, User

AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"

__all__ = ["DEVICE_ID_SESSION_KEY", "otp_login"]


def second_factor_required(user) -> bool:
    """Must this user give a one-time code to sign in?"""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.is_police or has_authenticator(user))


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(user) -> bool:
    """Did this request's session give a code (``django_otp.middleware.OTPMiddleware`` sets it)?"""
    return bool(getattr(user, "is_verified", None) and user.is_verified())


# Setting up an authenticator app -------------------------------------------------------------------------


def pending_authenticator(user: User) -> TOTPDevice:
    """The authenticator being set up: the same secret on every visit until a code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed in (base32, in groups of four)."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// address as a QR code, inline SVG made here (segno): no image is fetched from anywhere."""
    qr = segno.make(device.config_url, error="m")
    return mark_safe(qr.svg_inline(scale=4, title="QR code for your authenticator app", svgclass="qr"))


@dataclass(frozen=True)
class SetUp:
    device: TOTPDevice
    recovery_codes: list[str]


@transaction.atomic
def authenticator_confirm(*, user: User, code: str, ip_address: str | None) -> SetUp | None:
    """The first code from the app confirms it; recovery codes are made at the same time (shown once).
    None when the code is wrong, or when the user already has a confirmed authenticator (replacing one needs
    a force admin's reset, so that a stolen password alone cannot)."""
    if has_authenticator(user):
        return None
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        return None
    # Its secret is on the page being answered: django-otp's back-off after a typo would protect nothing here.
    device.throttle_reset(commit=False)
    if not device.verify_token(_token(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    events.second_factor_set_up_event(user=user, ip_address=ip_address)
    return SetUp(device=device, recovery_codes=recovery_codes_make(user=user))


@transaction.atomic
def recovery_codes_make(*, user: User) -> list[str]:
    """New single-use recovery codes (the old ones stop working); returned once, to be shown once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.OTP_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    events.recovery_codes_made_event(user=user, count=len(codes))
    return [f"{c[:4]}-{c[4:]}" for c in codes]


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Checking a code -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    device: Device | None = None
    recovery: bool = False  # a recovery code was used (and is now spent)
    wait_until: datetime | None = None  # too many wrong codes in a row: django-otp's back-off

    @property
    def ok(self) -> bool:
        return self.device is not None


def _token(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def code_check(*, user: User, code: str, ip_address: str | None = None) -> CodeCheck:
    """Check a code from the user's authenticator app (6 digits) or one of their recovery codes. A code is
    accepted once: a TOTP code not again in its 30 s window, a recovery code never again."""
    token = _token(code)
    recovery = not (token.isdigit() and len(token) in (6, 8))
    model = StaticDevice if recovery else TOTPDevice
    with transaction.atomic():
        # Locked while checked, so that one code cannot be accepted twice by two requests at once.
        for device in model.objects.select_for_update().filter(user=user, confirmed=True).order_by("id"):
            allowed, info = device.verify_is_allowed()
            if not allowed:
                return CodeCheck(wait_until=(info or {}).get("locked_until"))
            if token and device.verify_token(token):
                if recovery:
                    events.recovery_code_used_event(user=user, ip_address=ip_address, left=recovery_codes_left(user))
                return CodeCheck(device=device, recovery=recovery)
    return CodeCheck()


# A force admin's reset (lost phone) --------------------------------------------------------------------------


@transaction.atomic
def second_factor_reset(*, actor: User, user: User) -> None:
    """Forget ``user``'s authenticator and recovery codes, and revoke their API tokens (issued on the lost
    device's codes): they set up a new one at their next sign-in. Force admins of the user's force only."""
    allowed = access.is_force_admin_of(actor, user.force_id) and access.users_for(actor).filter(pk=user.pk).exists()
    if not (actor.is_superuser or allowed):
        raise PermissionDenied("Only a force admin of the user's force may reset their second factor.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    events.second_factor_reset_event(actor=actor, user=user)


# Demo accounts (embedded default only: seed_demo) ---------------------------------------------------------------


def demo_authenticator(user: User) -> TOTPDevice:
    """A demo account's authenticator, with a key anyone can derive (like its password, it is public): set up
    by seed_demo so that the police demo accounts sign in as real ones do, with a code."""
    key = hashlib.sha1(f"retrace-demo-totp:{user.username}".encode()).hexdigest()  # 20 bytes, as TOTP's default
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name=AUTHENTICATOR, defaults={"key": key, "confirmed": True}
    )
    return device


def current_code(device: TOTPDevice) -> str:
    """The code the device's app shows now (for the demo accounts' `manage.py demo_code`)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
