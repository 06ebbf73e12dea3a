"""The Django admin, scoped to the force admin's force."""

import pytest
from django.contrib.admin.models import LogEntry

from accounts.models import Beat, User
from tests.conftest import signed_in as admin_client

pytestmark = pytest.mark.django_db


def test_force_admin_sees_own_force_stores_only(world):
    r = admin_client(world.a.admin).get("/admin/accounts/store/")
    assert r.status_code == 200
    assert world.a.store.name.encode() in r.content
    assert world.b.store.name.encode() not in r.content


def test_other_forces_store_change_page_is_not_found(world):
    r = admin_client(world.a.admin).get(f"/admin/accounts/store/{world.b.store.pk}/change/")
    # Django admin redirects to the index with "doesn't exist" for objects outside the queryset.
    assert r.status_code == 302
    assert world.b.store.name not in admin_client(world.a.admin).get(r.url).content.decode()


@pytest.mark.parametrize("role", ["worker", "officer"])
def test_officers_and_workers_cannot_use_admin(world, role):
    user = getattr(world.a, role)
    User.objects.filter(pk=user.pk).update(is_staff=True)  # even if someone made them staff
    user.refresh_from_db()
    r = admin_client(user).get("/admin/accounts/store/")
    assert r.status_code == 403
    r = admin_client(user).post("/admin/accounts/beat/add/", {"name": "Sandbach"})
    assert r.status_code == 403
    assert not Beat.objects.filter(name="Sandbach").exists() and not LogEntry.objects.exists()


def test_other_forces_store_cannot_be_changed(world):
    store = world.b.store
    r = admin_client(world.a.admin).post(
        f"/admin/accounts/store/{store.pk}/change/",
        {"name": "Renamed", "code": store.code, "retailer": store.retailer_id, "postcode": store.postcode},
    )
    assert r.status_code == 302
    store.refresh_from_db()
    assert store.name != "Renamed" and not LogEntry.objects.exists()


def test_store_form_offers_only_own_force_beats(world):
    r = admin_client(world.a.admin).get("/admin/accounts/store/add/")
    html = r.content.decode()
    assert f'value="{world.a.beat.pk}"' in html
    assert f'value="{world.b.beat.pk}"' not in html


def test_beat_created_by_admin_lands_in_their_force(world):
    r = admin_client(world.a.admin).post("/admin/accounts/beat/add/", {"name": "Sandbach"})
    assert r.status_code == 302, r.content
    assert Beat.objects.get(name="Sandbach").force == world.a.force


def test_admin_creates_officer_in_own_force(world):
    r = admin_client(world.a.admin).post(
        "/admin/accounts/user/add/",
        {
            "username": "newofficer",
            "password1": "A-long-unusual-pw-91",
            "password2": "A-long-unusual-pw-91",
            "usable_password": "true",
            "role": "beat_officer",
            "force": world.a.force.pk,
            "beats": [world.a.beat.pk],
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    u = User.objects.get(username="newofficer")
    assert u.force == world.a.force and list(u.beats.all()) == [world.a.beat] and not u.is_superuser


def test_admin_cannot_give_officer_another_forces_beat(world):
    r = admin_client(world.a.admin).post(
        "/admin/accounts/user/add/",
        {
            "username": "sneaky",
            "password1": "A-long-unusual-pw-91",
            "password2": "A-long-unusual-pw-91",
            "usable_password": "true",
            "role": "beat_officer",
            "force": world.a.force.pk,
            "beats": [world.b.beat.pk],
        },
    )
    assert r.status_code == 200  # form redisplayed with the error
    assert not User.objects.filter(username="sneaky").exists()
