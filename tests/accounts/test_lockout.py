"""Brute-force protection: django-axes counts failed sign-ins on the token API, the
sign-in page and the admin's sign-in, per account and address, per address and per account; a lock-out
answers 429 (the API's error shape with Retry-After, a plain page), ends after the cool-off, and a force admin
can lift it. The token API is also rate-limited (DRF throttles)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from accounts.lockout import client_ip
from accounts.models import AccountEvent, ApiToken
from tests.conftest import PASSWORD, signed_in

pytestmark = pytest.mark.django_db
TOKEN = "/api/auth/token/"


@pytest.fixture
def no_rate_limit(settings):
    """The DRF throttles off, so that what is tested is the lock-out (they have their own tests below)."""
    settings.API_SIGN_IN_RATE_PER_ADDRESS = settings.API_SIGN_IN_RATE_PER_ACCOUNT = "10000/min"


def token_request(api, username, password, address="127.0.0.1"):
    return api.post(TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=address)


def assert_locked_out_json(response):
    assert response.status_code == 429, response.content
    body = response.json()
    assert set(body) == {"message", "code", "fields"} and body["code"] == "locked_out"
    assert "Too many failed sign-ins" in body["message"] and "force admin" in body["message"]
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    return body


# The token API ------------------------------------------------------------------------------------------------


def test_sixty_wrong_passwords_then_the_right_one_is_refused(api, world, no_rate_limit):
    answers = [token_request(api, "A-worker", f"guess-{i}").status_code for i in range(60)]
    assert answers[:4] == [401] * 4  # wrong password
    assert answers[4:] == [429] * 56  # the 5th failure from this address locks this account here
    assert_locked_out_json(token_request(api, "A-worker", PASSWORD))
    assert not ApiToken.objects.exists()
    # Counted: the 5 failures before the lock-out, each in the sign-in log; the refused ones are not counted.
    failed = AccountEvent.objects.filter(kind="sign_in_failed", username="A-worker")
    assert failed.count() == 5 and [e.details["locked_out"] for e in failed] == [False] * 4 + [True]
    assert failed.filter(user=world.a.worker, ip_address="127.0.0.1", details__where=TOKEN).count() == 5


def test_an_attacker_elsewhere_does_not_lock_the_real_user_out(api, world, no_rate_limit):
    for i in range(60):
        token_request(api, "A-worker", f"guess-{i}", address="203.0.113.66")
    assert_locked_out_json(token_request(api, "A-worker", PASSWORD, address="203.0.113.66"))
    assert token_request(api, "A-worker", PASSWORD, address="198.51.100.7").status_code == 200


def test_one_address_trying_many_accounts_is_locked_out(api, world, no_rate_limit):
    for i in range(60):
        token_request(api, f"nobody-{i}", "guess", address="203.0.113.66")
    assert_locked_out_json(token_request(api, "A-worker", PASSWORD, address="203.0.113.66"))
    assert token_request(api, "A-worker", PASSWORD, address="198.51.100.7").status_code == 200


def test_one_account_guessed_from_many_addresses_is_locked_out(api, world, no_rate_limit):
    for i in range(60):
        token_request(api, "A-worker", f"guess-{i}", address=f"203.0.113.{i + 1}")
    # 30 failures from anywhere pause this account everywhere (for the cool-off at most)...
    assert_locked_out_json(token_request(api, "A-worker", PASSWORD, address="198.51.100.7"))
    # ...and no other account.
    assert token_request(api, "B-worker", PASSWORD, address="198.51.100.7").status_code == 200
    assert AccountEvent.objects.filter(kind="sign_in_failed", username="A-worker").count() == 30


def test_attempts_during_a_lock_out_do_not_prolong_it(api, world, no_rate_limit):
    for i in range(5):
        token_request(api, "A-worker", f"guess-{i}")
    before = list(AccessAttempt.objects.values_list("failures_since_start", "attempt_time"))
    for i in range(20):
        token_request(api, "A-worker", f"more-{i}")
    assert list(AccessAttempt.objects.values_list("failures_since_start", "attempt_time")) == before


def test_lock_out_ends_after_the_cool_off(api, world, no_rate_limit, settings):
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    for i in range(5):
        token_request(api, "A-worker", f"guess-{i}")
    r = token_request(api, "A-worker", PASSWORD)
    assert_locked_out_json(r)
    assert 14 * 60 < int(r["Retry-After"]) <= 15 * 60
    # 15 minutes and a second later (the failures' times moved back, as the clock would move on):
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    assert token_request(api, "A-worker", PASSWORD).status_code == 200


# Pages ---------------------------------------------------------------------------------------------------------


def test_sign_in_page_locks_out_with_a_plain_message(world):
    client = Client()
    for i in range(60):
        r = client.post("/login/", {"username": "A-worker", "password": f"guess-{i}"})
    assert r.status_code == 429
    r = client.post("/login/", {"username": "A-worker", "password": PASSWORD})
    assert r.status_code == 429 and r["Content-Type"].startswith("text/html")
    page = r.content.decode()
    assert "Sign-in paused" in page and "Too many failed sign-ins" in page and "force admin" in page
    assert 0 < int(r["Retry-After"]) <= 15 * 60
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # not signed in


def test_admin_sign_in_locks_out(world):
    client = Client()
    for i in range(30):
        client.post("/admin/login/", {"username": "A-admin", "password": f"guess-{i}", "next": "/admin/"})
    r = client.post("/admin/login/", {"username": "A-admin", "password": PASSWORD, "next": "/admin/"})
    assert r.status_code == 429 and "Sign-in paused" in r.content.decode()
    assert "_auth_user_id" not in client.session
    assert (
        AccountEvent.objects.filter(kind="sign_in_failed", username="A-admin", details__where="/admin/login/").count()
        == 5
    )


# Lifting a lock-out -------------------------------------------------------------------------------------------


def test_force_admin_sees_and_lifts_a_lock_out_of_their_force(api, world, no_rate_limit):
    for i in range(5):
        token_request(api, "A-worker", f"guess-{i}")
    assert_locked_out_json(token_request(api, "A-worker", PASSWORD))

    page = signed_in(world.a.admin).get("/sign-ins/").content.decode()
    assert "A-worker" in page and "locked out" in page
    assert "A-worker" not in signed_in(world.b.admin).get("/sign-ins/").content.decode()  # another force's

    # Another force's admin may not lift it; nothing changes.
    assert signed_in(world.b.admin).post("/sign-ins/lift/", {"username": "A-worker"}).status_code == 403
    assert_locked_out_json(token_request(api, "A-worker", PASSWORD))
    # Neither may an officer (force admins only).
    assert signed_in(world.a.officer).post("/sign-ins/lift/", {"username": "A-worker"}).status_code == 403

    r = signed_in(world.a.admin).post("/sign-ins/lift/", {"username": "A-worker"}, follow=True)
    assert "Lock-out lifted for A-worker" in r.content.decode()
    assert token_request(api, "A-worker", PASSWORD).status_code == 200
    lifted = AccountEvent.objects.get(kind="lockout_lifted")
    assert (lifted.actor, lifted.user, lifted.username) == (world.a.admin, world.a.worker, "A-worker")


def test_superuser_lifts_an_address_lock_out(api, world, no_rate_limit, django_user_model):
    for i in range(20):
        token_request(api, f"nobody-{i}", "guess", address="203.0.113.66")
    assert_locked_out_json(token_request(api, "A-worker", PASSWORD, address="203.0.113.66"))
    root = django_user_model.objects.create_superuser("root", password=PASSWORD)
    client = signed_in(root)
    assert "203.0.113.66" in client.get("/sign-ins/").content.decode()
    client.post("/sign-ins/lift/", {"ip_address": "203.0.113.66"})
    assert token_request(api, "A-worker", PASSWORD, address="203.0.113.66").status_code == 200


# Rate limits of the token API (DRF throttles) -------------------------------------------------------------------


def test_token_api_is_rate_limited_per_account(api, world):
    answers = [token_request(api, "A-worker", PASSWORD, address=f"198.51.100.{i}") for i in range(11)]
    assert [r.status_code for r in answers] == [200] * 10 + [429]
    body = answers[-1].json()
    assert body["code"] == "throttled" and "wait" in body["message"]
    assert 0 < int(answers[-1]["Retry-After"]) <= 60


def test_token_api_is_rate_limited_per_address(api, world):
    answers = [token_request(api, f"nobody-{i}", "guess", address="198.51.100.9") for i in range(31)]
    assert [r.status_code for r in answers[:4]] == [401] * 4
    assert answers[-1].status_code == 429 and answers[-1].json()["code"] == "throttled"
    assert "Retry-After" in answers[-1]


# The address counted ------------------------------------------------------------------------------------------


class FakeRequest:
    def __init__(self, **meta):
        self.META = meta


def test_address_is_the_connection_unless_behind_named_proxies(settings):
    request = FakeRequest(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    assert client_ip(request) == "10.0.0.2"  # a client could write any X-Forwarded-For
    settings.SIGN_IN_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.5"  # what our one proxy saw, not what the client wrote
    settings.SIGN_IN_PROXY_COUNT = 2
    assert client_ip(request) == "1.1.1.1"


def test_an_ipv6_address_counts_as_its_64_block():
    assert client_ip(FakeRequest(REMOTE_ADDR="2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::"
    assert client_ip(FakeRequest(REMOTE_ADDR="2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::"
    assert client_ip(FakeRequest(REMOTE_ADDR="::ffff:192.0.2.1")) == "192.0.2.1"
    assert client_ip(FakeRequest(REMOTE_ADDR="not an address")) is None
