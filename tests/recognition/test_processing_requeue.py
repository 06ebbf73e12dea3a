"""The sweep, sends and heartbeats, in process: a file whose send failed is
"waiting for the task queue" and sent by the sweep within its grace (not the six-hourly safety net); a
running file whose worker stopped beating is queued and sent again, exactly once, or failed after the
attempts limit; a send after a failure does not wait on the broker again. The same behaviour against a
real Redis and real worker processes is in ``test_faults_broker.py`` and ``test_faults_worker.py``."""

import datetime
import os
import socket
import time

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from recognition import queue
from recognition.models import EvidenceProcessing, EvidenceProcessingEvent
from recognition.processing import evidence_requeue_stale
from tests.conftest import client_for, signed_in
from tests.incidents.factories import IncidentFactory
from tests.recognition.factories import evidence_for

pytestmark = pytest.mark.django_db
Status = EvidenceProcessing.Status


def _ago(seconds: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def _processing(world, name, status, age_s, attempts=0, **fields):
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    evidence = evidence_for(incident, name.encode(), name, kind="video")
    p = EvidenceProcessing.objects.create_for(evidence, status=status, attempts=attempts)
    EvidenceProcessing.objects.filter(pk=p.pk).update(updated_at=_ago(age_s), **fields)
    return p


@pytest.fixture
def sent(monkeypatch):
    """The evidence ids whose task was sent (the broker takes everything)."""
    ids: list[int] = []
    monkeypatch.setattr("recognition.tasks.evidence_process_task.delay", lambda evidence_id: ids.append(evidence_id))
    return ids


@pytest.fixture
def broker_down(monkeypatch):
    """A broker that refuses every send (as kombu does when Redis is down); the pause it sets is
    cleared afterwards so that it never leaks into another test."""
    tries: list[tuple] = []

    def refuse(task_name, *args):
        tries.append(args)
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(queue, "send", refuse)
    yield tries
    queue._paused_until = 0.0


def test_the_sweep_sends_unsent_and_lost_files_and_requeues_dead_runs_once(world, sent, settings):
    settings.RECOGNITION_SEND_GRACE_S, settings.RECOGNITION_HEARTBEAT_STALE_S = 30, 120
    unsent = _processing(world, "unsent.mp4", "queued", 45)  # its send failed 45 s ago
    young = _processing(world, "young.mp4", "queued", 5)  # its send on commit may still be on its way
    waiting = _processing(world, "waiting.mp4", "queued", 600, sent_at=_ago(600))  # sent, waits its turn
    lost = _processing(world, "lost.mp4", "queued", 7 * 3600, sent_at=_ago(7 * 3600))
    killed = _processing(world, "killed.mp4", "running", 150, 1, sent_at=_ago(900), heartbeat_at=_ago(150))
    hopeless = _processing(world, "hopeless.mp4", "running", 150, 3, heartbeat_at=_ago(150))
    busy = _processing(world, "busy.mp4", "running", 600, 1, sent_at=_ago(900), heartbeat_at=_ago(20))
    legacy = _processing(world, "legacy.mp4", "running", 2 * 3600, 1)  # claimed before heartbeats existed
    soon = timezone.now() + datetime.timedelta(seconds=60)
    later = _processing(world, "later.mp4", "queued", 90, next_attempt_at=soon)  # no space: backing off

    assert evidence_requeue_stale() == {"requeued": 4, "failed": 1}

    assert sorted(sent) == sorted(p.evidence_id for p in (unsent, lost, killed, legacy))
    for p in (unsent, lost, killed, legacy):
        p.refresh_from_db()
        assert p.status == Status.QUEUED and p.sent_at > _ago(5) and not p.waiting_for_task_queue
        assert p.worker == "" and p.heartbeat_at is None
    hopeless.refresh_from_db()
    assert (hopeless.status, hopeless.reason_code) == ("failed", "worker_lost")
    for p in (young, waiting, busy, later):
        assert p.evidence_id not in sent
        assert EvidenceProcessing.objects.get(pk=p.pk).status == p.status
    assert evidence_requeue_stale() == {"requeued": 0, "failed": 0}  # each sent once, not at every sweep
    assert len(sent) == 4
    resent = EvidenceProcessingEvent.objects.filter(kind="resent").values_list("processing_id", flat=True)
    assert sorted(resent) == sorted(p.pk for p in (unsent, lost, killed, legacy))


def test_the_sweep_stops_at_the_first_send_the_broker_refuses_and_records_nothing(world, settings, broker_down):
    settings.RECOGNITION_SEND_GRACE_S = 30
    files = [_processing(world, f"f{i}.mp4", "queued", 45) for i in range(3)]
    assert evidence_requeue_stale() == {"requeued": 0, "failed": 0, "unsent": 3}
    assert len(broker_down) == 1  # one try, not one timeout per file
    assert all(EvidenceProcessing.objects.get(pk=p.pk).waiting_for_task_queue for p in files)
    assert not EvidenceProcessingEvent.objects.filter(kind="resent").exists()


def test_an_upload_whose_send_failed_waits_for_the_task_queue_and_the_sweep_sends_it_within_a_minute(
    world, media_root, settings, monkeypatch, django_capture_on_commit_callbacks, face_engine
):
    """Point 1: the file is kept and queued, says "waiting for the task queue" (API and page), and the
    sweep sends it once the broker is back and the grace has passed: not after six hours."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.recognition.factories import face_bytes
    from workflows.evidence import requeue_stale

    settings.RECOGNITION_SEND_GRACE_S = 30
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    real_send = queue.send
    monkeypatch.setattr(queue, "send", lambda task_name, *args: (_ for _ in ()).throw(ConnectionError("down")))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            upload = SimpleUploadedFile("till.jpg", face_bytes("img2.jpg"), content_type="image/jpeg")
            response = client_for(world.a.worker).post(
                f"/api/incidents/{incident.pk}/evidence/", {"files": [upload]}, format="multipart"
            )
    finally:
        queue._paused_until = 0.0
    assert response.status_code == 201, response.content
    evidence_id = response.json()[0]["id"]
    processing = EvidenceProcessing.objects.get(evidence_id=evidence_id)
    assert (processing.status, processing.attempts, processing.sent_at) == ("queued", 0, None)

    body = client_for(world.a.officer).get(f"/api/recognition/processing/{evidence_id}/").json()
    assert (body["status"], body["waiting_for_task_queue"], body["sent_at"]) == ("queued", True, None)
    page = strip_tags(signed_in(world.a.officer).get("/recognition/").content.decode())
    assert "Queued: waiting for the task queue" in page and "1 file waiting for the task queue" in page

    monkeypatch.setattr(queue, "send", real_send)  # the broker is back
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale()["requeued"] == 0  # too soon: a send on commit may still be on its way
    EvidenceProcessing.objects.filter(pk=processing.pk).update(updated_at=_ago(31))
    with django_capture_on_commit_callbacks(execute=True):  # the test settings run the task at once
        assert requeue_stale()["requeued"] == 1
    processing.refresh_from_db()
    assert (processing.status, processing.attempts) == ("done", 1)
    assert processing.sent_at is not None and not processing.waiting_for_task_queue
    body = client_for(world.a.officer).get(f"/api/recognition/processing/{evidence_id}/").json()
    assert body["waiting_for_task_queue"] is False
    assert "waiting for the task queue" not in signed_in(world.a.officer).get("/recognition/").content.decode()


def test_a_successful_send_is_recorded(world, sent, django_capture_on_commit_callbacks):
    from recognition.processing import evidence_processing_queue, evidence_processing_send

    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    evidence = evidence_for(incident, b"x", "till.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        evidence_processing_queue(evidence_id=evidence.pk)
        evidence_processing_send(evidence_id=evidence.pk)
    processing = EvidenceProcessing.objects.get(evidence=evidence)
    assert sent == [evidence.pk] and processing.sent_at is not None and not processing.waiting_for_task_queue


def test_after_a_failed_send_the_next_ones_do_not_wait_on_the_broker_but_the_sweep_tries(monkeypatch, broker_down):
    """Point 2: a hung broker costs one send the socket timeout, then sends are paused (the files wait
    for the sweep), so gunicorn's threads are not all held by the broker."""
    from celery import current_app

    monkeypatch.setitem(current_app.conf, "task_always_eager", False)  # as in the web process
    assert queue.try_send(queue.EVIDENCE_PROCESS, 1) is False
    assert queue.try_send(queue.EVIDENCE_PROCESS, 2) is False
    assert broker_down == [(1,)]  # the second one did not try
    assert queue.try_send(queue.EVIDENCE_PROCESS, 3, wait_out_pause=True) is False
    assert broker_down == [(1,), (3,)]


def test_the_claim_names_the_worker_and_a_duplicate_message_does_not_run_the_file_twice(world, settings):
    from recognition.processing import _claim, worker_name

    p = _processing(world, "till.mp4", "queued", 10)
    me = worker_name()
    assert me == f"{socket.gethostname()}:{os.getpid()}"
    claimed = _claim(p.evidence_id, "elsewhere:1234")
    assert (claimed.status, claimed.worker, claimed.attempts) == ("running", "elsewhere:1234", 1)
    assert claimed.heartbeat_at > _ago(5)
    assert _claim(p.evidence_id, me) is None  # another worker holds it and beat just now
    EvidenceProcessing.objects.filter(pk=p.pk).update(heartbeat_at=_ago(settings.RECOGNITION_HEARTBEAT_STALE_S + 1))
    assert _claim(p.evidence_id, me).worker == me  # its worker stopped beating: taken over
    assert EvidenceProcessing.objects.get(pk=p.pk).attempts == 2


def test_a_claim_by_a_dead_process_of_this_host_is_taken_over_at_once(world):
    import subprocess

    from recognition.processing import _claim, worker_name

    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid of this host with no process behind it
    p = _processing(world, "till.mp4", "queued", 10)
    _claim(p.evidence_id, f"{socket.gethostname()}:{gone.pid}")
    assert _claim(p.evidence_id, worker_name()) is not None


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_refreshes_the_claim_while_it_is_held(world, settings):
    from recognition.processing import _Heartbeat

    settings.RECOGNITION_HEARTBEAT_S = 0.1
    p = _processing(world, "till.mp4", "running", 600, 1, worker="w:1", heartbeat_at=_ago(600))
    with _Heartbeat(p.pk, "w:1"):
        time.sleep(0.6)
    p.refresh_from_db()
    assert p.heartbeat_at > _ago(2)
    EvidenceProcessing.objects.filter(pk=p.pk).update(worker="w:2", heartbeat_at=_ago(600))
    assert _Heartbeat(p.pk, "w:1").beat() is False  # the claim passed to another worker: no beat
    assert EvidenceProcessing.objects.get(pk=p.pk).heartbeat_at < _ago(500)


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
    ResearchJob.objects.filter(pk=job.pk).update(updated_at=_ago(age_s))
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
