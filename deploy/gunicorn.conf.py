"""gunicorn settings, shared by `make run` and production. Override with GUNICORN_* variables."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Each worker process has its own database pool (DATABASE_POOL_MAX_SIZE, default 8): keep it at least
# GUNICORN_THREADS, so that no request waits for a connection; the web tier then opens at most
# GUNICORN_WORKERS x DATABASE_POOL_MAX_SIZE connections (2 x 8 = 16 here). config/settings/components/database.py.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# Large CCTV uploads on slow links: be patient with the request, strict with idle keep-alive.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
# On a restart (a deploy, max_requests below) an upload in progress may finish for this long: as long as the
# request timeout (300 s: a 1 GB video at about 30 Mbit/s). A longer one is cut; it leaves only temporary
# files, which the orphan sweep deletes, and the portal's uploader sends it again. The service manager must
# wait longer than this before it kills the process (systemd TimeoutStopSec, compose stop_grace_period).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", str(timeout)))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Once the worker has loaded the app: its start-up objects are left out of full garbage collections
    (``core.heap``), which otherwise walk them all, some 100 ms a time, in the middle of a request."""
    from core.heap import freeze_startup_objects

    worker.log.info("worker %s: %d start-up objects frozen", worker.pid, freeze_startup_objects())
