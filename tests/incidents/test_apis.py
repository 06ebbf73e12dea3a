"""The incidents API: create, list, detail, evidence; every bad input; nothing partial left."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import TestCase
from django.utils import timezone

from incidents.models import Evidence, Incident, IncidentEvent
from tests.conftest import client_for, signed_in
from tests.incidents.conftest import (
    bomb_png,
    broken_mp4,
    frameless_mkv,
    image_bytes,
    nothing_written,
    pdf_bytes,
    stored_files,
    truncated_jpeg,
    upload,
)

pytestmark = pytest.mark.django_db


def payload(store, **overrides) -> dict:
    data = {
        "store": store.pk,
        "occurred_at": (timezone.now() - timedelta(minutes=10)).isoformat(),
        "category": "theft",
        "ongoing": False,
        "injured": False,
        "weapon": False,
        "description": "Took six bottles of gin and ran.",
        "goods_value": "120.00",
        "offender_description": "Tall, green jacket.",
    }
    data.update(overrides)
    return data


def create(user, store, **overrides):
    return client_for(user).post("/api/incidents/", payload(store, **overrides), format="json")


def test_worker_reports_an_incident(world, media_root):
    response = create(world.a.worker, world.a.store, category="physical_assault", ongoing=True)
    assert response.status_code == 201, response.json()
    body = response.json()
    incident = Incident.objects.get()
    assert body["reference"] == incident.reference == f"INC-{timezone.localdate().year}-{incident.pk:06d}"
    assert (body["priority"], body["response_target_minutes"]) == ("P1", 15)
    assert body["priority_reason"] == "Still happening with violence."
    assert body["status"] == "received"
    assert body["store"]["id"] == world.a.store.pk
    assert incident.reported_by == world.a.worker
    event = IncidentEvent.objects.get()
    assert (event.kind, event.actor, event.details) == ("created", world.a.worker, {"priority": "P1"})


def test_create_with_files_in_one_multipart_request(
    world, media_root, jpeg, enqueued, django_capture_on_commit_callbacks
):
    data = payload(world.a.store, files=[upload("a.jpg", jpeg, "image/jpeg"), upload("b.png", image_bytes("PNG"))])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.a.worker).post("/api/incidents/", data, format="multipart")
    assert response.status_code == 201, response.json()
    incident = Incident.objects.get()
    assert incident.evidence.count() == 2
    assert sorted(enqueued) == sorted(incident.evidence.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "shouting"}, "category"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"goods_value": "-1"}, "goods_value"),
        ({"description": ""}, "description"),
        ({"ongoing": "perhaps"}, "ongoing"),
    ],
)
def test_bad_fields(world, overrides, field):
    with nothing_written():
        response = create(world.a.worker, world.a.store, **overrides)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_not_in_the_future(world):
    with nothing_written():
        response = create(world.a.worker, world.a.store, occurred_at=(timezone.now() + timedelta(hours=1)).isoformat())
    assert response.status_code == 400
    assert response.json() == {
        "message": "When it happened cannot be in the future.",
        "code": "occurred_in_future",
        "fields": {"occurred_at": ["When it happened cannot be in the future."]},
    }
    assert not Incident.objects.exists()


def test_not_in_1900(world):
    with nothing_written():
        response = create(world.a.worker, world.a.store, occurred_at="1900-01-01T10:00:00Z")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "occurred_too_long_ago"
    assert body["message"].startswith("When it happened cannot be more than 5 years ago (before ")
    assert body["fields"] == {"occurred_at": [body["message"]]}


@pytest.mark.parametrize("store_attr", ["sibling_store", "other_retailer_store"])
def test_worker_cannot_report_for_another_store(world, store_attr):
    with nothing_written():
        response = create(world.a.worker, getattr(world.a, store_attr))
        assert response.status_code == 400
        assert response.json()["fields"] == {"store": ["Choose one of your stores."]}
        assert create(world.a.worker, world.b.store).status_code == 400


@pytest.mark.parametrize("who", ["officer", "admin"])
def test_police_do_not_report(world, who):
    with nothing_written():
        response = create(getattr(world.a, who), world.a.store)
    assert (response.status_code, response.json()["message"]) == (403, "Only shop workers may do this.")


def test_user_without_role(world):
    with nothing_written():
        response = create(world.norole, world.a.store)
    assert (response.status_code, response.json()["code"]) == (403, "no_role")
    assert client_for(world.norole).get("/api/incidents/").status_code == 403


def test_anonymous(world):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/incidents/").status_code == 401


def test_submission_key_makes_a_retry_safe(world):
    key = "6f1c1f5e-2d4b-4c8e-9a57-0d6a4f3e2b10"
    first = create(world.a.worker, world.a.store, submission_key=key)
    second = create(world.a.worker, world.a.store, submission_key=key)
    assert first.json()["id"] == second.json()["id"]
    assert Incident.objects.count() == 1


# --- scope ---------------------------------------------------------------------------------


@pytest.fixture
def incidents(world, media_root):
    """One incident in each of four stores: A's store, A's sibling store, B's store."""
    from incidents.services import incident_create

    def make(worker, store):
        worker.stores.add(store)
        return incident_create(
            reported_by=worker,
            store=store,
            occurred_at=timezone.now(),
            category="theft",
            ongoing=False,
            injured=False,
            weapon=False,
            description="x",
        )

    return {
        "a": make(world.a.worker, world.a.store),
        "a_sibling": make(world.a.officer.__class__.objects.create(
            username="sib", role="shop_worker", force=world.a.force), world.a.sibling_store),
        "b": make(world.b.worker, world.b.store),
    }  # fmt: skip


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_list_is_scoped(world, incidents):
    assert ids(client_for(world.a.worker).get("/api/incidents/")) == {incidents["a"].pk}
    force_a = {incidents["a"].pk, incidents["a_sibling"].pk}
    assert ids(client_for(world.a.officer).get("/api/incidents/")) == force_a
    assert ids(client_for(world.a.admin).get("/api/incidents/")) == force_a
    assert ids(client_for(world.b.officer).get("/api/incidents/")) == {incidents["b"].pk}


def test_list_filters_and_pagination(world, incidents):
    client = client_for(world.a.officer)
    assert ids(client.get(f"/api/incidents/?store={world.a.sibling_store.pk}")) == {incidents["a_sibling"].pk}
    assert ids(client.get("/api/incidents/?category=physical_assault")) == set()
    assert ids(client.get("/api/incidents/?status=received&priority=P3")) == {
        incidents["a"].pk,
        incidents["a_sibling"].pk,
    }
    page = client.get("/api/incidents/?page_size=1").json()
    assert (page["count"], len(page["results"])) == (2, 1)
    assert client.get("/api/incidents/?status=lost").status_code == 400


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"status": "lost"}, "status", '"lost" is not a valid choice.'),
        ({"category": "shouting"}, "category", '"shouting" is not a valid choice.'),
        ({"priority": "P9"}, "priority", '"P9" is not a valid choice.'),
        ({"occurred_after": "yesterday"}, "occurred_after", "Datetime has wrong format."),
        ({"store": "abc"}, "store", "Give an id: a whole number."),
        ({"store": str(2**63)}, "store", "Ensure this value is less than or equal to 9223372036854775807."),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(world, incidents, query, field, message):
    response = client_for(world.a.officer).get("/api/incidents/", query)
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert list(response.json()["fields"]) == [field]
    assert response.json()["fields"][field][0].startswith(message)


def test_the_api_list_and_the_page_filter_by_one_rule(world, incidents, monkeypatch):
    from incidents import selectors

    calls = []
    real = selectors.incidents_filter

    def spy(qs, **filters):
        calls.append(filters)
        return real(qs, **filters)

    monkeypatch.setattr(selectors, "incidents_filter", spy)
    client_for(world.a.officer).get("/api/incidents/", {"status": "received", "category": "theft"})
    signed_in(world.a.officer).get("/incidents/", {"status": "received", "category": "theft"})
    assert calls == [{"status": "received", "category": "theft"}] * 2


@pytest.mark.parametrize(
    ("who", "key", "expected"),
    [
        ("worker", "a", 200),
        ("worker", "a_sibling", 404),
        ("worker", "b", 404),
        ("officer", "a", 200),
        ("officer", "a_sibling", 200),
        ("officer", "b", 404),
        ("admin", "a_sibling", 200),
        ("admin", "b", 404),
    ],
)
def test_detail_and_evidence_list_scope(world, incidents, who, key, expected):
    client = client_for(getattr(world.a, who))
    pk = incidents[key].pk
    assert client.get(f"/api/incidents/{pk}/").status_code == expected
    assert client.get(f"/api/incidents/{pk}/evidence/").status_code == expected


def test_missing_incident_is_404(world, incidents):
    assert client_for(world.a.officer).get("/api/incidents/999999/").status_code == 404


def test_police_views_are_audited_staff_views_are_not(world, incidents):
    incident = incidents["a"]
    client_for(world.a.worker).get(f"/api/incidents/{incident.pk}/")
    assert not IncidentEvent.objects.filter(kind="viewed").exists()
    client_for(world.a.officer).get(f"/api/incidents/{incident.pk}/")
    client_for(world.a.admin).get(f"/api/incidents/{incident.pk}/evidence/")
    views = list(IncidentEvent.objects.filter(kind="viewed").values_list("actor__username", "details"))
    assert views == [("A-officer", {"what": "incident"}), ("A-admin", {"what": "evidence"})]
    client_for(world.b.officer).get(f"/api/incidents/{incident.pk}/")  # out of scope: 404, nothing recorded
    assert IncidentEvent.objects.filter(kind="viewed").count() == 2


# --- evidence ------------------------------------------------------------------------------


def post_files(user, incident, *files):
    return client_for(user).post(f"/api/incidents/{incident.pk}/evidence/", {"files": list(files)}, format="multipart")


def test_add_evidence(world, incidents, jpeg, mp4, enqueued, django_capture_on_commit_callbacks):
    import hashlib

    incident = incidents["a"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_files(world.a.worker, incident, upload("till.jpg", jpeg, "image/jpeg"), upload("cctv.mp4", mp4))
    assert response.status_code == 201, response.json()
    rows = response.json()
    assert [(r["original_name"], r["kind"], r["content_type"]) for r in rows] == [
        ("till.jpg", "image", "image/jpeg"),
        ("cctv.mp4", "video", "video/mp4"),
    ]
    image = Evidence.objects.get(original_name="till.jpg")
    assert image.sha256 == hashlib.sha256(jpeg).hexdigest() == rows[0]["sha256"]
    assert image.size == len(jpeg)
    assert image.uploaded_by == world.a.worker
    with image.file.open("rb") as f:
        assert f.read() == jpeg
    assert oct(Path(image.file.path).stat().st_mode & 0o777) == "0o440"  # master copy: read-only
    assert image.file.name.startswith("evidence/") and image.file.name.endswith(".jpg")
    assert len(callbacks) == 2
    assert enqueued == [rows[0]["id"], rows[1]["id"]]
    events = IncidentEvent.objects.filter(incident=incident, kind="evidence_added")
    assert [e.details["name"] for e in events] == ["till.jpg", "cctv.mp4"]
    listed = client_for(world.a.officer).get(f"/api/incidents/{incident.pk}/evidence/").json()
    assert [r["id"] for r in listed["results"]] == [rows[0]["id"], rows[1]["id"]]


def test_enqueue_waits_for_commit(world, incidents, jpeg, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert post_files(world.a.worker, incidents["a"], upload("a.jpg", jpeg)).status_code == 201
    assert enqueued == []  # not inside the transaction
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    ("who", "key", "expected"),
    [("worker", "a_sibling", 404), ("worker", "b", 404), ("officer", "a", 403), ("admin", "a", 403)],
)
def test_evidence_upload_scope(world, incidents, jpeg, media_root, who, key, expected):
    with nothing_written(media_root):
        response = post_files(getattr(world.a, who), incidents[key], upload("a.jpg", jpeg))
    assert response.status_code == expected
    assert not Evidence.objects.exists()


def bad_files(tmp_path):
    return [
        ("unknown type", [upload("report.pdf", pdf_bytes(), "application/pdf")], "unsupported_type"),
        ("claimed type differs", [upload("photo.jpg", image_bytes("PNG"), "image/jpeg")], "type_mismatch"),
        ("zero bytes", [upload("empty.jpg", b"", "image/jpeg")], "empty_file"),
        ("undecodable image", [upload("cut.jpg", truncated_jpeg(), "image/jpeg")], "unreadable_image"),
        ("decompression bomb", [upload("bomb.png", bomb_png(), "image/png")], "image_too_many_pixels"),
        ("video OpenCV cannot open", [upload("broken.mp4", broken_mp4(tmp_path), "video/mp4")], "video_unreadable"),
        ("video without a frame", [upload("stub.mkv", frameless_mkv(tmp_path))], "video_no_frame"),
        (
            "good file then a bad one",
            [upload("ok.jpg", image_bytes("JPEG"), "image/jpeg"), upload("x.pdf", pdf_bytes())],
            "unsupported_type",
        ),
        (
            "the same file twice in one upload",
            [upload("a.jpg", image_bytes("JPEG"), "image/jpeg"), upload("b.jpg", image_bytes("JPEG"), "image/jpeg")],
            "duplicate_file",
        ),
    ]


@pytest.mark.parametrize("case", range(9))
def test_bad_evidence_is_refused_and_leaves_nothing(world, incidents, media_root, tmp_path, case):
    what, files, code = bad_files(tmp_path)[case]
    before = stored_files(media_root)
    with nothing_written(media_root):
        response = post_files(world.a.worker, incidents["a"], *files)
    assert response.status_code == 400, what
    body = response.json()
    assert body["code"] == code, (what, body)
    assert body["fields"]["files"] == [body["message"]]
    assert not Evidence.objects.exists()
    assert not IncidentEvent.objects.filter(kind="evidence_added").exists()
    assert stored_files(media_root) == before


@pytest.mark.parametrize("case", range(9))
def test_bad_files_with_a_new_incident_leave_no_incident(world, media_root, tmp_path, case):
    what, files, code = bad_files(tmp_path)[case]
    data = payload(world.a.store, files=files)
    with nothing_written(media_root):
        response = client_for(world.a.worker).post("/api/incidents/", data, format="multipart")
    assert (response.status_code, response.json()["code"]) == (400, code), what
    assert not Incident.objects.exists()
    assert not IncidentEvent.objects.exists()
    assert stored_files(media_root) == []


def test_size_limits_through_the_api(world, incidents, media_root, settings, jpeg, mp4):
    settings.INCIDENT_IMAGE_MAX_BYTES = len(jpeg) - 1
    settings.INCIDENT_VIDEO_MAX_BYTES = len(mp4) - 1
    for f in (upload("big.jpg", jpeg, "image/jpeg"), upload("big.mp4", mp4, "video/mp4")):
        with nothing_written(media_root):
            response = post_files(world.a.worker, incidents["a"], f)
        assert (response.status_code, response.json()["code"]) == (400, "file_too_large")
    assert not Evidence.objects.exists()
    assert stored_files(media_root) == []


def test_duplicate_of_a_file_already_attached(world, incidents, media_root, jpeg):
    assert post_files(world.a.worker, incidents["a"], upload("door.jpg", jpeg, "image/jpeg")).status_code == 201
    files_before = stored_files(media_root)
    with nothing_written(media_root):
        response = post_files(world.a.worker, incidents["a"], upload("again.jpg", jpeg, "image/jpeg"))
    assert response.status_code == 400
    assert response.json()["message"] == (
        "again.jpg: this is the same file as door.jpg, already attached to this incident."
    )
    assert Evidence.objects.count() == 1
    assert stored_files(media_root) == files_before
    # the same file may be evidence of a different incident
    other = incidents["a"].__class__.objects.create(
        store=world.a.store, reported_by=world.a.worker, occurred_at=timezone.now(), category="theft",
        ongoing=False, injured=False, weapon=False, description="y", priority="P3", priority_reason="r",
        response_target_minutes=1, reference="INC-2026-777777",
    )  # fmt: skip
    assert post_files(world.a.worker, other, upload("door.jpg", jpeg, "image/jpeg")).status_code == 201


def test_no_files(world, incidents, media_root):
    with nothing_written(media_root):
        response = client_for(world.a.worker).post(
            f"/api/incidents/{incidents['a'].pk}/evidence/", {}, format="multipart"
        )
    assert response.status_code == 400
    assert "files" in response.json()["fields"]


def test_too_many_files(world, incidents, settings, media_root):
    settings.INCIDENT_MAX_FILES_PER_UPLOAD = 2
    files = [upload(f"{i}.jpg", image_bytes("JPEG", color=(i, 0, 0)), "image/jpeg") for i in range(3)]
    with nothing_written(media_root):
        response = post_files(world.a.worker, incidents["a"], *files)
    assert (response.status_code, response.json()["code"]) == (400, "too_many_files")
    assert stored_files(media_root) == []


def test_storage_failure_midway_removes_files_already_stored(world, incidents, media_root, monkeypatch):
    from incidents import services

    real = services._evidence_row
    calls = []

    def fail_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "_evidence_row", fail_second)
    files = [upload("1.jpg", image_bytes("JPEG"), "image/jpeg"), upload("2.png", image_bytes("PNG"), "image/png")]
    with nothing_written(media_root), pytest.raises(OSError):
        services.evidence_add(incident=incidents["a"], files=files, uploaded_by=world.a.worker)
    assert not Evidence.objects.exists()
    assert stored_files(media_root) == []


def test_list_filters_by_time(world, media_root):
    from tests.incidents.factories import IncidentFactory

    now = timezone.now()
    old = IncidentFactory(store=world.a.store, occurred_at=now - timedelta(days=3))
    new = IncidentFactory(store=world.a.store, occurred_at=now - timedelta(hours=1))
    client = client_for(world.a.officer)
    since = (now - timedelta(days=1)).isoformat()
    assert ids(client.get("/api/incidents/", {"occurred_after": since})) == {new.pk}
    assert ids(client.get("/api/incidents/", {"occurred_before": since})) == {old.pk}
    assert [r["id"] for r in client.get("/api/incidents/").json()["results"]] == [new.pk, old.pk]  # newest first


def test_a_broker_outage_does_not_fail_the_upload(world, incidents, jpeg, monkeypatch, caplog):
    def down(task_name, *args):
        raise ConnectionError("broker unavailable")

    monkeypatch.setattr("recognition.queue.send", down)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = post_files(world.a.worker, incidents["a"], upload("a.jpg", jpeg, "image/jpeg"))
    assert response.status_code == 201
    assert Evidence.objects.count() == 1
    assert "broker unavailable" in caplog.text
