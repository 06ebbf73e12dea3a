"""The safety net for lost messages and killed workers."""

import datetime

import pytest
from django.utils import timezone

from recognition.models import EvidenceProcessing
from recognition.processing import evidence_requeue_stale
from tests.incidents.factories import IncidentFactory
from tests.recognition.factories import evidence_for

pytestmark = pytest.mark.django_db


def _processing(world, name, status, age_s, attempts=0):
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    evidence = evidence_for(incident, name.encode(), name, kind="video")
    p = EvidenceProcessing.objects.create(evidence=evidence, status=status, attempts=attempts)
    EvidenceProcessing.objects.filter(pk=p.pk).update(updated_at=timezone.now() - datetime.timedelta(seconds=age_s))
    return p


def test_stale_files_are_re_sent_and_hopeless_ones_failed(world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("recognition.tasks.evidence_process_task.delay", lambda evidence_id: sent.append(evidence_id))
    hour = 3600
    lost = _processing(world, "lost.mp4", "queued", 7 * hour)
    fresh = _processing(world, "fresh.mp4", "queued", 60)
    killed = _processing(world, "killed.mp4", "running", 2 * hour, attempts=1)
    hopeless = _processing(world, "hopeless.mp4", "running", 2 * hour, attempts=3)
    busy = _processing(world, "busy.mp4", "running", 60, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert evidence_requeue_stale() == {"requeued": 2, "failed": 1}
    assert sorted(sent) == sorted([lost.evidence_id, killed.evidence_id])
    hopeless.refresh_from_db()
    assert (hopeless.status, hopeless.reason_code) == ("failed", "worker_lost")
    for p in (fresh, busy):
        assert p.evidence_id not in sent
    assert evidence_requeue_stale() == {"requeued": 0, "failed": 0}  # not re-sent again at once


def _research_job(world, status, age_s):
    from recognition.models import ResearchJob

    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    job = ResearchJob.objects.create(
        force=world.a.force,
        incident=incident,
        trigger=ResearchJob.Trigger.ADMIN,
        reason="Re-search asked",
        status=status,
    )
    ResearchJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - datetime.timedelta(seconds=age_s))
    return job


def test_a_research_job_whose_message_was_lost_is_sent_again_and_runs(world, django_capture_on_commit_callbacks):
    from recognition.research import research_requeue_stale

    lost = _research_job(world, "queued", 7 * 3600)
    fresh = _research_job(world, "queued", 60)
    killed = _research_job(world, "running", 2 * 3600)
    with django_capture_on_commit_callbacks(execute=True):  # the test settings run tasks at once
        assert research_requeue_stale() == 2
    for job in (lost, fresh, killed):
        job.refresh_from_db()
    assert (lost.status, killed.status, fresh.status) == ("done", "done", "queued")  # no files: done at once
    assert lost.attempts == 1 and killed.attempts == 1
    assert research_requeue_stale() == 0


def test_an_exhibit_whose_send_failed_is_queued_and_picked_up_by_the_safety_net(
    world, media_root, monkeypatch, django_capture_on_commit_callbacks, face_engine
):
    """The queued record is written in the upload's transaction, so a send lost to a broker outage
    leaves the exhibit queued (not forgotten), and the sweep sends it once the broker is back."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from recognition import queue
    from tests.conftest import client_for
    from tests.recognition.factories import face_bytes
    from workflows.evidence import requeue_stale

    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    real_send = queue.send

    def broker_down(task_name, *args):
        raise ConnectionError("broker unavailable")

    monkeypatch.setattr(queue, "send", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        upload = SimpleUploadedFile("till.jpg", face_bytes("img2.jpg"), content_type="image/jpeg")
        response = client_for(world.a.worker).post(
            f"/api/incidents/{incident.pk}/evidence/", {"files": [upload]}, format="multipart"
        )
    assert response.status_code == 201, response.content
    processing = EvidenceProcessing.objects.get(evidence_id=response.json()[0]["id"])
    assert (processing.status, processing.attempts) == ("queued", 0)  # stored, queued, never run

    monkeypatch.setattr(queue, "send", real_send)  # the broker is back
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale()["requeued"] == 0  # too soon: a send may still be on its way
    EvidenceProcessing.objects.filter(pk=processing.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=7))
    with django_capture_on_commit_callbacks(execute=True):  # the test settings run the task at once
        assert requeue_stale()["requeued"] == 1
    processing.refresh_from_db()
    assert (processing.status, processing.attempts) == ("done", 1)
