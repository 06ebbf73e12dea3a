"""The second factor: police users sign in with a password and a code from an
authenticator app (TOTP), set up at their first sign-in with recovery codes; until the code is given they reach
nothing but the code pages; the API issues them tokens only with a code. Shop workers may set one up."""

import re
from base64 import b32decode
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccountEvent, ApiToken, User
from accounts.services import api_token_create
from tests.conftest import PASSWORD, authenticator_for, otp_code, signed_in

pytestmark = pytest.mark.django_db
TOKEN = "/api/auth/token/"


def password_only(username: str) -> Client:
    """A client that gave the right password on the sign-in page, and no code yet."""
    client = Client()
    r = client.post("/login/", {"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.content
    return client


def code_from_secret(secret_text: str) -> str:
    key = b32decode(secret_text.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def back_off_over(device: TOTPDevice) -> None:
    """After a wrong code the device waits 1 s, 2 s, 4 s... before the next (django-otp): move that wait into
    the past rather than sleep."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(hours=1))


# Pages and admin: nothing before the code ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/cases/", "/incidents/", "/recognition/", "/account/security/"])
def test_officer_without_a_code_reaches_only_the_set_up_page(world, path):
    client = password_only("A-officer")
    r = client.get(path)
    assert r.status_code == 302 and r.url.startswith("/login/code/setup/?next=")


def test_admin_site_is_closed_until_the_code(world):
    authenticator_for(world.a.admin)
    client = password_only("A-admin")
    for path in ("/admin/", "/admin/orders/offender/", "/sign-ins/"):
        r = client.get(path)
        assert r.status_code == 302 and r.url.startswith("/login/code/?next="), path
    r = client.post("/admin/orders/offender/add/", {})
    assert r.status_code == 302 and r.url.startswith("/login/code/")


def test_api_through_the_session_is_closed_until_the_code(world):
    client = password_only("A-officer")
    r = client.get("/api/cases/")
    assert r.status_code == 403 and r.json()["code"] == "otp_required"


def test_officer_sets_up_the_authenticator_at_first_sign_in(world):
    client = password_only("A-officer")
    page = client.get("/login/code/setup/?next=/cases/")
    html = page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    assert "<svg" in html and "<img" not in html  # the QR code is drawn inline, fetched from nowhere
    secret = re.search(r'<code id="otp-secret">([A-Z2-7 ]+)</code>', html).group(1)

    # The same secret until it is confirmed (a reload does not change it).
    assert secret in client.get("/login/code/setup/").content.decode()
    r = client.post("/login/code/setup/", {"code": "000000" if code_from_secret(secret) != "000000" else "111111"})
    assert r.status_code == 400 and "not right" in r.content.decode()
    assert client.get("/cases/").status_code == 302

    r = client.post("/login/code/setup/", {"code": code_from_secret(secret), "next": "/cases/"})
    assert r.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", r.content.decode())
    assert len(codes) == 10 and "shown only now" in r.content.decode()
    assert client.get("/cases/").status_code == 200  # this session gave its code
    device = TOTPDevice.objects.get(user=world.a.officer)
    assert device.confirmed and StaticToken.objects.filter(device__user=world.a.officer).count() == 10
    kinds = list(AccountEvent.objects.filter(user=world.a.officer).values_list("kind", flat=True))
    assert kinds == ["recovery_codes_made", "second_factor_set_up"] or kinds == [
        "second_factor_set_up",
        "recovery_codes_made",
    ]


def test_next_sign_in_asks_for_the_code(world):
    device = authenticator_for(world.a.officer)
    client = password_only("A-officer")
    r = client.get("/cases/")
    assert r.url == "/login/code/?next=%2Fcases%2F"
    r = client.post("/login/code/", {"code": otp_code(device), "next": "/cases/"})
    assert r.status_code == 302 and r.url == "/cases/"
    assert client.get("/cases/").status_code == 200


def test_a_wrong_code_is_refused_and_logged(world):
    device = authenticator_for(world.a.officer)
    client = password_only("A-officer")
    wrong = "123456" if otp_code(device) != "123456" else "654321"
    r = client.post("/login/code/", {"code": wrong})
    assert r.status_code == 400 and "not right" in r.content.decode()
    assert client.get("/cases/").status_code == 302
    event = AccountEvent.objects.get(kind="code_failed")
    assert (event.user, event.details["where"]) == (world.a.officer, "/login/code/")


def test_the_same_code_is_not_accepted_twice(world):
    device = authenticator_for(world.a.officer)
    code = otp_code(device)
    assert password_only("A-officer").post("/login/code/", {"code": code}).status_code == 302
    back_off_over(device)
    r = password_only("A-officer").post("/login/code/", {"code": code})
    assert r.status_code == 400


def test_a_recovery_code_works_once(world):
    client = password_only("A-officer")
    secret = re.search(r'<code id="otp-secret">([A-Z2-7 ]+)</code>', client.get("/login/code/setup/").content.decode())
    r = client.post("/login/code/setup/", {"code": code_from_secret(secret.group(1))})
    recovery = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", r.content.decode())[0]

    again = password_only("A-officer")
    r = again.post("/login/code/", {"code": recovery.upper(), "next": "/cases/"})  # as typed: any case
    assert r.status_code == 302 and r.url == "/cases/"
    assert again.get("/cases/").status_code == 200
    assert StaticToken.objects.filter(device__user=world.a.officer).count() == 9
    assert AccountEvent.objects.get(kind="recovery_code_used").details == {"left": 9}

    third = password_only("A-officer")
    r = third.post("/login/code/", {"code": recovery})
    assert r.status_code == 400 and third.get("/cases/").status_code == 302


def test_wrong_codes_count_towards_the_lock_out(world):
    device = authenticator_for(world.a.officer)
    client = password_only("A-officer")
    wrong = "123456" if otp_code(device) != "123456" else "654321"
    for _ in range(4):
        assert client.post("/login/code/", {"code": wrong}).status_code == 400
        back_off_over(device)
    r = client.post("/login/code/", {"code": wrong})
    assert r.status_code == 429 and "Sign-in paused" in r.content.decode()
    assert "_auth_user_id" not in client.session  # signed out
    r = Client().post("/login/", {"username": "A-officer", "password": PASSWORD})
    assert r.status_code == 429  # the password alone gets nowhere now


def test_set_up_cannot_replace_an_authenticator_without_its_code(world):
    """Someone with the password only must not swap in their own authenticator."""
    authenticator_for(world.a.officer)
    client = password_only("A-officer")
    r = client.get("/login/code/setup/")
    assert r.status_code == 302 and r.url.startswith("/login/code/")
    r = client.post("/login/code/setup/", {"code": "123456"})
    assert r.status_code == 302 and TOTPDevice.objects.filter(user=world.a.officer).count() == 1


def test_force_admin_resets_a_lost_phone(world):
    device = authenticator_for(world.a.officer)
    issued = api_token_create(user=world.a.officer, name="lost phone")
    assert signed_in(world.b.admin).post(f"/sign-ins/{world.a.officer.pk}/reset/").status_code == 404
    r = signed_in(world.a.admin).post(f"/sign-ins/{world.a.officer.pk}/reset/", follow=True)
    assert "forgotten" in r.content.decode()
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not ApiToken.objects.filter(pk=issued.token.pk).exists()
    assert AccountEvent.objects.filter(kind="second_factor_reset", actor=world.a.admin, user=world.a.officer).exists()
    r = password_only("A-officer").get("/cases/")
    assert r.url.startswith("/login/code/setup/")  # a new one at the next sign-in


def test_new_recovery_codes_replace_the_old(world):
    client = signed_in(world.a.officer)
    r = client.post("/account/recovery-codes/")
    codes = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", r.content.decode())
    assert len(codes) == 10
    r = client.post("/account/recovery-codes/")
    newer = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", r.content.decode())
    stored = set(StaticToken.objects.filter(device__user=world.a.officer).values_list("token", flat=True))
    assert stored == {c.replace("-", "") for c in newer} and not stored & {c.replace("-", "") for c in codes}


# The token API --------------------------------------------------------------------------------------------------


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["message"]
    return body


def test_token_for_police_needs_the_code(api, world):
    assert_error(api.post(TOKEN, {"username": "A-officer", "password": PASSWORD}, format="json"), 403, "otp_not_set_up")
    device = authenticator_for(world.a.officer)
    r = api.post(TOKEN, {"username": "A-officer", "password": PASSWORD}, format="json")
    body = assert_error(r, 401, "otp_required")
    assert "otp" in body["message"] and r["WWW-Authenticate"] == 'Token realm="api"'
    wrong = "123456" if otp_code(device) != "123456" else "654321"
    assert_error(
        api.post(TOKEN, {"username": "A-officer", "password": PASSWORD, "otp": wrong}, format="json"),
        401,
        "otp_invalid",
    )
    assert not ApiToken.objects.exists()
    back_off_over(device)
    code = otp_code(device)
    r = api.post(TOKEN, {"username": "A-officer", "password": PASSWORD, "otp": code}, format="json")
    assert r.status_code == 200 and ApiToken.objects.filter(user=world.a.officer).count() == 1
    # The same code again: refused (it was used).
    back_off_over(device)
    assert_error(
        api.post(TOKEN, {"username": "A-officer", "password": PASSWORD, "otp": code}, format="json"), 401, "otp_invalid"
    )


def test_token_with_a_recovery_code(api, world):
    authenticator_for(world.a.admin)
    from accounts.otp import recovery_codes_make

    code = recovery_codes_make(user=world.a.admin)[0]
    r = api.post(TOKEN, {"username": "A-admin", "password": PASSWORD, "otp": code}, format="json")
    assert r.status_code == 200
    r = api.post(TOKEN, {"username": "A-admin", "password": PASSWORD, "otp": code}, format="json")
    assert_error(r, 401, "otp_invalid")


def test_too_many_wrong_codes_in_a_row_wait(api, world):
    device = authenticator_for(world.a.officer)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    r = api.post(TOKEN, {"username": "A-officer", "password": PASSWORD, "otp": otp_code(device)}, format="json")
    assert_error(r, 429, "otp_throttled")
    assert 500 < int(r["Retry-After"]) <= 512  # 2 ** 9 seconds after the 10th wrong code


def test_shop_worker_may_use_a_second_factor_too(api, world):
    assert api.post(TOKEN, {"username": "A-worker", "password": PASSWORD}, format="json").status_code == 200
    client = password_only("A-worker")
    assert client.get("/incidents/").status_code == 200  # optional: no code asked
    html = client.get("/login/code/setup/").content.decode()
    secret = re.search(r'<code id="otp-secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert client.post("/login/code/setup/", {"code": code_from_secret(secret)}).status_code == 200
    # From now on, they sign in with a code like police users.
    assert_error(api.post(TOKEN, {"username": "A-worker", "password": PASSWORD}, format="json"), 401, "otp_required")
    assert password_only("A-worker").get("/incidents/").url.startswith("/login/code/")


def test_token_api_schema_documents_the_code(openapi_schema):
    operation = openapi_schema["paths"]["/api/auth/token/"]["post"]
    body = openapi_schema["components"]["schemas"]["TokenCreateInputRequest"]
    assert "otp" in body["properties"] and "otp" not in body.get("required", [])
    assert "recovery code" in body["properties"]["otp"]["description"]
    for status, code in [("401", "otp_required"), ("403", "otp_not_set_up"), ("429", "locked_out")]:
        assert code in operation["responses"][status]["description"]
    assert "otp_required" in openapi_schema["info"]["description"]  # listed with every error code


def test_second_factor_check_fails_closed_when_the_database_blinks(world, rf):
    """The session cannot be read when the check runs (the database is down): the view then answers as it
    does in an outage (503); if the database is back by the time the view reads the user, an unverified
    police session is still refused."""
    from django.core.exceptions import PermissionDenied
    from django.db import OperationalError
    from django.urls import resolve
    from django.utils.functional import SimpleLazyObject

    from accounts.middleware import SecondFactorMiddleware

    reads = []

    def read_user():
        reads.append(1)
        if len(reads) == 1:
            raise OperationalError("connection refused")  # the database, down for the first read
        return world.a.officer

    request = rf.get("/cases/")
    request.user = SimpleLazyObject(read_user)
    request.resolver_match = resolve("/cases/")
    assert SecondFactorMiddleware(lambda r: None).process_view(request, None, (), {}) is None
    with pytest.raises(PermissionDenied):
        request.user.is_authenticated  # noqa: B018 - the view's first use of the user


def test_demo_police_accounts_are_set_up_with_a_printed_key(api, capsys, settings):
    from django.core.management import CommandError, call_command

    call_command("seed_demo")
    out = capsys.readouterr().out
    key = re.search(r"officer +authenticator key: ([A-Z2-7 ]+)", out).group(1).strip()
    assert "forceadmin  authenticator key:" in out and "shopworker  authenticator" not in out
    body = {"username": "officer", "password": "retrace-demo", "otp": code_from_secret(key)}
    assert api.post(TOKEN, body, format="json").status_code == 200

    call_command("demo_code", "forceadmin")
    code = re.search(r"forceadmin +(\d{6})", capsys.readouterr().out).group(1)
    body = {"username": "forceadmin", "password": "retrace-demo", "otp": code}
    assert api.post(TOKEN, body, format="json").status_code == 200
    police = User.objects.filter(is_demo=True, role__in=[User.Role.BEAT_OFFICER, User.Role.FORCE_ADMIN]).count()
    assert police == 3  # officer, officer2 (a second officer, to corroborate) and forceadmin
    assert TOTPDevice.objects.filter(user__is_demo=True).count() == police
    call_command("seed_demo")  # again: changes nothing
    assert TOTPDevice.objects.filter(user__is_demo=True).count() == police

    settings.DEMO_LOGINS_ALLOWED = False
    with pytest.raises(CommandError, match="embedded default"):
        call_command("demo_code")
