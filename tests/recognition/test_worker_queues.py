"""Urgent evidence and killed workers, against real services: a Redis server of the test's own (or the
embedded default's filesystem broker), real worker processes started with deploy/systemd's queue order,
this test's database, the real face model on real photographs.

- The evidence of a P1 incident, and of a store that an order in force prohibits today, is sent to the
  ``recognition_urgent`` queue and processed before a backlog of ordinary evidence queued earlier.
- The sweep sends a dead worker's urgent file to the urgent queue again (and an ordinary one to the
  ordinary queue).
- Of two workers, the one running a file is SIGKILLed: the other runs the file (sent again by the sweep),
  once (one match, one case), although the killed worker's message also comes back (Redis restores
  unacknowledged messages after the visibility timeout; the restore is run at once here).

The figures are printed (run with -s to see them).
"""

import datetime
import json
import os
import signal
import time
from pathlib import Path

import kombu
import numpy as np
import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from bench import synthetic
from cases.models import Case
from incidents.models import Incident
from recognition import queue
from recognition.models import EvidenceProcessing, EvidenceProcessingEvent, PossibleMatch
from recognition.processing import evidence_processing_queue, evidence_requeue_stale
from recognition.services import reference_photo_enrol
from tests.conftest import FACES, CeleryProcesses, redis_transport_options, wait_for
from tests.factories import StoreFactory
from tests.incidents.factories import IncidentFactory
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory
from tests.recognition.factories import evidence_for, face_bytes, offender_with_order, reference_photo
from tests.recognition.test_faults_worker import FAST, SLOW_FILE, deployed_worker_commands
from workflows import evidence as evidence_workflow

pytestmark = [pytest.mark.worker, pytest.mark.deepface, pytest.mark.django_db(transaction=True)]

BACKLOG = ["img2.jpg", "img4.jpg", "img5.jpg", "img6.jpg", "img7.jpg", "img8.jpg"]


def deployed_queues() -> str:
    """The main worker's ``--queues``, as deploy/systemd starts it."""
    argv = deployed_worker_commands()["retrace-worker"]
    return argv[argv.index("--queues") + 1]


@pytest.fixture
def enrolled(world, face_engine):
    offender = offender_with_order(world.a.force)
    reference_photo_enrol(photo=reference_photo(offender, "img1.jpg"))
    return offender


@pytest.fixture
def covered_store(world):
    """A store of force A that a prohibition of an order in force today names (anyone's order)."""
    store = StoreFactory(retailer=world.a.retailer, beat=world.a.beat, code="A-9")
    world.a.worker.stores.add(store)
    ProhibitionFactory(order=OrderFactory(offender=OffenderFactory(force=world.a.force)), stores=[store])
    return store


def upload(world, incident: Incident, names: list[str]) -> list[int]:
    """The shop worker's upload, through the real hand-off (queued in its transaction, sent on commit)."""
    files = [SimpleUploadedFile(name, face_bytes(name), content_type="image/jpeg") for name in names]
    stored = evidence_workflow.evidence_add(incident=incident, files=files, uploaded_by=world.a.worker)
    return [e.pk for e in stored]


def _broker(broker: str, request, celery_app_on, settings) -> str:
    """Point this process and the workers at the broker; its URL."""
    if broker == "redis":
        own_redis = request.getfixturevalue("own_redis")
        celery_app_on(own_redis.url, redis_transport_options())
        return own_redis.url
    from config.settings.components.celery import filesystem_broker_options

    options = filesystem_broker_options(settings.TEST_DIR / "broker")  # the folders the workers use too
    for key in ("data_folder_in", "processed_folder", "control_folder"):
        Path(options[key]).mkdir(parents=True, exist_ok=True)
    celery_app_on("filesystem://", options).control.purge()
    return "filesystem://"


def _ready(proc) -> None:
    wait_for(lambda: "ready." in proc.log.read_text(), timeout=90, what=f"the worker to start ({proc.log})")


@pytest.mark.parametrize("broker", ["redis", "filesystem"])
def test_urgent_evidence_is_processed_before_a_backlog_queued_earlier(
    broker, world, enrolled, covered_store, request, celery_app_on, settings, tmp_path
):
    url = _broker(broker, request, celery_app_on, settings)
    procs = CeleryProcesses(tmp_path, env={"CELERY_BROKER_URL": url})
    try:
        _ready(procs.worker(name="worker", queues=deployed_queues()))
        ordinary = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
        backlog = upload(world, ordinary, BACKLOG)
        rows = EvidenceProcessing.objects.filter
        wait_for(lambda: rows(evidence_id__in=backlog, status="running").exists(), timeout=60, what="the backlog")

        p1 = IncidentFactory(store=world.a.store, reported_by=world.a.worker, priority=Incident.Priority.P1)
        covered = IncidentFactory(store=covered_store, reported_by=world.a.worker)
        sent_at = timezone.now()
        urgent = upload(world, p1, ["img3.jpg"]) + upload(world, covered, ["img9.jpg"])
        every = backlog + urgent
        wait_for(lambda: rows(evidence_id__in=every, status="done").count() == len(every), timeout=120, what="all")
    finally:
        procs.stop_all()

    started = {r.evidence_id: r.started_at for r in rows(evidence_id__in=every)}
    order = sorted(every, key=started.get)
    waiting = [pk for pk in backlog if started[pk] > sent_at]  # still queued when the urgent files came
    print(
        f"\n[queues, {broker}] order of processing: "
        + ", ".join("URGENT" if pk in urgent else "ordinary" for pk in order)
        + f"; {len(waiting)} ordinary files were waiting when the urgent ones were uploaded"
    )
    assert len(waiting) >= 4, "the backlog drained before the urgent files were sent: nothing was tested"
    assert max(started[pk] for pk in urgent) < min(started[pk] for pk in waiting)


def test_the_sweep_sends_a_dead_workers_urgent_file_to_the_urgent_queue_again(
    world, covered_store, own_redis, celery_app_on
):
    celery_app_on(own_redis.url, redis_transport_options())
    ordinary = evidence_for(IncidentFactory(store=world.a.store, reported_by=world.a.worker), b"x", "a.jpg")
    p1 = IncidentFactory(store=world.a.store, reported_by=world.a.worker, priority=Incident.Priority.P1)
    urgent_p1 = evidence_for(p1, b"y", "b.jpg")
    urgent_covered = evidence_for(IncidentFactory(store=covered_store, reported_by=world.a.worker), b"z", "c.jpg")
    dead = timezone.now() - datetime.timedelta(hours=1)
    for evidence in (ordinary, urgent_p1, urgent_covered):
        evidence_processing_queue(evidence_id=evidence.pk)
    EvidenceProcessing.objects.update(status="running", worker="gone:1", heartbeat_at=dead, attempts=1)

    assert evidence_requeue_stale()["requeued"] == 3

    client = redis.Redis.from_url(own_redis.url)

    def queued(name: str) -> list[tuple[str, int]]:
        messages = [json.loads(raw) for raw in client.lrange(name, 0, -1)]
        return sorted((m["headers"]["task"], m["headers"]["argsrepr"]) for m in messages)

    assert queued("recognition_urgent") == sorted(
        (queue.EVIDENCE_PROCESS_URGENT, f"({pk},)") for pk in (urgent_p1.pk, urgent_covered.pk)
    )
    assert queued("recognition") == [(queue.EVIDENCE_PROCESS, f"({ordinary.pk},)")]


def _long_clip(folder: Path) -> bytes:
    """A 6-second clip of the enrolled offender walking across a shop (searched slowly: SLOW_FILE), long enough
    that a worker is still on it a second after it starts, however quiet the machine."""
    from recognition import engine

    photo = np.asarray(Image.open(FACES / "img2.jpg").convert("RGB"))
    face = engine.get_engine().detect_image(photo)[0].box
    clip = synthetic.walking_clip(
        folder / "aisle.mp4",
        photo_rgb=photo,
        face_box=(face.x, face.y, face.w, face.h),
        seconds=6,
        fps=10,
        face_from_s=0,
        face_to_s=6,
    )
    return clip.path.read_bytes()


def test_a_worker_killed_mid_file_leaves_it_to_the_other_worker_and_it_is_processed_once(
    world, enrolled, own_redis, celery_app_on, tmp_path
):
    celery_app_on(own_redis.url, redis_transport_options())
    env = {"CELERY_BROKER_URL": own_redis.url, **FAST, **SLOW_FILE}
    procs = CeleryProcesses(tmp_path, env=env)
    try:
        workers = [procs.worker(name=f"w{i}", queues=deployed_queues()) for i in (1, 2)]
        procs.worker(name="housekeeping", queues="housekeeping")
        procs.beat()
        for proc in workers:
            _ready(proc)
        p1 = IncidentFactory(store=world.a.store, reported_by=world.a.worker, priority=Incident.Priority.P1)
        evidence = evidence_for(p1, _long_clip(tmp_path), "aisle.mp4", kind="video")
        evidence_processing_queue(evidence_id=evidence.pk)
        from recognition.processing import evidence_processing_send

        evidence_processing_send(evidence_id=evidence.pk)  # outside a transaction: sent at once
        rows = EvidenceProcessing.objects.filter(evidence=evidence)
        wait_for(lambda: rows.get().status == "running", timeout=60, what="a worker to start the file")
        time.sleep(1)  # into the file
        running = rows.get()
        assert running.status == "running", "the clip was processed before the worker could be killed"
        pids = {proc.pid: proc for proc in workers}
        pool_parents = procs.tagged()  # pid -> parent pid: a pool child's worker
        victim_pid = int(running.worker.rpartition(":")[2])
        victim = pids.get(victim_pid) or pids[pool_parents[victim_pid]]  # the worker's main process
        os.kill(victim.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        victim.wait(timeout=10)

        wait_for(lambda: rows.get().attempts == 2, timeout=60, what="the other worker to run the file")
        rerun_after = time.monotonic() - killed_at
        wait_for(lambda: rows.get().status in ("done", "failed"), timeout=90, what="the file to be finished")
        done_after = time.monotonic() - killed_at
        survivor = next(proc for proc in workers if proc is not victim)
        # Redis gives the killed worker's unacknowledged message back after the visibility timeout (an hour):
        # kombu's own restore, run now, delivers it to the other worker, which must find the file done.
        with kombu.Connection(own_redis.url, transport_options={"visibility_timeout": 0}) as conn:
            conn.default_channel.qos.restore_visible(num=100, interval=1)
        wait_for(lambda: survivor.log.read_text().count(": None") == 1, timeout=30, what="the duplicate message")
        time.sleep(2 * float(FAST["RECOGNITION_SWEEP_EVERY_S"]))  # any further sweep has had its chance
    finally:
        procs.stop_all()

    processing = rows.get()
    starts = EvidenceProcessingEvent.objects.filter(processing=processing, kind="attempt_started").count()
    print(
        f"\n[queues, kill] re-run by the other worker {rerun_after:.1f} s after the kill, done after"
        f" {done_after:.1f} s; attempts {processing.attempts}, attempt_started events {starts}"
    )
    assert (processing.status, processing.result, processing.attempts, starts) == ("done", "match", 2, 2)
    received = survivor.log.read_text().count(f"Task {queue.EVIDENCE_PROCESS_URGENT}[")
    print(f"[queues, kill] the file's messages received by the other worker: {received // 2} (run, then done)")
    assert received == 2 * 2  # the sweep's and the restored one, each received and succeeded: run once
    winner = int(processing.worker.rpartition(":")[2])
    assert survivor.pid in (winner, pool_parents.get(winner)), (processing.worker, survivor.pid)
    assert PossibleMatch.objects.filter(evidence=evidence).count() == 1
    assert Case.objects.filter(incident=p1).count() == 1


def test_a_worker_started_without_the_urgent_queue_takes_it_just_before_recognition():
    """An older unit file or command line (``--queues default,recognition,housekeeping``) still reads the
    urgent queue, in front of the ordinary one."""
    from types import SimpleNamespace

    from config.celery import app, urgent_queue_first

    queues = app.amqp.queues
    saved = list(queues.consume_from)
    try:
        queues.select(["default", "recognition", "housekeeping"])
        urgent_queue_first(instance=SimpleNamespace(app=app))
        assert list(queues.consume_from) == ["default", "recognition_urgent", "recognition", "housekeeping"]
        queues.select(["housekeeping"])  # a housekeeping worker is left alone
        urgent_queue_first(instance=SimpleNamespace(app=app))
        assert list(queues.consume_from) == ["housekeeping"]
    finally:
        queues.select(saved)
