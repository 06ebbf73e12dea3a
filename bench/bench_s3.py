"""S3 media benchmark, against moto's S3 server: a 200 MB and a 1 GB video uploaded through the API of a
gunicorn web process whose media is on S3 (``STORAGE_BACKEND=s3``), with that process's peak memory growth
while each streams in and out in multipart chunks; then the evidence pack's re-verification of those exhibits
(``cases.pack.sha256_of_stored``: read back from S3 and hashed), in MB/s. Prints one JSON object.

    .venv/bin/python -m bench.bench_s3

Moto runs as its own process (``python -m moto.server``) on a free port of 127.0.0.1; its speed, not S3's, is
what the throughput figures measure. The database is created and dropped here: ``BENCH_S3_DATABASE_URL``
(default postgres://postgres@127.0.0.1:5432/retrace_bench_s3). Sizes: ``BENCH_S3_VIDEO_MB`` (default
"200,1024"). Videos are made by ``bench.bench_incidents.make_video`` (a short MP4 padded with a ``free`` box).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import bench_incidents as web

DB_URL = os.environ.get("BENCH_S3_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retrace_bench_s3")
SIZES_MB = [int(n) for n in os.environ.get("BENCH_S3_VIDEO_MB", "200,1024").split(",")]
BUCKET = "retrace-bench-media"
KEYS = {"S3_ACCESS_KEY_ID": "bench-key", "S3_SECRET_ACCESS_KEY": "bench-secret", "S3_REGION_NAME": "us-east-1"}

VERIFY = """
import json, resource, time
from cases.pack import sha256_of_stored
from incidents.models import Evidence
out = []
for evidence in Evidence.objects.order_by("size"):
    started = time.perf_counter()
    actual = sha256_of_stored(evidence.file)
    seconds = time.perf_counter() - started
    out.append({"mb": round(evidence.size / 2**20, 1), "seconds": round(seconds, 2),
                "mb_per_s": round(evidence.size / 2**20 / seconds, 1), "hash_matches": actual == evidence.sha256})
print(json.dumps({"exhibits": out, "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""


class Moto:
    def __init__(self, log: Path):
        self.port = web._free_port()
        self.log = open(log, "w")  # noqa: SIM115 - closed in stop()
        cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=KEYS["S3_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["S3_SECRET_ACCESS_KEY"],
            region_name=KEYS["S3_REGION_NAME"],
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                client.create_bucket(Bucket=BUCKET)
                return
            except Exception:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def upload_measured(server, token: str, incident_id: int, path: Path, pid: int) -> dict:
    """One upload through the API, the web worker's RSS sampled every 10 ms meanwhile."""
    baseline = _status_kb(pid, "VmRSS")
    peak, stop = [baseline], threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], _status_kb(pid, "VmRSS"))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        size, elapsed = web.upload(server, token, incident_id, path)
    finally:
        stop.set()
        sampler.join()
    return {
        "video_mb": round(size / 2**20, 1),
        "upload_seconds": round(elapsed, 2),
        "upload_mb_per_s": round(size / 2**20 / elapsed, 1),
        "rss_baseline_mb": round(baseline / 1024, 1),
        "rss_peak_mb": round(peak[0] / 1024, 1),
        "rss_peak_growth_mb": round((peak[0] - baseline) / 1024, 1),
    }


def main() -> None:
    web.DB_URL = DB_URL  # bench_incidents' database helpers, on this benchmark's database
    try:
        web._db("create")
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: say so, in the same JSON shape
        print(json.dumps({"benchmark": "s3", "skipped": f"PostgreSQL unavailable at {DB_URL}: {exc}"}))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-s3-"))
    (work / "tmp").mkdir()
    moto, server = None, None
    try:
        moto = Moto(work / "moto.log")
        s3 = {"STORAGE_BACKEND": "s3", "S3_BUCKET_NAME": BUCKET, "S3_ENDPOINT_URL": moto.endpoint, **KEYS}
        env = web._env(work, DJANGO_SECURE_SSL_REDIRECT="false", **s3)  # plain HTTP on 127.0.0.1
        env.setdefault("INCIDENT_VIDEO_MAX_BYTES", str((max(SIZES_MB) + 16) * 2**20))
        web._manage(env, "migrate", "--noinput")
        store_id = int(web._manage(env, "shell", "-c", web.SETUP).strip().splitlines()[-1])
        server = web.Gunicorn(env, workers=1, threads=4, log=work / "gunicorn.log")
        token = web._token(server)
        headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}
        incident_id = json.loads(server.request("POST", "/api/incidents/", web._incident_body(store_id), headers)[1])[
            "id"
        ]
        (pid,) = server.worker_pids()
        warmup = work / "warmup.mp4"
        web.make_video(warmup, 1)
        web.upload(server, token, incident_id, warmup)  # imports OpenCV and boto3 in the web process
        uploads = []
        for megabytes in SIZES_MB:
            video = work / f"cctv-{megabytes}mb.mp4"
            web.make_video(video, megabytes)
            uploads.append(upload_measured(server, token, incident_id, video, pid))
            video.unlink()
        server.stop()
        server = None
        verify = json.loads(web._manage(env, "shell", "-c", VERIFY).strip().splitlines()[-1])
        result = {
            "benchmark": "s3",
            "object_store": "moto server 5.2.5 (python -m moto.server), 127.0.0.1",
            "server": "gunicorn deploy/gunicorn.conf.py (gthread, 1 worker), production settings, STORAGE_BACKEND=s3",
            "uploads": uploads,
            "pack_reverification": verify,
        }
        print(json.dumps(result))
    finally:
        if server is not None:
            server.stop()
        if moto is not None:
            moto.stop()
        web._db("drop")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
