"""The officer's incident page: exhibits viewable and playable through a view that streams the file
and logs each viewing in the incident's audit trail; who reported it and how to reach the store; who took it
on, and when; times as people say them."""

import pytest
from django.utils import timezone

from incidents.models import IncidentEvent
from incidents.services import evidence_add, incident_status_set
from tests.conftest import signed_in
from tests.incidents.conftest import upload
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def exhibits(world, media_root, jpeg, mp4):
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    files = [upload("door.jpg", jpeg, "image/jpeg"), upload("till.mp4", mp4, "video/mp4")]
    image, video = evidence_add(incident=incident, files=files, uploaded_by=world.a.worker)
    return incident, image, video


def _views(incident):
    return list(IncidentEvent.objects.filter(incident=incident, kind="exhibit_viewed").order_by("id"))


def test_the_officer_page_shows_the_image_and_the_video_player(world, exhibits):
    incident, image, video = exhibits
    html = signed_in(world.a.officer).get(f"/incidents/{incident.pk}/").content.decode()
    assert f'<img class="exhibit-media" src="/incidents/{incident.pk}/exhibits/{image.pk}/"' in html
    assert (
        f'<video class="exhibit-media" controls preload="none" src="/incidents/{incident.pk}/exhibits/{video.pk}/"'
        in html
    )
    assert f'href="/incidents/{incident.pk}/exhibits/{video.pk}/?download=1"' in html
    assert image.sha256 in html
    assert _views(incident) == []  # the page alone opens no file


def test_each_viewing_is_streamed_and_logged(world, exhibits, jpeg):
    incident, image, video = exhibits
    client = signed_in(world.a.officer)
    response = client.get(f"/incidents/{incident.pk}/exhibits/{image.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == jpeg
    assert "no-store" in response["Cache-Control"] and response["Content-Disposition"].startswith("inline")
    download = client.get(f"/incidents/{incident.pk}/exhibits/{image.pk}/?download=1")
    assert download["Content-Disposition"].startswith("attachment")
    views = _views(incident)
    assert [(e.actor, e.details["evidence_id"], e.details["how"]) for e in views] == [
        (world.a.officer, image.pk, "view"),
        (world.a.officer, image.pk, "download"),
    ]
    assert views[0].details["name"] == "door.jpg" and views[0].created_at <= timezone.now()


def test_a_video_is_served_in_ranges_and_a_viewing_is_logged_once(world, exhibits, mp4):
    incident, image, video = exhibits
    client = signed_in(world.a.officer)
    url = f"/incidents/{incident.pk}/exhibits/{video.pk}/"
    start = client.get(url, HTTP_RANGE="bytes=0-")
    assert start.status_code == 206 and start["Content-Range"] == f"bytes 0-{len(mp4) - 1}/{len(mp4)}"
    assert b"".join(start.streaming_content) == mp4
    middle = client.get(url, HTTP_RANGE="bytes=10-19")
    assert middle.status_code == 206 and b"".join(middle.streaming_content) == mp4[10:20]
    assert middle["Accept-Ranges"] == "bytes"
    assert len(_views(incident)) == 1  # the player's seek is part of the same viewing


@pytest.mark.parametrize(("who", "expected"), [("b.officer", 404), ("b.admin", 404), ("a.worker", 403)])
def test_exhibit_scope(world, exhibits, who, expected):
    incident, image, _ = exhibits
    side, role = who.split(".")
    response = signed_in(getattr(getattr(world, side), role)).get(f"/incidents/{incident.pk}/exhibits/{image.pk}/")
    assert response.status_code == expected
    assert _views(incident) == []


def test_an_exhibit_of_another_incident_is_not_found(world, exhibits):
    incident, image, _ = exhibits
    other = IncidentFactory(store=world.a.store)
    assert signed_in(world.a.officer).get(f"/incidents/{other.pk}/exhibits/{image.pk}/").status_code == 404


def test_the_officer_sees_the_reporter_the_store_and_who_took_it_on(world):
    store = world.a.store
    store.address, store.postcode, store.phone = "12 Crewe Road, Alsager", "ST7 2AA", "01270 555 012"
    store.save()
    world.a.worker.first_name, world.a.worker.last_name, world.a.worker.email = "Kim", "Lowe", "kim@example.org"
    world.a.worker.save()
    officer = world.a.officer
    officer.first_name, officer.last_name, officer.collar_number = "Dev", "Shah", "PC 4411"
    officer.save()
    incident = IncidentFactory(store=store, reported_by=world.a.worker)
    client = signed_in(officer)
    before = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Nobody yet" in before and "reported just now" in before
    incident_status_set(incident=incident, status="with_police", actor=officer)
    html = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "12 Crewe Road, Alsager" in html and "ST7 2AA" in html
    assert 'href="tel:01270555012">01270 555 012</a>' in html
    assert "Kim Lowe" in html and 'href="mailto:kim@example.org"' in html
    taken = html.split("Taken on by</dt>", 1)[1].split("</dd>", 1)[0]
    assert "Dev Shah (PC 4411)" in taken and "just now" in taken
    incident.refresh_from_db()
    assert " GMT" in html or " BST" in html  # |uk_datetime
    assert (incident.taken_on_by, incident.taken_on_at is not None) == (officer, True)


def test_shop_staff_see_no_player_and_no_store_contact_block(world, exhibits):
    incident, image, _ = exhibits
    html = signed_in(world.a.worker).get(f"/incidents/{incident.pk}/").content.decode()
    assert "door.jpg" in html
    assert "/exhibits/" not in html and "Store and reporter" not in html
