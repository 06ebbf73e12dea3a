"""Failed sign-ins and lock-outs, on django-axes (settings: components/security.py).

Axes counts failures in the database (so every web process sees them) under three keys: one account from
one address, one address for any accounts, one account from any addresses. ``RetraceAxesHandler`` gives each
key its own limit; axes itself has one. A refused attempt during a lock-out is not counted
(``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``), so a lock-out ends one cool-off after the failure
that started it, however long an attacker keeps trying, and a force admin may lift it at once
(``lockout_lift``). Every counted failure is written to the sign-in audit log (``accounts.events``).
"""

import ipaddress
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from accounts import access, events
from accounts.errors import AccountErrorCode
from accounts.models import User
from core.exception_handlers import error_body

API_PREFIX = "/api/"


def client_ip(request) -> str | None:
    """The address failures are counted under (``AXES_CLIENT_IP_CALLABLE``, also the token API's throttles).

    Behind ``SIGN_IN_PROXY_COUNT`` proxies, the address the outermost proxy saw (X-Forwarded-For is appended
    to by each proxy, so only its last entries are trustworthy). An IPv6 address counts as its /64: one
    machine is usually given a whole /64 and could otherwise change address at every attempt."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.SIGN_IN_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def _limit_for(parameter) -> int:
    """The failure limit of one of ``AXES_LOCKOUT_PARAMETERS``: a name or a list of names."""
    names = {parameter} if isinstance(parameter, str) else set(parameter)
    if names == {"ip_address"}:
        return settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    if names == {"username"}:
        return settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT
    return settings.AXES_FAILURE_LIMIT


class RetraceAxesHandler(AxesDatabaseHandler):
    """Axes' database handler, with a limit per key and an audit row per counted failure."""

    def _counted(self, request, credentials) -> list[tuple[int, list[tuple[datetime, int]]]]:
        """Per key: its limit and its failures within the cool-off, as (time of the row's last failure,
        failures), oldest first."""
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        return [
            (_limit_for(p), list(attempts.order_by("attempt_time").values_list("attempt_time", "failures_since_start")))
            for p, attempts in zip(parameters, attempts_list, strict=True)
        ]

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Axes compares this with its one ``AXES_FAILURE_LIMIT``: each key's failures are scaled so that the
        answer reaches that limit exactly when some key reaches its own (floor(f * L / l) >= L iff f >= l)."""
        limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            worst = max(worst, failures * limit // _limit_for(parameter))
        return worst

    def lockout_ends_at(self, request, credentials: dict | None = None) -> datetime | None:
        """When the lock-out on this request's keys ends by itself (None: not locked). A row's failures expire
        one cool-off after its last failure; the lock ends once enough of the oldest have expired."""
        AxesProxyHandler.update_request(request)
        cool_off = get_cool_off(request) or timedelta(0)
        ends = None
        for limit, rows in self._counted(request, credentials):
            total = sum(n for _, n in rows)
            if total < limit:
                continue
            for at, n in rows:
                total -= n
                if total < limit:
                    ends = at + cool_off if ends is None else max(ends, at + cool_off)
                    break
        return ends

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        refused = bool(request is not None and getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or refused:
            return  # refused while locked out: not counted, and not written again
        username = (get_client_username(request, credentials) or "")[:150]
        events.sign_in_failed_event(
            username=username,
            user=User.objects.filter(username=username).first() if username else None,
            ip_address=request.axes_ip_address,
            where=request.axes_path_info,
            locked_out=bool(request.axes_locked_out),
            code=(credentials or {}).get("step") == "code",
        )


def record_code_failure(request, user: User) -> bool:
    """A wrong one-time code counts as a failed sign-in (the password alone is not a sign-in for police).
    True when it started a lock-out."""
    AxesProxyHandler.user_login_failed(
        sender=__name__, credentials={"username": user.username, "step": "code"}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


def is_locked_out(request, username: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def retry_after_seconds(request, credentials: dict | None = None) -> int:
    handler = AxesProxyHandler.get_implementation()
    ends = handler.lockout_ends_at(request, credentials) if isinstance(handler, RetraceAxesHandler) else None
    if ends is None:
        ends = timezone.now() + (get_cool_off(request) or timedelta(0))
    return max(1, math.ceil((ends - timezone.now()).total_seconds()))


def cool_off_minutes() -> int:
    return int((get_cool_off() or timedelta(0)).total_seconds() // 60)


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return (
        f"Too many failed sign-ins: signing in is paused for {minutes} minute{'s' if minutes != 1 else ''}. "
        "Try again then, or ask your force admin to lift the lock-out."
    )


def lockout_response(request, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: 429 with ``Retry-After``, in the API's error shape under /api/, else a page."""
    seconds = retry_after_seconds(request, credentials)
    response: HttpResponse
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(error_body(lockout_message(seconds), AccountErrorCode.LOCKED_OUT), status=429)
    else:
        until = timezone.localtime(timezone.now() + timedelta(seconds=seconds))
        context = {"message": lockout_message(seconds), "until": until}
        response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


# Lifting a lock-out --------------------------------------------------------------------------------


@dataclass
class Lockout:
    """Failures within the cool-off for one username (or, ``username`` empty, one address)."""

    username: str
    ip_address: str | None
    user: User | None
    failures: int
    last_at: datetime
    locked: bool
    addresses: list[str] = field(default_factory=list)


def _recent_attempts():
    threshold = timezone.now() - (get_cool_off() or timedelta(0))
    return AccessAttempt.objects.filter(attempt_time__gte=threshold)


def lockouts_for(actor: User) -> list[Lockout]:
    """Recent failures a force admin may see and lift: per username of their force's users; a superuser
    sees every username (also names of nobody) and every address that reached the address limit."""
    attempts = _recent_attempts()
    if not actor.is_superuser:
        attempts = attempts.filter(username__in=access.users_for(actor).values("username"))
    users = {u.username: u for u in User.objects.filter(username__in=attempts.values("username"))}
    by_name: dict[str, Lockout] = {}
    for a in attempts.order_by("attempt_time"):
        name = a.username or ""
        row = by_name.setdefault(name, Lockout(name, None, users.get(name), 0, a.attempt_time, False))
        row.failures += a.failures_since_start
        row.last_at = a.attempt_time
        if a.ip_address and a.ip_address not in row.addresses:
            row.addresses.append(a.ip_address)
    for row in by_name.values():
        per_address = (
            attempts.filter(username=row.username).values("ip_address").annotate(n=Sum("failures_since_start"))
        )
        row.locked = row.failures >= settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT or any(
            p["n"] >= settings.AXES_FAILURE_LIMIT for p in per_address
        )
    rows = sorted(by_name.values(), key=lambda r: r.last_at, reverse=True)
    if actor.is_superuser:
        per_ip = attempts.values("ip_address").annotate(n=Sum("failures_since_start"))
        for p in per_ip.filter(n__gte=settings.SIGN_IN_ADDRESS_FAILURE_LIMIT):
            last = attempts.filter(ip_address=p["ip_address"]).order_by("-attempt_time").first()
            if last is not None:
                rows.append(Lockout("", p["ip_address"], None, p["n"], last.attempt_time, True))
    return rows


@transaction.atomic
def lockout_lift(*, actor: User, username: str = "", ip_address: str = "") -> int:
    """Clear the failures of ``username`` (from every address) or, superusers only, of ``ip_address`` (for
    every username). A force admin may lift only their force's users. Returns how many attempt rows went."""
    user = User.objects.filter(username=username).first() if username else None
    if not actor.is_superuser:
        if ip_address or user is None or not access.is_force_admin_of(actor, user.force_id):
            raise PermissionDenied("Only a force admin of the user's force may lift this lock-out.")
    if username:
        count = AxesProxyHandler.reset_attempts(username=username)
    elif ip_address:
        count = AxesProxyHandler.reset_attempts(ip_address=ip_address)
    else:
        return 0
    events.lockout_lifted_event(
        actor=actor, username=username, ip_address=ip_address or None, user=user, attempts=count
    )
    return count
