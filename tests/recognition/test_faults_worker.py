"""Workers fail, against the real services (a Redis server of the test's
own, or the embedded default's filesystem broker; real worker and beat processes started as deploy/
starts them; this test's PostgreSQL database; the real face model).

- Point 3: the worker's main process is killed (SIGKILL) mid-file: nothing of it keeps running (its
  pool and embedding children die with it), and the file is run again once, by the next worker, within
  the target (5 minutes; here the heartbeat's intervals are shortened through settings), on Redis and
  on the filesystem broker: one match, one case.
- Point 6: with a backlog in the recognition queue, the sweep (on the housekeeping queue, which the
  deployed workers consume) still runs within its interval.

The figures are printed (run with -s to see them).
"""

import datetime
import os
import re
import shlex
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from celery import shared_task
from django.utils import timezone
from PIL import Image

from bench import synthetic
from cases.models import Case
from recognition.models import EvidenceProcessing, EvidenceProcessingEvent, PossibleMatch
from recognition.services import reference_photo_enrol
from tests.conftest import FACES, REPO, CeleryProcesses, redis_transport_options, wait_for
from tests.incidents.factories import IncidentFactory
from tests.recognition.factories import evidence_for, offender_with_order, reference_photo

# Heartbeat every second, a worker silent for 6 s is dead, the sweep every 2 s (defaults: 30 s, 120 s, 30 s).
FAST = {
    "RECOGNITION_SWEEP_EVERY_S": "2",
    "RECOGNITION_SEND_GRACE_S": "3",
    "RECOGNITION_HEARTBEAT_S": "1",
    "RECOGNITION_HEARTBEAT_STALE_S": "6",
}
# Every other frame of the clip searched in full, so that a 20-second clip takes long enough to be killed in.
SLOW_FILE = {"RECOGNITION_VIDEO_FPS": "5", "RECOGNITION_FULL_SCAN_EVERY_S": "0.1"}


@shared_task(name="recognition.test_backlog_sleep")
def backlog_sleep(seconds: float) -> None:
    """A stand-in for a long file in the recognition queue (named ``recognition.*``: routed there)."""
    time.sleep(seconds)


# Routing (point 6) --------------------------------------------------------------------------------


def test_every_periodic_task_is_routed_to_the_housekeeping_queue():
    from django.conf import settings

    from config.celery import app

    def queue_of(task: str, options: dict | None = None) -> str:
        return app.amqp.router.route(dict(options or {}), task)["queue"].name

    assert settings.CELERY_BEAT_SCHEDULE
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert queue_of(entry["task"], entry.get("options")) == "housekeeping", entry["task"]
        assert queue_of(entry["task"]) == "housekeeping", entry["task"]  # sent by hand too
    assert queue_of("incidents.housekeeping_orphans") == "housekeeping"  # any <app>.housekeeping_<what>
    assert queue_of("recognition.evidence_process") == queue_of("recognition.research_job_run") == "recognition"


def deployed_worker_commands() -> dict[str, list[str]]:
    """The ``celery worker`` command lines of deploy/systemd's units, by unit name."""
    commands = {}
    for unit in sorted((REPO / "deploy" / "systemd").glob("*.service")):
        found = re.search(r"^ExecStart=(.*)$", unit.read_text(), re.MULTILINE)
        if found and " worker " in f" {found.group(1)} ":
            commands[unit.stem] = shlex.split(found.group(1))
    return commands


def _option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv else None


# The real thing ------------------------------------------------------------------------------------


@pytest.fixture
def enrolled(world, face_engine):
    offender = offender_with_order(world.a.force)
    reference_photo_enrol(photo=reference_photo(offender, "img1.jpg"))
    return offender


def _long_clip(folder: Path) -> bytes:
    """A 20-second clip of the enrolled offender walking slowly across a shop (long enough to be
    killed in the middle of)."""
    photo = np.asarray(Image.open(FACES / "img2.jpg").convert("RGB"))
    from recognition import engine

    face = engine.get_engine().detect_image(photo)[0].box
    box = (face.x, face.y, face.w, face.h)
    clip = synthetic.walking_clip(
        folder / "aisle.mp4", photo_rgb=photo, face_box=box, seconds=20, fps=10, face_from_s=0, face_to_s=20
    )
    return clip.path.read_bytes()


def _kill_mid_file(world, procs: CeleryProcesses, tmp_path, first) -> dict:
    """Upload the long clip, SIGKILL ``first`` (a worker's main process) once the file is running, start
    the next worker; the figures."""
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker, in_order_period=True)
    evidence = evidence_for(incident, _long_clip(tmp_path), "aisle.mp4", kind="video")
    from recognition.processing import evidence_processing_queue, evidence_processing_send

    evidence_processing_queue(evidence_id=evidence.pk)
    evidence_processing_send(evidence_id=evidence.pk)  # outside a transaction: sent at once
    rows = EvidenceProcessing.objects.filter(evidence=evidence)
    wait_for(lambda: rows.get().status == "running", timeout=120, what="the first worker to start the file")
    time.sleep(2)  # well into the file
    assert rows.get().status == "running", "the clip was processed before the worker could be killed"
    os.kill(first.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    first.wait(timeout=10)
    time.sleep(2)
    orphans = procs.orphans()
    procs.worker(name="second")  # as systemd's Restart=always or run-embedded.sh's loop does

    wait_for(lambda: rows.get().attempts == 2, timeout=300, what="the file to be run again")
    rerun_after = time.monotonic() - killed_at
    wait_for(lambda: rows.get().status in ("done", "failed"), timeout=300, what="the file to be finished")
    done_after = time.monotonic() - killed_at
    time.sleep(3)  # anything that would run it a third time has had its chance
    processing = rows.get()
    started = EvidenceProcessingEvent.objects.filter(processing=processing, kind="attempt_started").count()
    matches = PossibleMatch.objects.filter(evidence=evidence).count()
    cases = Case.objects.filter(incident=incident).count()
    return {
        "accepted": 1,
        "processed": int(processing.status == "done"),
        "lost": int(processing.status != "done"),
        "duplicated": max(0, matches - 1) + max(0, cases - 1) + max(0, started - 2),
        "orphaned": len(orphans),
        "result": processing.result,
        "attempts": processing.attempts,
        "rerun_after_s": round(rerun_after, 1),
        "done_after_s": round(done_after, 1),
    }


def _check(figures: dict, broker: str) -> None:
    print(
        f"\n[fault: worker killed mid-file, {broker}] re-run {figures['rerun_after_s']} s after the kill,"
        f" done after {figures['done_after_s']} s (heartbeat {FAST['RECOGNITION_HEARTBEAT_S']} s, stale after"
        f" {FAST['RECOGNITION_HEARTBEAT_STALE_S']} s, sweep every {FAST['RECOGNITION_SWEEP_EVERY_S']} s); {figures}"
    )
    assert (figures["lost"], figures["duplicated"], figures["orphaned"]) == (0, 0, 0)
    assert (figures["result"], figures["attempts"]) == ("match", 2)
    assert figures["rerun_after_s"] < 120  # the target is 5 minutes with the default intervals


@pytest.mark.worker
@pytest.mark.deepface
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_file_on_redis_is_replaced_and_the_file_run_again_once(
    world, enrolled, own_redis, celery_app_on, tmp_path
):
    celery_app_on(own_redis.url, redis_transport_options())
    procs = CeleryProcesses(tmp_path, env={"CELERY_BROKER_URL": own_redis.url, **FAST, **SLOW_FILE})
    try:
        first = procs.worker(name="first")
        procs.worker(name="housekeeping", queues="housekeeping")
        procs.beat()
        _check(_kill_mid_file(world, procs, tmp_path, first), "Redis")
    finally:
        procs.stop_all()


@pytest.mark.worker
@pytest.mark.deepface
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_file_on_the_filesystem_broker_is_replaced_and_the_file_run_again_once(
    world, enrolled, celery_app_on, tmp_path, settings
):
    """The embedded default: kombu's filesystem transport deletes a message as it is taken, so only the
    heartbeat and the sweep can bring the file back."""
    from config.settings.components.celery import filesystem_broker_options

    options = filesystem_broker_options(settings.TEST_DIR / "broker")  # the folders the workers use too
    for key in ("data_folder_in", "processed_folder", "control_folder"):
        Path(options[key]).mkdir(parents=True, exist_ok=True)
    app = celery_app_on("filesystem://", options)
    app.control.purge()
    procs = CeleryProcesses(tmp_path, env={"CELERY_BROKER_URL": "filesystem://", **FAST, **SLOW_FILE})
    try:
        first = procs.worker(name="first")
        procs.worker(name="housekeeping", queues="housekeeping")
        procs.beat()
        _check(_kill_mid_file(world, procs, tmp_path, first), "filesystem broker")
    finally:
        procs.stop_all()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_sweep_runs_within_its_interval_behind_a_backlog_of_files(world, own_redis, celery_app_on, tmp_path):
    """Workers started as deploy/systemd starts them; a minute of work queued for recognition; a file
    whose send failed is sent by the sweep within seconds, not once the backlog has drained."""
    commands = deployed_worker_commands()
    assert any("housekeeping" in (_option(argv, "--queues") or "").split(",") for argv in commands.values())
    app = celery_app_on(own_redis.url, redis_transport_options())
    procs = CeleryProcesses(
        tmp_path, imports=["tests.recognition.test_faults_worker"], env={"CELERY_BROKER_URL": own_redis.url, **FAST}
    )
    try:
        for unit, argv in commands.items():
            concurrency = _option(argv, "--concurrency") or "1"
            queues = _option(argv, "--queues") or ""
            procs.worker(name=unit, queues=queues, args=["--concurrency", concurrency])
        procs.beat()
        wait_for(lambda: app.control.ping(timeout=1), timeout=60, what="the workers to start")
        backlog_s, tasks = 1.5, 40
        for _ in range(tasks):
            app.send_task("recognition.test_backlog_sleep", args=[backlog_s])
        incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
        evidence = evidence_for(incident, b"\x00" * 32, "door.mp4", kind="video")
        long_ago = timezone.now() - datetime.timedelta(hours=1)
        EvidenceProcessing.objects.create_for(evidence)
        EvidenceProcessing.objects.filter(evidence=evidence).update(updated_at=long_ago)  # its send failed
        queued_at = time.monotonic()
        wait_for(lambda: EvidenceProcessing.objects.get(evidence=evidence).sent_at, timeout=120, what="the sweep")
        swept_after = time.monotonic() - queued_at
        print(
            f"\n[fault: backlog] {tasks} x {backlog_s} s of work in the recognition queue; the sweep (every"
            f" {FAST['RECOGNITION_SWEEP_EVERY_S']} s, housekeeping queue) sent the waiting file after"
            f" {swept_after:.1f} s; workers as deployed: {sorted(commands)}"
        )
        assert swept_after < 15  # the backlog takes 30 s or more on the deployed workers
    finally:
        procs.stop_all()
