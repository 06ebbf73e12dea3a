"""Retention purge benchmark: the nightly purge of rejected matches' face crops over a million rows while the
officers' case list API is under load. Prints one JSON object.

    .venv/bin/python -m bench.bench_purge

It creates (and afterwards drops, unless BENCH_PURGE_KEEP_DB=1) its own PostgreSQL database,
``BENCH_PURGE_DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/h_ret_bench), loads it with COPY:
``BENCH_PURGE_ROWS`` (default 1,000,000) possible matches of rejected cases past retention, each with an
(empty) crop file on disk, ten CCTV files per incident, plus 5,000 open cases that the list shows and the
purge must leave alone. gunicorn (deploy/gunicorn.conf.py, production settings, 2 workers x 4 threads)
serves ``GET /api/cases/`` to ``BENCH_PURGE_CLIENTS`` (4) client threads signed in as a beat officer: first
alone for ``BENCH_PURGE_BASELINE_S`` (20) seconds, then while ``rejected_crops_purge_batched`` runs in a
process of its own. The longest transaction is measured twice: by the purge itself (around each batch's
transaction) and by the server (pg_stat_activity's xact_start of the purge's session, sampled every 10 ms).
"""

import io
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from bench.bench_incidents import Gunicorn
from bench.common import database, manage

REPO = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_PURGE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h_ret_bench")
ROWS = int(os.environ.get("BENCH_PURGE_ROWS", "1000000"))
CLIENTS = int(os.environ.get("BENCH_PURGE_CLIENTS", "4"))
BASELINE_S = float(os.environ.get("BENCH_PURGE_BASELINE_S", "20"))
KEEP_DB = os.environ.get("BENCH_PURGE_KEEP_DB") == "1"
# The crop files live in memory (tmpfs) when there is one: this machine's disk creates a file in about 1 ms,
# which would make loading a million take a quarter of an hour; deleting one costs about the same on either.
MEDIA_PARENT = os.environ.get("BENCH_PURGE_MEDIA_PARENT", "/dev/shm" if os.access("/dev/shm", os.W_OK) else "")
PER_INCIDENT = 10  # CCTV files (and so matches) per incident: one rejected case each
OFFENDERS = 10_000
OPEN_CASES = 5_000
PURGE_APP = "retrace-bench-purge"

SETUP = """
from accounts.models import Beat, Force, Retailer, Store, User
force = Force.objects.create(name="Bench Constabulary", code="bench")
beat = Beat.objects.create(force=force, name="Bench North")
store = Store.objects.create(retailer=Retailer.objects.create(name="Bench Foods"), beat=beat, code="B1",
    name="Bench Store", address="1 High St", postcode="ST7 2AA", latitude="53.1", longitude="-2.3")
worker = User.objects.create(username="bench-worker", role="shop_worker", force=force)
worker.stores.set([store])
officer = User.objects.create(username="bench-officer", role="beat_officer", force=force)
officer.beats.set([beat])
from accounts.services import api_token_create
print(force.pk, beat.pk, store.pk, worker.pk, api_token_create(user=officer, name="bench").key)
"""

PURGE = """
import json, time, dataclasses
from cases.services import rejected_crops_purge_batched
started = time.perf_counter()
summary = rejected_crops_purge_batched()
print(json.dumps({"seconds": time.perf_counter() - started, **dataclasses.asdict(summary)}))
"""


def _env(work: Path, media: Path, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="bench-only-secret-key-bench-only-secret-key-bench-only",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=DB_URL,
        RETRACE_VAR_DIR=str(work),
        MEDIA_ROOT=str(media),
        CELERY_BROKER_URL="filesystem://",
        LOG_LEVEL="WARNING",
        TMPDIR=str(work / "tmp"),
        **extra,
    )
    return env


def _copy(conn, table: str, columns: str, lines) -> None:
    """COPY ``lines`` (tab-separated text rows) into ``table``, 100,000 rows a write."""
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        chunk = io.StringIO()
        for n, line in enumerate(lines, 1):
            chunk.write(line)
            if n % 100_000 == 0:
                copy.write(chunk.getvalue())
                chunk = io.StringIO()
        copy.write(chunk.getvalue())


def load(env_media: str, force: int, beat: int, store: int, worker: int) -> dict:
    """The rows, with COPY: offenders, incidents (ten CCTV files each, one match per file) and their cases;
    every purge-eligible match has a crop file. Returns what was loaded and how long it took."""
    import psycopg

    incidents = ROWS // PER_INCIDENT
    total_incidents = incidents + OPEN_CASES
    now, long_ago = "2026-12-01 12:00:00+00", "2025-01-01 12:00:00+00"
    started = time.perf_counter()
    with psycopg.connect(DB_URL) as conn:
        _copy(
            conn,
            "orders_offender",
            "id, created_at, updated_at, given_names, family_name, aliases, pnc_id, notes, force_id",
            (f"{i}\t{now}\t{now}\tBench\tPerson {i}\t\t\t\t{force}\n" for i in range(1, OFFENDERS + 1)),
        )
        _copy(
            conn,
            "incidents_incident",
            "id, created_at, updated_at, occurred_at, category, ongoing, injured, weapon, description,"
            " offender_description, reference, priority, priority_reason, response_target_minutes, status,"
            " reported_by_id, store_id",
            (
                f"{i}\t{now}\t{now}\t{long_ago}\ttheft\tf\tf\tf\tBench\t\tBENCH-{i}\tP3\t\t0\twith_police\t{worker}\t{store}\n"
                for i in range(1, total_incidents + 1)
            ),
        )
        _copy(
            conn,
            "incidents_evidence",
            "id, file, original_name, size, content_type, kind, sha256, uploaded_at, uploaded_by_id, incident_id",
            (
                f"{e}\tevidence/bench/{e}.jpg\tcctv.jpg\t0\timage/jpeg\timage\t{e:064x}\t{long_ago}\t{worker}\t{inc}\n"
                for e, inc in _evidence(incidents)
            ),
        )
        _copy(
            conn,
            "recognition_possiblematch",
            "id, created_at, updated_at, distance, similarity, threshold, face_box, crop, model_name,"
            " model_version, evidence_id, offender_id, source",
            (
                f"{e}\t{long_ago}\t{long_ago}\t0.05\t0.95\t0.07\t[0, 0, 10, 10]\t{_crop(e)}\tDlib\tbench\t{e}"
                f"\t{_offender(inc)}\tautomatic\n"
                for e, inc in _evidence(incidents)
            ),
        )
        _copy(
            conn,
            "cases_case",
            "id, created_at, updated_at, incident_priority, status, is_breach, best_similarity, threshold,"
            " closed_at, beat_id, best_match_id, force_id, incident_id, offender_id, reference",
            (
                f"{i}\t{long_ago}\t{long_ago}\tP3\t{'rejected' if i <= incidents else 'awaiting_review'}\tf\t0.95"
                f"\t0.07\t{long_ago if i <= incidents else chr(92) + 'N'}\t{beat}\t{_first_evidence(i, incidents)}"
                f"\t{force}\t{i}\t{_offender(i)}\tCASE-B-{i}\n"
                for i in range(1, total_incidents + 1)
            ),
        )
        for table in ("orders_offender", "incidents_incident", "incidents_evidence", "recognition_possiblematch",
                      "cases_case"):  # fmt: skip
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    copied = time.perf_counter() - started
    started = time.perf_counter()
    media = Path(env_media)
    for e, _inc in _evidence(incidents):
        path = media / _crop(e)
        if e % 1000 in (0, 1) or not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    return {
        "eligible_matches": incidents * PER_INCIDENT,
        "rejected_cases": incidents,
        "open_cases_with_matches_kept": OPEN_CASES,
        "copy_seconds": round(copied, 1),
        "crop_files_seconds": round(time.perf_counter() - started, 1),
    }


def _evidence(incidents: int):
    """(evidence id, incident id): ten per rejected incident, then one per open case's incident."""
    for e in range(1, incidents * PER_INCIDENT + 1):
        yield e, (e - 1) // PER_INCIDENT + 1
    for n in range(1, OPEN_CASES + 1):
        yield incidents * PER_INCIDENT + n, incidents + n


def _first_evidence(incident: int, incidents: int) -> int:
    return (
        (incident - 1) * PER_INCIDENT + 1 if incident <= incidents else incidents * PER_INCIDENT + incident - incidents
    )


def _offender(incident: int) -> int:
    return (incident - 1) % OFFENDERS + 1


def _crop(match: int) -> str:
    return f"recognition/matches/bench/{match // 1000}/{match}.jpg"


class Load:
    """Client threads sending GET /api/cases/ as the officer, each latency stamped with when it started."""

    def __init__(self, server: Gunicorn, token: str):
        self.server, self.token = server, token
        self.samples: list[tuple[float, float, int]] = []  # (started, seconds, status)
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._client, daemon=True) for _ in range(CLIENTS)]

    def _client(self) -> None:
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=120)
        headers = {"Authorization": f"Token {self.token}", "X-Forwarded-Proto": "https"}  # as nginx sends
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                conn.request("GET", "/api/cases/", headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=120)
                status = 0
            self.samples.append((started, time.perf_counter() - started, status))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=180)

    def between(self, start: float, end: float) -> dict:
        chosen = [s for s in self.samples if start <= s[0] < end]
        ms = sorted(s[1] * 1000 for s in chosen)
        if not ms:
            return {"requests": 0}
        return {
            "requests": len(ms),
            "errors": sum(1 for s in chosen if s[2] != 200),
            "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
            "max_ms": round(ms[-1], 1),
        }


def _longest_transaction_watch(stop: threading.Event, longest: list[float]) -> None:
    """The server's view: the age of the purge session's open transaction, every 10 ms."""
    import psycopg

    with psycopg.connect(DB_URL, autocommit=True) as conn:
        while not stop.is_set():
            row = conn.execute(
                "SELECT coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)), 0) FROM pg_stat_activity"
                " WHERE application_name = %s AND state <> 'idle'",
                [PURGE_APP],
            ).fetchone()
            longest[0] = max(longest[0], float(row[0]) * 1000)
            time.sleep(0.01)


def _after(env: dict) -> dict:
    import psycopg

    with psycopg.connect(DB_URL) as conn:
        crops_left = conn.execute(
            "SELECT count(*) FROM recognition_possiblematch m JOIN cases_case c ON c.incident_id ="
            " (SELECT incident_id FROM incidents_evidence WHERE id = m.evidence_id) AND c.offender_id = m.offender_id"
            " WHERE c.status = 'rejected' AND m.crop <> ''"
        ).fetchone()[0]
        kept = conn.execute(
            "SELECT count(*) FROM recognition_possiblematch m JOIN cases_case c ON c.best_match_id = m.id"
            " WHERE c.status = 'awaiting_review' AND m.crop <> ''"
        ).fetchone()[0]
        events = conn.execute("SELECT count(*) FROM cases_caseevent WHERE kind = 'crop_purged'").fetchone()[0]
    media = Path(env["MEDIA_ROOT"]) / "recognition" / "matches" / "bench"
    files_left = sum(len(os.listdir(d)) for d in media.iterdir()) if media.exists() else 0
    return {"crops_left": crops_left, "open_case_crops_kept": kept, "crop_purged_events": events,
            "crop_files_left": files_left}  # fmt: skip


def main() -> None:
    try:
        database(DB_URL, "create")
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: say so, in the same JSON shape
        print(json.dumps({"benchmark": "purge", "skipped": f"PostgreSQL unavailable at {DB_URL}: {exc}"}))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-purge-"))
    (work / "tmp").mkdir()
    media = Path(tempfile.mkdtemp(prefix="bench-purge-media-", dir=MEDIA_PARENT or work))
    env = _env(work, media)
    server = None
    try:
        manage(env, "migrate", "--noinput")
        *ids, token = manage(env, "shell", "-c", SETUP).strip().splitlines()[-1].split()
        force, beat, store, worker = map(int, ids)
        loaded = load(env["MEDIA_ROOT"], force, beat, store, worker)
        server = Gunicorn(env, workers=2, threads=4, log=work / "gunicorn.log")
        load_ = Load(server, token)
        for _ in range(10):  # warm up both workers' pools and caches
            status, body = server.request(
                "GET", "/api/cases/", headers={"Authorization": f"Token {token}", "X-Forwarded-Proto": "https"}
            )
            if status != 200:
                raise RuntimeError(f"GET /api/cases/: {status} {body[:300]!r}")
        load_.start()
        baseline_start = time.perf_counter()
        time.sleep(BASELINE_S)
        purge_start = time.perf_counter()
        stop_watch, longest = threading.Event(), [0.0]
        watcher = threading.Thread(target=_longest_transaction_watch, args=(stop_watch, longest))
        watcher.start()
        purge = json.loads(manage({**env, "PGAPPNAME": PURGE_APP}, "shell", "-c", PURGE).strip().splitlines()[-1])
        purge_end = time.perf_counter()
        stop_watch.set()
        watcher.join()
        load_.finish()
        result = {
            "benchmark": "purge",
            "database": "postgresql",
            "purge": "cases.services.rejected_crops_purge_batched (face crops of rejected matches)",
            "batch_size": 5000,
            "loaded": loaded,
            "rows_deleted": purge["purged"],
            "batches": purge["batches"],
            "seconds": round(purge["seconds"], 1),
            "rows_per_s": round(purge["purged"] / purge["seconds"], 1),
            "longest_transaction_ms": round(purge["longest_batch_ms"], 1),
            "longest_transaction_ms_seen_by_server": round(longest[0], 1),
            "files_not_deleted": purge["files_not_deleted"],
            "api": {
                "endpoint": "GET /api/cases/ (beat officer, token)",
                "clients": CLIENTS,
                "server": "gunicorn deploy/gunicorn.conf.py, 2 workers x 4 threads, production settings, pool on",
                "before": load_.between(baseline_start, purge_start),
                "during_purge": load_.between(purge_start, purge_end),
            },
            "after": _after(env),
            "machine": {"cpus": os.cpu_count(), "load_average_1m_at_end": round(os.getloadavg()[0], 2)},
        }
        print(json.dumps(result))
    finally:
        if server is not None:
            server.stop()
        if not KEEP_DB:
            database(DB_URL, "drop")
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
