"""Recognition API: processing state (police only, own force), retry (force admins), matches,
threshold with its figures and audited changes."""

import pytest

from recognition.models import (
    EvidenceProcessing,
    EvidenceProcessingEvent,
    ForceThreshold,
    PossibleMatch,
    ThresholdChange,
)
from tests.conftest import client_for
from tests.incidents.factories import IncidentFactory
from tests.orders.factories import OffenderFactory
from tests.recognition.factories import evidence_for

pytestmark = pytest.mark.django_db


def _processing(side, status=EvidenceProcessing.Status.FAILED, **kwargs):
    incident = IncidentFactory(store=side.store, reported_by=side.worker)
    evidence = evidence_for(incident, b"not really a video", "x.mp4", kind="video")
    return EvidenceProcessing.objects.create_for(
        evidence, status=status, reason_code="corrupt_video", reason="The video cannot be opened.", **kwargs
    )


def test_police_see_their_forces_processing_and_nobody_else_does(world):
    mine, theirs = _processing(world.a), _processing(world.b)
    for user in (world.a.officer, world.a.admin):
        response = client_for(user).get("/api/recognition/processing/")
        assert response.status_code == 200
        assert [r["evidence"] for r in response.json()["results"]] == [mine.evidence_id]
        detail = client_for(user).get(f"/api/recognition/processing/{mine.evidence_id}/")
        assert detail.status_code == 200 and detail.json()["reason_code"] == "corrupt_video"
    assert client_for(world.a.officer).get(f"/api/recognition/processing/{theirs.evidence_id}/").status_code == 404
    assert client_for(world.a.worker).get("/api/recognition/processing/").status_code == 403
    assert client_for(world.a.worker).get(f"/api/recognition/processing/{mine.evidence_id}/").status_code == 403
    assert client_for(world.norole).get("/api/recognition/processing/").json()["code"] == "no_role"


def test_admin_retries_a_failed_file(world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("recognition.tasks.evidence_process_task.delay", lambda evidence_id: sent.append(evidence_id))
    processing = _processing(world.a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.a.admin).post(
            f"/api/recognition/processing/{processing.evidence_id}/retry/", {"reason": "codec fixed"}, format="json"
        )
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "queued" and response.json()["reason_code"] == ""
    assert sent == [processing.evidence_id]
    event = EvidenceProcessingEvent.objects.get(processing=processing)
    assert event.actor == world.a.admin and "codec fixed" in event.note


def test_retry_refused_unless_failed_and_for_officers_and_other_forces(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("recognition.tasks.evidence_process_task.delay", lambda evidence_id: sent.append(evidence_id))
    done = _processing(world.a, status=EvidenceProcessing.Status.DONE)
    failed_b, failed_a = _processing(world.b), _processing(world.a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.a.admin).post(f"/api/recognition/processing/{done.evidence_id}/retry/")
        assert response.status_code == 409 and response.json()["code"] == "conflict"
        other = client_for(world.a.admin).post(f"/api/recognition/processing/{failed_b.evidence_id}/retry/")
        assert other.status_code == 404
        officer = client_for(world.a.officer).post(f"/api/recognition/processing/{failed_a.evidence_id}/retry/")
        assert officer.status_code == 403 and officer.json()["message"] == "Only force admins may do this."
    assert not EvidenceProcessingEvent.objects.exists() and sent == []
    assert [p.status for p in EvidenceProcessing.objects.filter(pk__in=[failed_a.pk, failed_b.pk])] == ["failed"] * 2
    assert EvidenceProcessing.objects.get(pk=done.pk).status == EvidenceProcessing.Status.DONE


def test_matches_listed_for_police_of_the_force_only(world):
    processing = _processing(world.a, status=EvidenceProcessing.Status.DONE)
    PossibleMatch.objects.create(
        evidence=processing.evidence,
        offender=OffenderFactory(force=world.a.force),
        distance=0.04,
        similarity=0.96,
        threshold=0.07,
        face_box=[1, 2, 3, 4],
        model_name="Dlib",
        model_version="v",
    )
    assert client_for(world.a.officer).get("/api/recognition/matches/").json()["count"] == 1
    assert client_for(world.b.officer).get("/api/recognition/matches/").json()["count"] == 0
    assert client_for(world.a.worker).get("/api/recognition/matches/").status_code == 403


def test_threshold_with_figures_and_audited_change(world, settings):
    admin = client_for(world.a.admin)
    body = admin.get("/api/recognition/threshold/").json()
    assert body["threshold"] == settings.RECOGNITION_DEFAULT_THRESHOLD and body["is_default"]
    figures = {e["pairs_file"]: e for e in body["evaluations"]}
    assert figures["master.csv"]["accuracy"] >= 0.99 and figures["master.csv"]["false_match_rate"] <= 0.01
    assert figures["face-recognition-pivot.csv"]["accuracy"] >= 0.97
    assert figures["face-recognition-pivot.csv"]["false_match_rate"] <= 0.01

    response = admin.post(
        "/api/recognition/threshold/change/", {"threshold": 0.05, "reason": "Stricter"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["threshold"] == 0.05 and not body["is_default"]
    assert {e["threshold"] for e in body["evaluations"]} == {0.05}
    assert body["changes"][0]["reason"] == "Stricter" and body["changes"][0]["old_threshold"] == 0.07
    change = ThresholdChange.objects.get()
    assert (change.force, change.changed_by, change.new_threshold) == (world.a.force, world.a.admin, 0.05)
    # Force B is unaffected.
    assert client_for(world.b.admin).get("/api/recognition/threshold/").json()["threshold"] == 0.07


@pytest.mark.parametrize(
    "payload",
    [{"threshold": 0.05}, {"threshold": 0.05, "reason": "  "}, {"threshold": 0.9, "reason": "x"}, {"reason": "x"}],
)
def test_threshold_change_needs_a_reason_and_a_sane_value(world, payload):
    response = client_for(world.a.admin).post("/api/recognition/threshold/change/", payload, format="json")
    assert response.status_code == 400 and response.json()["fields"]
    assert not ThresholdChange.objects.exists() and not ForceThreshold.objects.exists()


def test_threshold_is_for_force_admins(world):
    assert client_for(world.a.officer).get("/api/recognition/threshold/").status_code == 403
    response = client_for(world.a.officer).post(
        "/api/recognition/threshold/change/", {"threshold": 0.05, "reason": "x"}, format="json"
    )
    assert response.status_code == 403 and response.json()["message"] == "Only force admins may do this."
    assert not ThresholdChange.objects.exists() and not ForceThreshold.objects.exists()
