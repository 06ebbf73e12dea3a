"""Workers benchmark: a backlog of busy CCTV stills on Redis, processed by 1, 2 and 4 Celery worker
processes; files per minute for each and the speed-up. With ``--kill``: two workers, one SIGKILLed in the
middle of the backlog and started again; every file must be processed exactly once. Prints one JSON object.

    .venv/bin/python -m bench.bench_workers                     # 1,000 files, 1, 2 and 4 workers
    .venv/bin/python -m bench.bench_workers --files 60 --kill   # a small run, then the kill run

Each file is a 1280x720 frame of a shop (``bench.cctv``'s background) with 4 to 6 people whose faces are
real photographs from the faces dataset, 40 to 64 px wide (the hard case: several small faces per
frame). A third of the frames show one of the offenders enrolled (another photograph of them); each
file is the CCTV of an incident of its own, so a file's matches raise cases of its own.

Each worker is a process of its own, ``celery -A config worker --concurrency 1`` (prefork: a main process
and one pool child), taking ``recognition_urgent,recognition`` as deploy/ does, on production settings.
The clock starts when every worker is ready and the backlog is sent (the hand-off of
``recognition.processing``, sends included), and stops when the last file is done.

It creates (and afterwards drops) its own PostgreSQL database, ``BENCH_DATABASE_URL`` (default
postgres://postgres@127.0.0.1:5432/retrace_bench_workers), and FLUSHES the Redis database
``BENCH_REDIS_URL`` (default redis://127.0.0.1:6379/14): give it one nothing else uses.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from bench.common import database

REPO = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retrace_bench_workers")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
FACES = Path(os.environ.get("RETRACE_FACES_DIR", REPO.parent / "shared" / "datasets" / "faces"))
SIZE = (1280, 720)
# Three offenders: the reference photo enrolled, another photo of the same person shown in the frames
# (pairs from the dataset's master.csv); every other photo of them is kept out of the crowd.
ENROLLED = ["img1.jpg", "img16.jpg", "img13.jpg"]
SHOWN = ["img2.jpg", "img17.jpg", "img14.jpg"]


def _same_people(enrolled: list[str]) -> set[str]:
    """Every photo of the enrolled people, from both of the dataset's labelled pair lists (master.csv and
    face-recognition-pivot.csv: the second names photos of them the first does not, img57 to img62), so that
    nobody in the crowd is in fact an enrolled person and a match of someone not shown is a false match."""
    import csv

    linked: dict[str, set[str]] = {}
    for name, column in (("master.csv", "Decision"), ("face-recognition-pivot.csv", "decision")):
        path = FACES / name
        if not path.exists():
            continue
        with path.open(newline="") as f:
            for row in csv.DictReader(f):
                if row[column] == "Yes":
                    x, y = row["file_x"].rsplit("/", 1)[-1], row["file_y"].rsplit("/", 1)[-1]
                    linked.setdefault(x, set()).add(y)
                    linked.setdefault(y, set()).add(x)
    same, todo = set(), list(enrolled)
    while todo:
        name = todo.pop()
        if name not in same:
            same.add(name)
            todo.extend(linked.get(name, ()))
    return same


QUEUES = "recognition_urgent,recognition"
# The kill run: heartbeat every second, a worker silent for 6 s is dead, the sweep every 2 s (defaults:
# 30 s, 120 s, 30 s), so that the killed worker's file is run again within seconds.
FAST = {
    "RECOGNITION_SWEEP_EVERY_S": "2",
    "RECOGNITION_SEND_GRACE_S": "3",
    "RECOGNITION_HEARTBEAT_S": "1",
    "RECOGNITION_HEARTBEAT_STALE_S": "6",
}


def _env(var_dir: Path, **extra: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="bench-only-secret-key",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=DB_URL,
        CELERY_BROKER_URL=REDIS_URL,
        RETRACE_VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(var_dir / "media"),
        DEEPFACE_HOME=os.environ.get("DEEPFACE_HOME", str(REPO / "var")),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


# The frames ------------------------------------------------------------------------------------


def _frames(count: int, people: list[str], offenders: list[str]) -> list[tuple[bytes, str | None]]:
    """``count`` JPEG frames and, for each, the enrolled photo's identity shown in it (None: nobody)."""
    import cv2
    import numpy as np

    from bench import cctv
    from recognition import engine

    boxes = cctv.measure_faces(people + offenders, FACES)
    photos = {name: np.asarray(engine.load_image(FACES / name)) for name in boxes}
    scene_bg = cctv.background(SIZE, seed=3)
    sprites: dict[tuple[str, int], tuple] = {}
    frames = []
    for index in range(count):
        rng = np.random.default_rng(index)
        shown = list(rng.choice(people, size=int(rng.integers(4, 7)), replace=False))
        offender = offenders[index // 3 % len(offenders)] if index % 3 == 0 else None
        if offender:
            shown[0] = offender
        frame = scene_bg.copy()
        slots = rng.permutation(len(shown))
        for slot, name in zip(slots, shown, strict=True):
            face_px = int(rng.integers(40, 65))
            key = (name, face_px)
            if key not in sprites:
                walker = cctv.Walker(photo=name, label=None, enter_s=0, from_left=True, lane=0, drift=0, speed_mps=1)
                sprites[key] = cctv.person_sprite(photos[name], boxes[name], face_px, walker)
            sprite, alpha = sprites[key]
            x = int(slot * SIZE[0] / len(shown) + rng.integers(0, 40))
            y = int(rng.uniform(0.05, 0.45) * SIZE[1])
            _paste(frame, sprite, alpha, x, y)
        noise = rng.normal(0, 2.5, frame.shape).astype(np.float32)
        frame = np.clip(frame.astype(np.float32) + noise, 0, 255).astype(np.uint8)
        ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 88])
        assert ok
        frames.append((jpeg.tobytes(), offender))
    return frames


def _paste(frame, sprite, alpha, x: int, y: int) -> None:
    import numpy as np

    h, w = frame.shape[:2]
    sh, sw = sprite.shape[:2]
    x2, y2 = min(w, x + sw), min(h, y + sh)
    if x >= x2 or y >= y2:
        return
    a = alpha[: y2 - y, : x2 - x, None].astype(np.float32) / 255
    roi = frame[y:y2, x:x2].astype(np.float32)
    frame[y:y2, x:x2] = (sprite[: y2 - y, : x2 - x] * a + roi * (1 - a)).astype(np.uint8)


# The world -------------------------------------------------------------------------------------


def _world(frames: list[tuple[str, str, int]]) -> dict:
    """A force, a store, a shop worker; the enrolled offenders under an order in force (served)."""
    from django.core.files.base import ContentFile

    from orders.models import ReferencePhoto
    from recognition.services import reference_photo_enrol
    from tests.factories import BeatFactory, ForceFactory, RetailerFactory, StoreFactory, UserFactory
    from tests.orders.factories import OffenderFactory, OrderFactory

    force = ForceFactory(name="Bench Constabulary", code="bench")
    store = StoreFactory(retailer=RetailerFactory(name="Bench Foods"), beat=BeatFactory(force=force), code="B-1")
    worker = UserFactory(username="bench-worker", role="shop_worker", force=force, stores=[store])
    offenders = {}
    for name in ENROLLED:
        offender = OffenderFactory(force=force)
        OrderFactory(offender=offender)
        photo = ReferencePhoto.objects.create(
            offender=offender,
            image=ContentFile((FACES / name).read_bytes(), name=name),
            source="Custody",
            taken_on="2025-12-01",
        )
        reference_photo_enrol(photo=photo)
        offenders[name] = offender.pk
    return {"store": store, "worker": worker, "offenders": offenders, "frames": frames}


def _backlog(world: dict, run: str) -> list[int]:
    """One incident (P3, a store no order covers: the ordinary queue) per frame; its evidence ids."""
    from django.utils import timezone

    from incidents.models import Evidence, Incident

    incidents = Incident.objects.bulk_create(
        Incident(
            store=world["store"],
            reported_by=world["worker"],
            occurred_at=timezone.now(),
            category=Incident.Category.THEFT,
            ongoing=False,
            injured=False,
            weapon=False,
            description=f"Bench {run} {i}",
            priority=Incident.Priority.P3,
            priority_reason="Theft, no longer happening.",
            response_target_minutes=48 * 60,
            reference=f"B{run[:3]}-{i:06d}",
        )
        for i in range(len(world["frames"]))
    )
    evidence = []
    for incident, (name, sha256, size) in zip(incidents, world["frames"], strict=True):
        item = Evidence(
            incident=incident,
            original_name=Path(name).name,
            size=size,
            content_type="image/jpeg",
            kind="image",
            sha256=sha256,
            uploaded_by=world["worker"],
        )
        item.file.name = name  # every run's evidence shares the stored frames
        evidence.append(item)
    return [e.pk for e in Evidence.objects.bulk_create(evidence)]


# The workers -----------------------------------------------------------------------------------


class Workers:
    def __init__(self, env: dict, folder: Path) -> None:
        self.env, self.folder, self.procs = env, folder, {}
        self.marker = uuid.uuid4().hex[:8]

    def start(self, name: str, *, queues: str = QUEUES, beat: bool = False) -> None:
        cmd = [sys.executable, "-m", "celery", "-A", "config"]
        if beat:
            cmd += ["beat", "--loglevel", "INFO", "--max-interval", "1", "--schedule", str(self.folder / "beat")]
        else:
            cmd += ["worker", "--loglevel", "INFO", "--concurrency", "1", "--queues", queues]
            cmd += ["--without-mingle", "--without-gossip", "--hostname", f"{name}-{self.marker}@%h"]
        log = open(self.folder / f"{name}.log", "a")  # noqa: SIM115 - the child holds it
        self.procs[name] = subprocess.Popen(
            cmd, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, names: list[str], timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all("ready." in (self.folder / f"{n}.log").read_text() for n in names):
                return
            for n in names:
                if self.procs[n].poll() is not None:
                    raise RuntimeError(f"worker {n} exited; see {self.folder / f'{n}.log'}")
            time.sleep(0.5)
        raise RuntimeError(f"workers not ready after {timeout} s; see {self.folder}")

    def pool_pids(self, name: str) -> set[int]:
        """The worker's main process and its children."""
        main = self.procs[name].pid
        children = Path(f"/proc/{main}/task/{main}/children")
        return {main, *(int(p) for p in children.read_text().split())} if children.exists() else {main}

    def kill(self, name: str) -> int:
        """SIGKILL the worker's main process; how many of its processes (pool, embedding children) were
        still running 2 s later (they are killed then)."""
        pgid = self.procs[name].pid
        os.kill(pgid, signal.SIGKILL)
        self.procs[name].wait(timeout=30)
        time.sleep(2)
        left = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _pgid(p) == pgid]
        if left:
            os.killpg(pgid, signal.SIGKILL)
        return len(left)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs = {}


def _pgid(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


def _send(evidence_ids: list[int]) -> None:
    from recognition.processing import evidence_processing_queue, evidence_processing_send

    for pk in evidence_ids:
        evidence_processing_queue(evidence_id=pk)
        evidence_processing_send(evidence_id=pk)  # outside a transaction: sent at once


def _finished(evidence_ids: list[int]) -> int:
    from recognition.models import EvidenceProcessing

    return EvidenceProcessing.objects.filter(evidence_id__in=evidence_ids, status__in=["done", "failed"]).count()


def _wait_done(evidence_ids: list[int], timeout: float, on_progress=None) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        done = _finished(evidence_ids)
        if on_progress is not None:
            on_progress(done)
        if done == len(evidence_ids):
            return time.monotonic() - started
        time.sleep(0.25)
    raise RuntimeError(f"backlog not done after {timeout} s: {_finished(evidence_ids)}/{len(evidence_ids)}")


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _throughput(world: dict, env: dict, folder: Path, workers: int) -> tuple[dict, list[int]]:
    _flush_redis()
    evidence_ids = _backlog(world, f"w{workers}")
    procs = Workers(env, folder / f"w{workers}")
    procs.folder.mkdir()
    names = [f"w{i}" for i in range(workers)]
    try:
        for name in names:
            procs.start(name)
        procs.wait_ready(names)
        started = time.monotonic()
        _send(evidence_ids)
        sent_s = time.monotonic() - started
        wall = sent_s + _wait_done(evidence_ids, timeout=24 * 3600)
    finally:
        procs.stop_all()
    return {
        "workers": workers,
        "files": len(evidence_ids),
        "wall_s": round(wall, 1),
        "send_s": round(sent_s, 2),
        "files_per_min": round(len(evidence_ids) / wall * 60, 1),
        "load_avg_1m_at_end": round(os.getloadavg()[0], 2),  # others' load on the same cores skews the figures
        **_outcome(evidence_ids, world["shown"]),
    }, evidence_ids


def _outcome(evidence_ids: list[int], shown: list[int | None]) -> dict:
    """What the files came to, and the matches against who each frame really shows: a match of someone not in
    the frame is a false match (a lead a reviewer must reject)."""
    from recognition.models import EvidenceProcessing, PossibleMatch

    rows = EvidenceProcessing.objects.filter(evidence_id__in=evidence_ids)
    results = Counter(rows.values_list("result", flat=True))
    seconds = sorted(rows.values_list("processing_seconds", flat=True))
    faces = sum(rows.values_list("faces_detected", flat=True))
    who = dict(zip(evidence_ids, shown, strict=True))
    matched = set(PossibleMatch.objects.filter(evidence_id__in=evidence_ids).values_list("evidence_id", "offender_id"))
    return {
        "results": dict(sorted((k or "none", v) for k, v in results.items())),
        "faces_detected_per_file": round(faces / max(1, len(evidence_ids)), 2),
        "file_s_median": seconds[len(seconds) // 2] if seconds else None,
        "frames_showing_an_offender": sum(1 for person in shown if person),
        "of_them_matched_to_that_offender": sum(1 for e, person in who.items() if person and (e, person) in matched),
        "false_matches": sum(1 for e, o in matched if who.get(e) != o),
        "files_with_a_false_match": len({e for e, o in matched if who.get(e) != o}),
    }


# The kill run ----------------------------------------------------------------------------------


def _kill_run(world: dict, env: dict, folder: Path, reference: list[int] | None) -> dict:
    _flush_redis()
    evidence_ids = _backlog(world, "kill")
    procs = Workers({**env, **FAST}, folder / "kill")
    procs.folder.mkdir()
    killed: dict = {}
    try:
        for name in ("w0", "w1"):
            procs.start(name)
        procs.start("housekeeping", queues="housekeeping")
        procs.start("beat", beat=True)
        procs.wait_ready(["w0", "w1", "housekeeping"])
        started = time.monotonic()
        _send(evidence_ids)

        def kill_at_a_third(done: int) -> None:
            if killed or done < len(evidence_ids) // 3:
                return
            killed.update(_kill_worker(procs, "w1", evidence_ids), at_done=done)
            procs.start("w1")  # as systemd's Restart=always or run-embedded.sh's loop does

        wall = time.monotonic() - started + _wait_done(evidence_ids, timeout=24 * 3600, on_progress=kill_at_a_third)
        restored = _restore_unacked()
        time.sleep(3 * float(FAST["RECOGNITION_SWEEP_EVERY_S"]))  # the restored messages and the sweeps run
        _wait_done(evidence_ids, timeout=600)
    finally:
        procs.stop_all()
    return {
        "workers": 2,
        "files": len(evidence_ids),
        "wall_s": round(wall, 1),
        "files_per_min": round(len(evidence_ids) / wall * 60, 1),
        "killed": killed,
        "unacked_messages_restored_afterwards": restored,
        **_exactly_once(evidence_ids, reference),
    }


def _kill_worker(procs: Workers, name: str, evidence_ids: list[int]) -> dict:
    """SIGKILL the worker's main process while it runs a file; which file(s) it held."""
    from recognition.models import EvidenceProcessing

    pids = procs.pool_pids(name)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        running = EvidenceProcessing.objects.filter(evidence_id__in=evidence_ids, status="running")
        held = [r.evidence_id for r in running if int(r.worker.rpartition(":")[2] or 0) in pids]
        if held:
            return {"worker": name, "evidence_running": held, "children_left_running": procs.kill(name)}
        time.sleep(0.05)
    raise RuntimeError("the worker to kill never held a file")


def _restore_unacked() -> int:
    """Redis gives a dead worker's unacknowledged messages back after the visibility timeout (an hour):
    kombu's own restore, run now, delivers them again (a duplicate of a file already done)."""
    import kombu

    with kombu.Connection(REDIS_URL, transport_options={"visibility_timeout": 0}) as conn:
        qos = conn.default_channel.qos
        with conn.default_channel.conn_or_acquire() as client:
            before = client.hlen(qos.unacked_key)
        qos.restore_visible(num=1000, interval=1)
    return before


def _exactly_once(evidence_ids: list[int], reference: list[int] | None) -> dict:
    """From the database: files not done (lost), and anything done twice (a second search logged, a
    second match or case for the same person); each file's outcome against the same frame's in the
    reference run."""
    from cases.models import Case, CaseAccess
    from recognition.models import EvidenceProcessing, EvidenceProcessingEvent, PossibleMatch

    rows = {r.evidence_id: r for r in EvidenceProcessing.objects.filter(evidence_id__in=evidence_ids)}
    searches = Counter()
    for detail in CaseAccess.objects.filter(kind="search").values_list("detail", flat=True):
        found = re.match(r"evidence (\d+) \(", detail)
        if found:
            searches[int(found.group(1))] += 1
    matches = Counter(
        PossibleMatch.objects.filter(evidence_id__in=evidence_ids).values_list("evidence_id", "offender_id")
    )
    incident_of = dict(
        EvidenceProcessing.objects.filter(evidence_id__in=evidence_ids).values_list("evidence_id", "evidence__incident")
    )
    cases = Counter(Case.objects.filter(incident__in=incident_of.values()).values_list("incident_id", "offender_id"))
    starts = Counter(
        EvidenceProcessingEvent.objects.filter(
            processing__evidence_id__in=evidence_ids, kind="attempt_started"
        ).values_list("processing__evidence_id", flat=True)
    )
    figures = {
        "lost": sum(1 for pk in evidence_ids if pk not in rows or rows[pk].status != "done"),
        "searched_twice": sum(1 for pk in evidence_ids if searches[pk] > 1),
        "not_searched": sum(1 for pk in evidence_ids if searches[pk] == 0),
        "duplicate_matches": sum(n - 1 for n in matches.values() if n > 1),
        "duplicate_cases": sum(n - 1 for n in cases.values() if n > 1),
        "files_run_twice": sorted(pk for pk in evidence_ids if starts[pk] > 1),
        "matches": sum(matches.values()),
        "cases": sum(cases.values()),
    }
    if reference is not None:

        def outcome(pk: int) -> tuple:
            found = sorted(o for (e, o) in matches_all if e == pk)
            return rows_all[pk].result, found

        matches_all = list(
            PossibleMatch.objects.filter(evidence_id__in=[*evidence_ids, *reference]).values_list(
                "evidence_id", "offender_id"
            )
        )
        rows_all = {
            r.evidence_id: r for r in EvidenceProcessing.objects.filter(evidence_id__in=[*evidence_ids, *reference])
        }
        figures["outcome_differs_from_reference_run"] = sum(
            1 for pk, ref in zip(evidence_ids, reference, strict=True) if outcome(pk) != outcome(ref)
        )
    figures["exactly_once"] = (
        not (figures["lost"] or figures["searched_twice"] or figures["not_searched"] or figures["duplicate_matches"])
        and not figures["duplicate_cases"]
        and not figures.get("outcome_differs_from_reference_run")
    )
    return figures


# Main ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=int(os.environ.get("BENCH_WORKERS_FILES", "1000")))
    parser.add_argument("--workers", default=os.environ.get("BENCH_WORKERS", "1,2,4"), help="worker counts, e.g. 1,2,4")
    parser.add_argument("--kill", action="store_true", help="then two workers, one SIGKILLed mid-backlog")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    counts = [int(n) for n in args.workers.split(",") if n]

    var_dir = Path(tempfile.mkdtemp(prefix="retrace-bench-workers-"))
    env = _env(var_dir)
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS")})
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "CELERY_BROKER_URL", "RETRACE_VAR_DIR", "MEDIA_ROOT")})
    os.environ.update(DEEPFACE_HOME=env["DEEPFACE_HOME"], LOG_LEVEL="WARNING")
    database(DB_URL, "create")
    try:
        out = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"], cwd=REPO, env=env, capture_output=True, text=True
        )
        if out.returncode:
            raise RuntimeError(out.stderr[-3000:])
        import django

        django.setup()
        result = _run(args.files, counts, args.kill, env, var_dir)
    finally:
        from django.db import connections

        connections.close_all()
        database(DB_URL, "drop")
        shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps(result, indent=2))
    return result


def _run(files: int, counts: list[int], kill: bool, env: dict, var_dir: Path) -> dict:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    kept_out = {*ENROLLED, *SHOWN, *_same_people(ENROLLED)}
    people = sorted(p.name for p in FACES.glob("img*.jpg") if p.name not in kept_out and "_" not in p.name)
    made = time.monotonic()
    frames = _frames(files, people, SHOWN)
    stored = []
    for i, (data, _) in enumerate(frames):
        name = default_storage.save(f"bench/frame-{i:05d}.jpg", ContentFile(data))
        stored.append((name, hashlib.sha256(data).hexdigest(), len(data)))
    world = _world(stored)
    # Who each frame shows, as the offender enrolled from another photo of them (None: nobody enrolled).
    enrolled_as = dict(zip(SHOWN, ENROLLED, strict=True))
    world["shown"] = [world["offenders"][enrolled_as[name]] if name else None for _, name in frames]
    result: dict = {
        "bench": "workers",
        "cpu_count": os.cpu_count(),
        "files": files,
        "frame": {"size": f"{SIZE[0]}x{SIZE[1]}", "people": "4-6", "face_px": "40-64", "jpeg_kb_mean": 0.0},
        "frames_made_s": round(time.monotonic() - made, 1),
        "worker": f"celery -A config worker --concurrency 1 --queues {QUEUES} (one process per worker)",
        "runs": [],
    }
    result["frame"]["jpeg_kb_mean"] = round(sum(len(d) for d, _ in frames) / len(frames) / 1024, 1)
    result["frame"]["showing_an_enrolled_offender"] = sum(1 for _, shown in frames if shown)
    reference = None
    for workers in counts:
        figures, evidence_ids = _throughput(world, env, var_dir, workers)
        result["runs"].append(figures)
        if workers == 2:
            reference = evidence_ids
    one = next((r["files_per_min"] for r in result["runs"] if r["workers"] == 1), None)
    for run in result["runs"]:
        run["speedup_vs_1_worker"] = round(run["files_per_min"] / one, 2) if one else None
    if kill:
        result["kill"] = _kill_run(world, env, var_dir, reference)
    return result


if __name__ == "__main__":
    main()
