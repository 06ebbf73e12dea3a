"""Portal pages. They use the same selectors as the API (``accounts.access``); sign-in's second factor
(``accounts.otp``) and lock-outs (``accounts.lockout``) have their pages here too."""

import datetime
import math
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import access, lockout, otp
from accounts.events import describe
from accounts.models import AccountEvent, User
from core.filters import local_midnight
from core.pagination import portal_page

# The second factor ------------------------------------------------------------------------------------------


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else reverse("home")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _wait_text(until) -> str:
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    return f"Too many wrong codes in a row: wait {seconds} seconds, then type the code your app shows then."


@never_cache
@login_required
def otp_verify(request):
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    user, next_url = request.user, _next(request)
    if otp.is_verified(user) or not otp.second_factor_required(user):
        return redirect(next_url)
    if not otp.has_authenticator(user):
        return redirect(_with_next("otp-setup", next_url))
    error, status = "", 200
    if request.method == "POST":
        if lockout.is_locked_out(request, user.username):
            logout(request)
            return lockout.lockout_response(request, None, {"username": user.username})
        check = otp.code_check(user=user, code=request.POST.get("code", ""), ip_address=lockout.client_ip(request))
        if check.ok:
            otp.otp_login(request, check.device)
            if check.recovery:
                left = otp.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; it will not work again ({left} left). "
                    "Make new ones on your sign-in security page if you are running out.",
                )
            return redirect(next_url)
        if check.wait_until is not None:
            error, status = _wait_text(check.wait_until), 429
        elif lockout.record_code_failure(request, user):
            logout(request)
            return lockout.lockout_response(request, None, {"username": user.username})
        else:
            error, status = "That code is not right. Type the 6 digits your app shows now, or a recovery code.", 400
    return render(request, "accounts/otp_verify.html", {"error": error, "next": next_url}, status=status)


@never_cache
@login_required
def otp_setup(request):
    """Set up an authenticator app: scan the QR code (or type the secret), then type its first code.
    Police users come here at their first sign-in; anyone else may choose to."""
    user, next_url = request.user, _next(request)
    if otp.has_authenticator(user):
        # Replacing an authenticator needs a force admin's reset: a stolen password alone must not do it.
        return redirect(_with_next("otp-verify", next_url) if not otp.is_verified(user) else "account-security")
    device = otp.pending_authenticator(user)
    error = ""
    if request.method == "POST":
        done = otp.authenticator_confirm(
            user=user, code=request.POST.get("code", ""), ip_address=lockout.client_ip(request)
        )
        if done is not None:
            otp.otp_login(request, done.device)
            context = {"codes": done.recovery_codes, "next": next_url, "first": True}
            return render(request, "accounts/recovery_codes.html", context)
        error = "That code is not right. Check the app shows Retrace with your username, and type its code now."
    context = {
        "qr": otp.qr_svg(device),
        "secret": otp.secret_text(device),
        "error": error,
        "next": next_url,
        "required": user.is_police or user.is_superuser,
    }
    return render(request, "accounts/otp_setup.html", context, status=400 if error else 200)


@never_cache
@login_required
def account_security(request):
    user = request.user
    context = {
        "has_authenticator": otp.has_authenticator(user),
        "required": user.is_police or user.is_superuser,
        "recovery_left": otp.recovery_codes_left(user),
        "tokens": user.api_tokens.filter(expires_at__gt=timezone.now()),
    }
    return render(request, "accounts/security.html", context)


@never_cache
@require_POST
@login_required
def recovery_codes_new(request):
    """New recovery codes (the old ones stop working), shown once. Only with an authenticator set up (and,
    the middleware sees to it, a verified session)."""
    if not otp.has_authenticator(request.user):
        return redirect("otp-setup")
    codes = otp.recovery_codes_make(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("account-security")})


# Force admins: lock-outs and second factors of their force --------------------------------------------------


def force_admin_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not access.is_force_admin_of(request.user):
            raise PermissionDenied("Only force admins may manage sign-ins.")
        return view(request, *args, **kwargs)

    return wrapped


def _manageable_users(actor):
    """The users whose sign-in a force admin manages: their force's (a superuser: everyone)."""
    return User.objects.all() if actor.is_superuser else access.users_for(actor)


SIGN_IN_PEOPLE_PAGE_SIZE = 50
SIGN_IN_LOG_PAGE_SIZE = 50


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class SignInFilterForm(forms.Form):
    """The sign-ins page's filters, forgiving as the portal's other lists: a value that is not a date is named
    in the page's errors and left out, and the other filters still apply."""

    q = forms.CharField(required=False, max_length=100, label="Find a user", help_text="Username or name")
    account = forms.CharField(required=False, max_length=150, label="Account", help_text="Username, or part of one")
    since = forms.DateField(required=False, label="From", widget=_DateInput)
    until = forms.DateField(required=False, label="To", widget=_DateInput)

    def clean(self):
        data = super().clean() or {}
        first, last = data.get("since"), data.get("until")
        if first and last and first > last:
            self.add_error("until", f"The 'to' date ({last:%-d %b %Y}) is before the 'from' date ({first:%-d %b %Y}).")
            data.pop("since", None)  # a range the wrong way round is left out whole
        return data

    def value(self, name: str):
        """A filter's value once checked (None where it was left out for an error)."""
        return getattr(self, "cleaned_data", {}).get(name) or None


def _people(users, q: str | None):
    if q:
        for word in q.split()[:5]:
            users = users.filter(
                Q(username__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
            )
    return users.order_by("role", "username", "pk")


def _log(log, *, account: str | None, since: datetime.date | None, until: datetime.date | None):
    if account:
        log = log.filter(Q(username__icontains=account) | Q(user__username__icontains=account))
    if since:
        log = log.filter(created_at__gte=local_midnight(since))
    if until:
        log = log.filter(created_at__lt=local_midnight(until + datetime.timedelta(days=1)))
    return log


def _page_of(request, rows, per_page: int, param: str):
    """One of the page's two lists, each paged by its own parameter (``param``): the other list's page and
    every filter are kept in its pager's links."""
    params = request.GET.copy()
    number = params.pop(param, [""])[-1]
    params["page"] = number
    return portal_page(request, rows, per_page, params=params)


@never_cache
@force_admin_required
def sign_in_admin(request):
    """Lock-outs to lift, second factors to reset (a lost phone), and the sign-in audit log of the force; the
    users and the log a page at a time. Query: q (a user's username or name), people_page; account, since,
    until (YYYY-MM-DD), log_page."""
    actor = request.user
    users = _manageable_users(actor)
    form = SignInFilterForm(request.GET)
    form.is_valid()
    log = AccountEvent.objects.select_related("user", "actor").order_by("-created_at", "-id")
    if not actor.is_superuser:
        log = log.filter(user__in=users)
    log = _log(log, account=form.value("account"), since=form.value("since"), until=form.value("until"))
    people, people_query = _page_of(request, _people(users, form.value("q")), SIGN_IN_PEOPLE_PAGE_SIZE, "people_page")
    events, log_query = _page_of(request, log, SIGN_IN_LOG_PAGE_SIZE, "log_page")
    context = {
        "form": form,
        "lockouts": lockout.lockouts_for(actor),
        "people_page": people,
        "people_query": people_query,
        "people": [(u, otp.has_authenticator(u), otp.recovery_codes_left(u)) for u in people.object_list],
        "log_page": events,
        "log_query": log_query,
        "events": [(e, describe(e)) for e in events.object_list],
        "log_filtered": any(form.value(name) for name in ("account", "since", "until")),
        "cool_off_minutes": lockout.cool_off_minutes(),
    }
    return render(request, "accounts/sign_in_admin.html", context)


@require_POST
@force_admin_required
def lockout_lift(request):
    username = request.POST.get("username", "")[:150]
    ip_address = request.POST.get("ip_address", "")[:64] if not username else ""
    count = lockout.lockout_lift(actor=request.user, username=username, ip_address=ip_address)
    who = username or f"address {ip_address}"
    messages.success(request, f"Lock-out lifted for {who}: {count} failed-attempt record(s) cleared.")
    return redirect("sign-in-admin")


@require_POST
@force_admin_required
def second_factor_reset(request, pk: int):
    user = get_object_or_404(_manageable_users(request.user), pk=pk)
    otp.second_factor_reset(actor=request.user, user=user)
    messages.success(
        request,
        f"{user.get_full_name() or user.username}'s authenticator and recovery codes are forgotten and their API "
        "tokens revoked: they set up a new authenticator at their next sign-in.",
    )
    return redirect("sign-in-admin")
