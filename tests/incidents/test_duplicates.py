"""A report sent twice files one incident: the same form's key leads to the incident already made;
the same CCTV file (SHA-256) sent again at the same store within INCIDENT_DUPLICATE_WINDOW_DAYS (7) asks first,
naming the earlier incident, and the reporter may still go on. The API answers 409 unless confirm_duplicate."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Evidence, Incident, IncidentEvent
from tests.conftest import client_for, signed_in
from tests.incidents.conftest import image_bytes, stored_files, upload
from tests.incidents.test_views import form_data

pytestmark = pytest.mark.django_db

KEY1, KEY2 = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"


def send(client, store, key, photo, **extra):
    return client.post(
        "/incidents/new/",
        form_data(store, submission_key=key, files=[upload("till.jpg", photo, "image/jpeg")], **extra),
    )


@pytest.fixture
def photo() -> bytes:
    return image_bytes("JPEG", color=(12, 34, 56))


def test_the_same_file_at_the_same_store_within_a_week_asks_first(world, media_root, photo):
    client = signed_in(world.a.worker)
    assert send(client, world.a.store, KEY1, photo).status_code == 302
    first = Incident.objects.get()
    response = send(client, world.a.store, KEY2, photo)
    assert response.status_code == 409
    html = response.content.decode()
    assert "This CCTV has been sent already" in html
    assert f'href="/incidents/{first.pk}/"' in html and first.reference in html
    assert "till.jpg was sent with " + first.reference in html
    assert 'name="confirm_duplicate" value="True"' in html  # the next press goes on
    assert "Send as a new incident" in html
    assert Incident.objects.count() == 1 and Evidence.objects.count() == 1 and len(stored_files(media_root)) == 1


def test_the_reporter_may_still_go_on(world, media_root, photo):
    client = signed_in(world.a.worker)
    send(client, world.a.store, KEY1, photo)
    first = Incident.objects.get()
    response = send(client, world.a.store, KEY2, photo, confirm_duplicate="True")
    assert response.status_code == 302
    second = Incident.objects.exclude(pk=first.pk).get()
    assert second.evidence.get().sha256 == first.evidence.get().sha256
    event = IncidentEvent.objects.get(kind="duplicate_confirmed")
    assert (event.incident, event.actor, event.details) == (second, world.a.worker, {"earlier": [first.reference]})


def test_another_store_is_not_warned(world, media_root, photo):
    world.a.worker.stores.add(world.a.sibling_store)
    client = signed_in(world.a.worker)
    send(client, world.a.store, KEY1, photo)
    assert send(client, world.a.sibling_store, KEY2, photo).status_code == 302
    assert Incident.objects.count() == 2 and not IncidentEvent.objects.filter(kind="duplicate_confirmed").exists()


def test_eight_days_later_is_not_warned(world, media_root, photo):
    client = signed_in(world.a.worker)
    send(client, world.a.store, KEY1, photo)
    Evidence.objects.update(uploaded_at=timezone.now() - timedelta(days=8))
    assert send(client, world.a.store, KEY2, photo).status_code == 302
    assert Incident.objects.count() == 2


def test_six_days_later_is_warned(world, media_root, photo):
    client = signed_in(world.a.worker)
    send(client, world.a.store, KEY1, photo)
    Evidence.objects.update(uploaded_at=timezone.now() - timedelta(days=6, hours=23))
    assert send(client, world.a.store, KEY2, photo).status_code == 409


def test_a_different_file_is_not_warned(world, media_root, photo):
    client = signed_in(world.a.worker)
    send(client, world.a.store, KEY1, photo)
    assert send(client, world.a.store, KEY2, image_bytes("JPEG", color=(99, 1, 1))).status_code == 302


def test_the_same_form_sent_again_lands_on_the_incident_already_made(world, media_root, photo):
    client = signed_in(world.a.worker)
    send(client, world.a.store, KEY1, photo)
    first = Incident.objects.get()
    again = client.post(
        "/incidents/new/",
        form_data(world.a.store, submission_key=KEY1, files=[upload("till.jpg", photo, "image/jpeg")]),
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert again.json() == {"redirect": f"/incidents/{first.pk}/"}
    assert Incident.objects.count() == 1 and Evidence.objects.count() == 1


def test_the_report_page_is_not_kept_by_the_browser(world):
    response = signed_in(world.a.worker).get("/incidents/new/")
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'data-no-restore autocomplete="off"' in html  # no form state restored from history


# --- API ------------------------------------------------------------------------------------------


def api_send(world, photo, **extra):
    data = {
        "store": world.a.store.pk,
        "occurred_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "category": "theft",
        "ongoing": False,
        "injured": False,
        "weapon": False,
        "description": "Took a crate of lager.",
        "files": [upload("till.jpg", photo, "image/jpeg")],
        **extra,
    }
    return client_for(world.a.worker).post("/api/incidents/", data, format="multipart")


def test_api_answers_409_with_the_earlier_incident(world, media_root, photo):
    assert api_send(world, photo).status_code == 201
    first = Incident.objects.get()
    response = api_send(world, photo)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "possible_duplicate"
    assert [i["reference"] for i in body["earlier_incidents"]] == [first.reference]
    assert body["fields"]["files"] == [f"till.jpg: the same file was sent with {first.reference}."]
    assert Incident.objects.count() == 1
    confirmed = api_send(world, photo, confirm_duplicate=True)
    assert confirmed.status_code == 201
    assert Incident.objects.count() == 2


def test_the_service_checks_only_when_asked(world, media_root, photo):
    from incidents.services import PossibleDuplicate, incident_create

    def report(**extra):
        files = [upload("till.jpg", photo, "image/jpeg")]
        return incident_create(
            reported_by=world.a.worker, store=world.a.store, occurred_at=timezone.now(), category="theft",
            ongoing=False, injured=False, weapon=False, description="Took lager.", files=files, **extra,
        )  # fmt: skip

    report()
    report()  # another caller (seed_demo, a re-import) that does not ask
    with pytest.raises(PossibleDuplicate) as refused:
        report(duplicates="ask")
    assert refused.value.status_code == 409 and len(refused.value.incidents) == 2
    assert Incident.objects.count() == 2 and not IncidentEvent.objects.filter(kind="duplicate_confirmed").exists()
