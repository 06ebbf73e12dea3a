"""Portal pages: police see processing state; force admins retry and change the threshold."""

import pytest

from recognition.models import EvidenceProcessing, EvidenceProcessingEvent, ForceThreshold, ThresholdChange
from tests.conftest import signed_in as _client
from tests.incidents.factories import IncidentFactory
from tests.recognition.factories import evidence_for

pytestmark = pytest.mark.django_db


def _failed(side, name="door.mp4"):
    incident = IncidentFactory(store=side.store, reported_by=side.worker)
    evidence = evidence_for(incident, b"broken" + name.encode(), name, kind="video")
    return EvidenceProcessing.objects.create_for(
        evidence, status="failed", reason_code="corrupt_video", reason="The video cannot be opened."
    )


def test_police_see_their_forces_files_and_shop_workers_do_not(world):
    _failed(world.a, "a-door.mp4"), _failed(world.b, "b-door.mp4")
    page = _client(world.a.officer).get("/recognition/")
    assert page.status_code == 200
    assert b"a-door.mp4" in page.content and b"b-door.mp4" not in page.content
    assert b"Retry" not in page.content  # officers do not retry
    refused = _client(world.a.worker).get("/recognition/")
    assert refused.status_code == 403 and b"Only police users see face matching." in refused.content


def test_admin_retries_from_the_page(world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("recognition.tasks.evidence_process_task.delay", lambda evidence_id: None)
    processing = _failed(world.a)
    client = _client(world.a.admin)
    assert b"Retry" in client.get("/recognition/").content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/recognition/{processing.evidence_id}/retry/")
    assert response.status_code == 302
    assert EvidenceProcessing.objects.get(pk=processing.pk).status == "queued"
    assert EvidenceProcessingEvent.objects.filter(processing=processing).count() == 1  # the retry


def test_retry_from_the_page_refused_writes_nothing(world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("recognition.tasks.evidence_process_task.delay", lambda evidence_id: sent.append(evidence_id))
    mine, other = _failed(world.a), _failed(world.b, "b-door.mp4")
    with django_capture_on_commit_callbacks(execute=True):
        assert _client(world.a.admin).post(f"/recognition/{other.evidence_id}/retry/").status_code == 404
        refused = _client(world.a.officer).post(f"/recognition/{mine.evidence_id}/retry/")
        assert refused.status_code == 403 and b"Only force admins may do this." in refused.content
        assert _client(world.a.admin).get(f"/recognition/{mine.evidence_id}/retry/").status_code == 405
    assert not EvidenceProcessingEvent.objects.exists() and sent == []
    assert set(EvidenceProcessing.objects.values_list("status", flat=True)) == {"failed"}


def test_threshold_page_shows_figures_and_changes_with_a_reason(world):
    client = _client(world.a.admin)
    page = client.get("/recognition/threshold/")
    assert page.status_code == 200 and b"master.csv" in page.content and b"0.07" in page.content
    assert client.post("/recognition/threshold/", {"threshold": "0.06", "reason": ""}).status_code == 200
    assert not ThresholdChange.objects.exists()
    response = client.post("/recognition/threshold/", {"threshold": "0.06", "reason": "Calibrated on our data"})
    assert response.status_code == 302
    assert ThresholdChange.objects.get().new_threshold == 0.06
    assert _client(world.a.officer).get("/recognition/threshold/").status_code == 403


def test_threshold_change_refused_to_officers_writes_nothing(world):
    refused = _client(world.a.officer).post("/recognition/threshold/", {"threshold": "0.06", "reason": "Stricter"})
    assert refused.status_code == 403 and b"Only force admins may do this." in refused.content
    assert not ThresholdChange.objects.exists() and not ForceThreshold.objects.exists()
