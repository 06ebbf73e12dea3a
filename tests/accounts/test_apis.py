"""The accounts API: tokens, bad credentials, expired tokens, roles and scoping, in one error shape."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "code", "fields"}
    assert body["code"] == code
    assert body["message"]
    return body


def test_token_for_good_credentials_authenticates_requests(api, world):
    r = api.post("/api/auth/token/", {"username": "A-officer", "password": PASSWORD}, format="json")
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
    assert not Token.objects.exists()


def test_missing_fields_name_each_field(api, world):
    body = assert_error(api.post("/api/auth/token/", {}, format="json"), 400, "invalid")
    assert set(body["fields"]) == {"username", "password"}
    assert not Token.objects.exists()


def test_expired_token_is_refused_and_deleted(api, world):
    token = Token.objects.create(user=world.a.officer)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=2))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = assert_error(api.get("/api/stores/"), 401, "token_expired")
    assert "POST /api/auth/token/" in body["message"]
    assert not Token.objects.filter(pk=token.pk).exists()


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
