"""The accounts API: tokens, bad credentials, expired tokens, roles and scoping, in one error shape."""

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AccountEvent, ApiToken
from accounts.services import api_token_create
from tests.conftest import PASSWORD, authenticator_for, client_for, otp_code

pytestmark = pytest.mark.django_db


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "code", "fields"}
    assert body["code"] == code
    assert body["message"]
    return body


def test_token_for_good_credentials_authenticates_requests(api, world):
    code = otp_code(authenticator_for(world.a.officer))
    r = api.post("/api/auth/token/", {"username": "A-officer", "password": PASSWORD, "otp": code}, format="json")
    assert r.status_code == 200
    key = r.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = api.get("/api/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "A-officer" and me.json()["role"] == "beat_officer"


def test_wrong_password_is_401_and_issues_no_token(api, world):
    r = api.post("/api/auth/token/", {"username": "A-officer", "password": "nope"}, format="json")
    body = assert_error(r, 401, "authentication_failed")
    assert body["message"] == "Wrong username or password."
    assert not ApiToken.objects.exists()


def test_missing_fields_name_each_field(api, world):
    body = assert_error(api.post("/api/auth/token/", {}, format="json"), 400, "invalid")
    assert set(body["fields"]) == {"username", "password"}
    assert not ApiToken.objects.exists()


def test_expired_token_is_refused_and_deleted(api, world):
    issued = api_token_create(user=world.a.officer)
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    body = assert_error(api.get("/api/stores/"), 401, "token_expired")
    assert "POST /api/auth/token/" in body["message"]
    assert not ApiToken.objects.filter(pk=issued.token.pk).exists()


def test_unknown_token_is_401(api, world):
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert_error(api.get("/api/stores/"), 401, "authentication_failed")


def test_anonymous_is_401(api, world):
    assert_error(api.get("/api/stores/"), 401, "not_authenticated")


def test_user_without_role_is_403_with_advice(world):
    body = assert_error(client_for(world.norole).get("/api/stores/"), 403, "no_role")
    assert "force admin" in body["message"]


def test_user_without_role_may_still_see_themselves(world):
    assert client_for(world.norole).get("/api/me/").status_code == 200


def listed(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.content
    body = r.json()
    assert {"count", "next", "previous", "results"} <= set(body)  # every list is paginated
    return {row["id"] for row in body["results"]}


def test_store_list_is_scoped_per_role(world):
    a = world.a
    assert listed(client_for(a.worker), "/api/stores/") == {a.store.pk}
    force_stores = {a.store.pk, a.sibling_store.pk, a.other_retailer_store.pk}
    assert listed(client_for(a.officer), "/api/stores/") == force_stores
    assert listed(client_for(a.admin), "/api/stores/") == force_stores


@pytest.mark.parametrize("role", ["worker", "officer", "admin"])
def test_other_forces_store_is_404_not_403(world, role):
    client = client_for(getattr(world.a, role))
    assert_error(client.get(f"/api/stores/{world.b.store.pk}/"), 404, "not_found")


def test_worker_cannot_read_sibling_store(world):
    assert_error(client_for(world.a.worker).get(f"/api/stores/{world.a.sibling_store.pk}/"), 404, "not_found")


def test_beats_forces_retailers_lists(world):
    a, b = world.a, world.b
    officer = client_for(a.officer)
    assert listed(officer, "/api/beats/") == {a.beat.pk, a.other_beat.pk}
    assert listed(officer, "/api/forces/") == {a.force.pk}
    assert listed(client_for(b.worker), "/api/retailers/") == {b.retailer.pk}


@pytest.mark.parametrize("role", ["worker", "officer"])
def test_only_force_admins_list_users(world, role):
    body = assert_error(client_for(getattr(world.a, role)).get("/api/users/"), 403, "permission_denied")
    assert body["message"] == "Only force admins may do this."


def test_admin_lists_own_force_users_only(world):
    a, b = world.a, world.b
    assert listed(client_for(a.admin), "/api/users/") == {a.worker.pk, a.officer.pk, a.admin.pk}
    assert_error(client_for(a.admin).get(f"/api/users/{b.worker.pk}/"), 404, "not_found")


def test_pagination_page_size_is_capped(world):
    r = client_for(world.a.admin).get("/api/stores/?page_size=1")
    assert len(r.json()["results"]) == 1 and r.json()["count"] == 3


def test_write_to_read_only_endpoint_is_405_and_changes_nothing(world):
    from accounts.models import Store

    before = Store.objects.count()
    assert_error(
        client_for(world.a.admin).post("/api/stores/", {"name": "x"}, format="json"), 405, "method_not_allowed"
    )
    assert Store.objects.count() == before


# One token per device ----------------------------------------------------------------------


def sign_in(api, name="", username="A-worker"):
    r = api.post("/api/auth/token/", {"username": username, "password": PASSWORD, "name": name}, format="json")
    assert r.status_code == 200, r.content
    return r.json()


def authenticates(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/me/").status_code == 200


def test_a_new_token_does_not_sign_the_other_devices_out(api, world):
    phone, desk = sign_in(api, "Phone"), sign_in(api, "Desk PC")
    assert phone["token"] != desk["token"]
    assert authenticates(phone["token"]) and authenticates(desk["token"])
    stored = ApiToken.objects.get(pk=phone["id"])
    assert stored.name == "Phone" and stored.key_digest != phone["token"] and phone["token"] not in stored.key_digest
    assert abs((stored.expires_at - stored.created_at) - timedelta(hours=12)) < timedelta(seconds=1)


def test_user_lists_their_tokens_and_revokes_one(api, world):
    phone, desk = sign_in(api, "Phone"), sign_in(api, "Desk PC")
    sign_in(api, "Other", username="B-worker")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {desk['token']}")
    rows = client.get("/api/auth/tokens/").json()["results"]
    assert [(r["name"], r["current"]) for r in rows] == [("Desk PC", True), ("Phone", False)]
    assert rows[1]["prefix"] == phone["token"][:8] and rows[1]["last_used_at"] is None
    assert "token" not in rows[0] and "key_digest" not in rows[0]

    other = ApiToken.objects.get(user=world.b.worker)
    assert_error(client.delete(f"/api/auth/tokens/{other.pk}/"), 404, "not_found")
    assert client.delete(f"/api/auth/tokens/{phone['id']}/").status_code == 204
    assert not authenticates(phone["token"])
    assert authenticates(desk["token"]) and ApiToken.objects.filter(user=world.b.worker).exists()
    revoked = AccountEvent.objects.get(kind="token_revoked")
    assert (revoked.actor, revoked.details["token_id"]) == (world.a.worker, phone["id"])


def test_token_list_needs_sign_in(api, world):
    assert_error(api.get("/api/auth/tokens/"), 401, "not_authenticated")


def test_use_of_a_token_is_recorded(api, world):
    issued = sign_in(api, "Phone")
    assert authenticates(issued["token"])
    assert ApiToken.objects.get(pk=issued["id"]).last_used_at is not None


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_sign_ins_get_twenty_valid_tokens(world, live_server, settings):
    """Today 1 in 20 answered 500 (IntegrityError on the token's user) and each token revoked the one before."""
    settings.API_SIGN_IN_RATE_PER_ADDRESS = settings.API_SIGN_IN_RATE_PER_ACCOUNT = "1000/min"
    address = urlsplit(live_server.url)
    barrier = threading.Barrier(20)

    def request_token(i: int) -> tuple[int, dict]:
        body = json.dumps({"username": "A-worker", "password": PASSWORD, "name": f"device {i}"})
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        barrier.wait(timeout=60)
        conn.request("POST", "/api/auth/token/", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(request_token, range(20)))
    elapsed = time.monotonic() - started
    print(f"20 concurrent token requests ({connection.vendor}): {elapsed:.2f} s, statuses {[s for s, _ in results]}")
    assert [status for status, _ in results] == [200] * 20
    keys = [body["token"] for _, body in results]
    assert len(set(keys)) == 20 and ApiToken.objects.filter(user=world.a.worker).count() == 20
    assert all(authenticates(key) for key in keys)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {keys[0]}")
    assert client.delete(f"/api/auth/tokens/{results[3][1]['id']}/").status_code == 204
    assert [authenticates(key) for key in keys] == [i != 3 for i in range(20)]
