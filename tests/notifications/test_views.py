"""The email choices page (police only) and the read-only record of emails in the admin (per force)."""

import pytest
from django.test import Client

from notifications import services
from notifications.models import Notification, NotificationPreference
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

URL = "/account/notifications/"


def test_an_officer_sees_every_kind_on_by_default(world):
    response = signed_in(world.a.officer).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("p1_incident", "breach_case", "daily_digest"):
        assert f'name="{name}" id="id_{name}" aria-describedby="id_{name}-hint" checked' in html
    assert "the beats you cover" in html and "A North" in html
    assert "Your account has no email address" in html  # the world's users have none
    assert response["Cache-Control"].startswith("max-age=0")


def test_an_officer_turns_p1_emails_off_and_the_choice_is_kept(world):
    client = signed_in(world.a.officer)
    response = client.post(URL, {"breach_case": "on", "daily_digest": "on"})
    assert response.status_code == 302 and response["Location"] == URL + "?saved=1"
    pref = NotificationPreference.objects.get(user=world.a.officer)
    assert (pref.p1_incident, pref.breach_case, pref.daily_digest) == (False, True, True)
    html = client.get(URL + "?saved=1").content.decode()
    assert 'name="p1_incident" id="id_p1_incident" aria-describedby="id_p1_incident-hint">' in html
    assert "Your email choices are saved." in html
    assert "Your email choices are saved." not in client.get(URL).content.decode()


def test_a_force_admin_has_every_kind_off_until_they_turn_it_on(world):
    client = signed_in(world.a.admin)
    html = client.get(URL).content.decode()
    assert "checked" not in html and "your force" in html
    client.post(URL, {"daily_digest": "on"})
    pref = NotificationPreference.objects.get(user=world.a.admin)
    assert (pref.p1_incident, pref.breach_case, pref.daily_digest) == (False, False, True)


@pytest.mark.parametrize("who", ["worker", "norole"])
def test_shop_staff_and_users_without_a_role_are_refused(world, who):
    user = world.a.worker if who == "worker" else world.norole
    client = signed_in(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"p1_incident": "on"}).status_code == 403
    assert not NotificationPreference.objects.exists()


def test_signed_out_is_sent_to_sign_in(world):
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_page_lists_only_the_users_own_emails_paginated(world):
    for n in range(23):
        Notification.objects.create(
            kind=Notification.Kind.P1_INCIDENT,
            user=world.a.officer,
            force=world.a.force,
            object_ref=f"incident:{n}",
            reference=f"INC-2026-{n:06d}",
        )
    Notification.objects.create(
        kind="p1_incident", user=world.b.officer, force=world.b.force, object_ref="incident:1", reference="INC-B"
    )
    client = signed_in(world.a.officer)
    first = client.get(URL).content.decode()
    assert "INC-2026-000022" in first and "INC-2026-000002" not in first and "INC-B" not in first
    assert "Page 1 of 2" in first and "Waiting to be sent" in first
    second = client.get(URL + "?page=2").content.decode()
    assert "INC-2026-000002" in second and "INC-2026-000000" in second
    assert client.get(URL + "?page=abc").status_code == 200  # a bad page number shows the first page


# The admin: who was told of what, read-only, per force ----------------------------------------------------


@pytest.fixture
def rows(world):
    a = Notification.objects.create(
        kind="breach_case", user=world.a.officer, force=world.a.force, object_ref="case:1", reference="CASE-A"
    )
    b = Notification.objects.create(
        kind="breach_case", user=world.b.officer, force=world.b.force, object_ref="case:2", reference="CASE-B"
    )
    return a, b


def test_a_force_admin_sees_their_forces_notifications_read_only(world, rows):
    mine, theirs = rows
    client = signed_in(world.a.admin)
    listing = client.get("/admin/notifications/notification/")
    assert listing.status_code == 200
    assert "CASE-A" in listing.content.decode() and "CASE-B" not in listing.content.decode()
    assert client.get(f"/admin/notifications/notification/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/notifications/notification/{theirs.pk}/change/").status_code == 302  # not found
    assert client.get("/admin/notifications/notification/add/").status_code == 403
    response = client.post(f"/admin/notifications/notification/{mine.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403 and Notification.objects.filter(pk=mine.pk).exists()
    response = client.post(f"/admin/notifications/notification/{mine.pk}/change/", {"reference": "changed"})
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.reference == "CASE-A"


def test_officers_do_not_get_into_the_admin(world, rows):
    response = signed_in(world.a.officer).get("/admin/notifications/notification/")
    assert response.status_code in (302, 403)


def test_preference_set_writes_one_row_per_user(world):
    services.preference_set(user=world.a.officer, p1_incident=False, breach_case=False, daily_digest=False)
    services.preference_set(user=world.a.officer, p1_incident=True, breach_case=False, daily_digest=True)
    assert NotificationPreference.objects.filter(user=world.a.officer).count() == 1
