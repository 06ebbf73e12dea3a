"""Admin screens: scoped to the force admin's force; failed files retried from the list."""

import pytest

from recognition.models import EvidenceProcessing, EvidenceProcessingEvent
from tests.conftest import signed_in as _client
from tests.incidents.factories import IncidentFactory
from tests.recognition.factories import evidence_for

pytestmark = pytest.mark.django_db


def _failed(side):
    incident = IncidentFactory(store=side.store, reported_by=side.worker)
    evidence = evidence_for(incident, b"broken", f"{side.store.code}.mp4", kind="video")
    return EvidenceProcessing.objects.create_for(evidence, status="failed", reason_code="corrupt_video")


def test_admin_sees_only_their_forces_processing(world):
    mine, theirs = _failed(world.a), _failed(world.b)
    page = _client(world.a.admin).get("/admin/recognition/evidenceprocessing/")
    assert page.status_code == 200
    ids = [p.pk for p in page.context["cl"].result_list]
    assert ids == [mine.pk] and theirs.pk not in ids
    assert _client(world.a.admin).get(f"/admin/recognition/evidenceprocessing/{theirs.pk}/change/").status_code in (
        302,
        404,
    )


def test_retry_action_requeues_failed_files(world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("recognition.tasks.evidence_process_task.delay", lambda evidence_id: sent.append(evidence_id))
    mine = _failed(world.a)
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(world.a.admin).post(
            "/admin/recognition/evidenceprocessing/",
            {"action": "retry_failed", "_selected_action": [mine.pk]},
        )
    assert response.status_code == 302
    assert EvidenceProcessing.objects.get(pk=mine.pk).status == "queued" and sent == [mine.evidence_id]
    assert EvidenceProcessingEvent.objects.get(processing=mine).actor == world.a.admin


def test_retry_action_refused_outside_the_force_writes_nothing(world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("recognition.tasks.evidence_process_task.delay", lambda evidence_id: sent.append(evidence_id))
    theirs = _failed(world.b)
    action = {"action": "retry_failed", "_selected_action": [theirs.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        _client(world.a.admin).post("/admin/recognition/evidenceprocessing/", action)  # not in their list
        officer = _client(world.a.officer).post("/admin/recognition/evidenceprocessing/", action)
    assert officer.status_code in (302, 403)  # the admin's login page, or refused
    assert EvidenceProcessing.objects.get(pk=theirs.pk).status == "failed" and sent == []
    assert not EvidenceProcessingEvent.objects.exists()


def test_templates_admin_never_shows_embeddings(world):
    page = _client(world.a.admin).get("/admin/recognition/facetemplate/")
    assert page.status_code == 200
    assert b"embedding" not in page.content.lower()
