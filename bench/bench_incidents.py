"""Incidents benchmark: creation throughput and p95 latency on PostgreSQL under gunicorn, and the web
process's peak memory growth while a 500 MB video uploads. Prints one JSON object.

    .venv/bin/python -m bench.bench_incidents

It creates (and afterwards drops) its own PostgreSQL database, ``BENCH_DATABASE_URL`` (default
postgres://postgres@127.0.0.1:5432/retrace_bench_incidents), starts gunicorn with
``deploy/gunicorn.conf.py`` and production settings on 127.0.0.1, and sends a bounded number of
requests. The video is generated here: a short valid MP4 written by OpenCV, padded to size with an
ISO ``free`` box (valid MP4 that OpenCV still opens). Sizes: ``BENCH_INCIDENTS_REQUESTS``
(default 400), ``BENCH_INCIDENTS_CONCURRENCY`` (8), ``BENCH_VIDEO_MB`` (500).
"""

import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from bench.common import database, manage

REPO = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retrace_bench_incidents")
REQUESTS = int(os.environ.get("BENCH_INCIDENTS_REQUESTS", "400"))
CONCURRENCY = int(os.environ.get("BENCH_INCIDENTS_CONCURRENCY", "8"))
VIDEO_MB = int(os.environ.get("BENCH_VIDEO_MB", "500"))
PASSWORD = "bench-password-not-secret"

SETUP = f"""
from accounts.models import Beat, Force, Retailer, Store, User
force = Force.objects.create(name="Bench Constabulary", code="bench")
beat = Beat.objects.create(force=force, name="Bench North")
store = Store.objects.create(retailer=Retailer.objects.create(name="Bench Foods"), beat=beat, code="B1",
    name="Bench Store", address="1 High St", postcode="ST7 2AA", latitude="53.1", longitude="-2.3")
user = User.objects.create(username="bench-worker", role="shop_worker", force=force)
user.set_password("{PASSWORD}"); user.save(); user.stores.set([store])
print(store.pk)
"""


def _db(action: str) -> None:
    database(DB_URL, action)  # DB_URL read at call time: bench_s3 points it at its own database


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(var_dir: Path, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="bench-only-secret-key",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=DB_URL,
        RETRACE_VAR_DIR=str(var_dir),
        CELERY_BROKER_URL="filesystem://",
        LOG_LEVEL="WARNING",
        TMPDIR=str(var_dir / "tmp"),
    )
    env.update(extra)
    return env


class Gunicorn:
    def __init__(self, env: dict, workers: int, threads: int, log: Path):
        self.port = _free_port()
        env = {**env, "GUNICORN_WORKERS": str(workers), "GUNICORN_THREADS": str(threads)}
        cmd = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-c", "deploy/gunicorn.conf.py"]
        cmd += ["--bind", f"127.0.0.1:{self.port}", "--access-logfile", "/dev/null"]
        self.log = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not start; see {log}")

    def request(self, method: str, path: str, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def _token(server: Gunicorn) -> str:
    body = json.dumps({"username": "bench-worker", "password": PASSWORD})
    status, data = server.request("POST", "/api/auth/token/", body, {"Content-Type": "application/json"})
    assert status == 200, data
    return json.loads(data)["token"]


def _incident_body(store_id: int) -> str:
    return json.dumps(
        {
            "store": store_id,
            "occurred_at": datetime.now(UTC).isoformat(),
            "category": "theft",
            "ongoing": False,
            "injured": False,
            "weapon": False,
            "description": "Benchmark: took a basket of groceries and left without paying.",
            "goods_value": "42.00",
        }
    )


def bench_creation(server: Gunicorn, token: str, store_id: int) -> dict:
    headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}
    local = threading.local()

    def one(_):
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        started = time.perf_counter()
        conn.request("POST", "/api/incidents/", body=_incident_body(store_id), headers=headers)
        response = conn.getresponse()
        response.read()
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            local.conn = None
        return response.status, time.perf_counter() - started

    for _ in range(20):  # warm up connections, caches and the database
        one(None)
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        results = list(pool.map(one, range(REQUESTS)))
    elapsed = time.perf_counter() - started
    latencies = sorted(r[1] * 1000 for r in results)
    ok = sum(1 for r in results if r[0] == 201)
    return {
        "requests": REQUESTS,
        "concurrency": CONCURRENCY,
        "created": ok,
        "throughput_per_s": round(ok / elapsed, 1),
        "latency_ms_p50": round(statistics.median(latencies), 1),
        "latency_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "latency_ms_max": round(latencies[-1], 1),
    }


def make_video(path: Path, megabytes: int) -> int:
    """A valid MP4 (OpenCV VideoWriter) padded to ``megabytes`` with a top-level ``free`` box."""
    import cv2
    import numpy as np

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10.0, (320, 240))
    rng = np.random.default_rng(1)
    for _ in range(20):
        writer.write(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8))
    writer.release()
    pad = megabytes * 1024 * 1024 - path.stat().st_size
    with open(path, "ab") as f:
        f.write(pad.to_bytes(4, "big") + b"free")
        block = b"\0" * (1024 * 1024)
        left = pad - 8
        while left > 0:
            f.write(block[: min(left, len(block))])
            left -= len(block)
    return path.stat().st_size


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def upload(server: Gunicorn, token: str, incident_id: int, path: Path) -> tuple[int, float]:
    """Stream a multipart upload from disk (the client never holds the file in memory)."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{path.name}"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = len(head) + path.stat().st_size + len(tail)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    started = time.perf_counter()
    conn.putrequest("POST", f"/api/incidents/{incident_id}/evidence/")
    conn.putheader("Authorization", f"Token {token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(size))
    conn.endheaders()
    conn.send(head)
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            conn.send(chunk)
    conn.send(tail)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    if response.status != 201:
        raise RuntimeError(f"upload failed: {response.status} {body[:500]!r}")
    return size, elapsed


def bench_upload_memory(server: Gunicorn, token: str, store_id: int, work: Path) -> dict:
    headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}
    status, data = server.request("POST", "/api/incidents/", _incident_body(store_id), headers)
    incident_id = json.loads(data)["id"]
    small, big = work / "warmup.mp4", work / "cctv-500mb.mp4"
    make_video(small, 1)
    make_video(big, VIDEO_MB)
    (pid,) = server.worker_pids()
    before_warmup = _rss_kb(pid)
    upload(server, token, incident_id, small)  # first video: imports OpenCV in the web process
    baseline = _rss_kb(pid)
    peak, stop = [baseline], threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_kb(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        size, elapsed = upload(server, token, incident_id, big)
    finally:
        stop.set()
        sampler.join()
    growth_mb = (peak[0] - baseline) / 1024
    return {
        "video_mb": round(size / 1024 / 1024, 1),
        "upload_mb_per_s": round(size / 1024 / 1024 / elapsed, 1),
        "upload_seconds": round(elapsed, 2),
        "rss_baseline_mb": round(baseline / 1024, 1),
        "rss_peak_mb": round(peak[0] / 1024, 1),
        "rss_peak_growth_mb": round(growth_mb, 1),
        "rss_growth_target_mb": 64,
        "within_target": growth_mb < 64,
        "opencv_import_mb": round((baseline - before_warmup) / 1024, 1),
    }


def main() -> None:
    try:
        _db("create")
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: say so, in the same JSON shape
        print(json.dumps({"benchmark": "incidents", "skipped": f"PostgreSQL unavailable at {DB_URL}: {exc}"}))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-incidents-"))
    (work / "tmp").mkdir()
    env = _env(work)
    servers: list[Gunicorn] = []
    try:
        manage(env, "migrate", "--noinput")
        store_id = int(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
        servers.append(Gunicorn(env, workers=2, threads=4, log=work / "gunicorn-create.log"))
        token = _token(servers[0])
        creation = bench_creation(servers[0], token, store_id)
        servers.pop().stop()
        servers.append(Gunicorn(env, workers=1, threads=4, log=work / "gunicorn-upload.log"))
        memory = bench_upload_memory(servers[0], _token(servers[0]), store_id, work)
        result = {
            "benchmark": "incidents",
            "database": "postgresql",
            "server": "gunicorn deploy/gunicorn.conf.py (gthread), production settings",
            "creation": creation,
            "upload_memory": memory,
        }
        print(json.dumps(result))
    finally:
        for server in servers:
            server.stop()
        _db("drop")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
