"""Production's web process: gunicorn with deploy/gunicorn.conf.py and production settings."""

import contextlib
import http.client
import json
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import REPO, free_port, subprocess_env, wait_for


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status, json.loads(r.read())
    except OSError:
        return None


def media_of_gunicorn(tmp_path) -> Path:
    """The media folder of ``gunicorn(tmp_path)`` under the test settings (their own var/ folder)."""
    return tmp_path / "var" / "test-gunicorn" / "media"


@contextlib.contextmanager
def gunicorn(tmp_path, *, prefix: tuple[str, ...] = (), **env_extra):
    """gunicorn with the deploy config on a free port, serving this test's database, with its own var/ folder
    (``media_of_gunicorn``); yields the port (and ``gunicorn.master``, the master process). ``prefix`` is a
    command that runs gunicorn (``small_filesystem``)."""
    port = free_port()
    own_var = {"RETRACE_VAR_DIR": str(tmp_path / "var"), "RETRACE_TEST_SLOT": "gunicorn"}
    env = subprocess_env(GUNICORN_WORKERS="1", **{**own_var, **env_extra})
    log_path = tmp_path / "gunicorn.log"
    log = open(log_path, "w")
    cmd = [*prefix, sys.executable, "-m", "gunicorn", "config.wsgi:application", "-c", "deploy/gunicorn.conf.py"]
    proc = subprocess.Popen([*cmd, "--bind", f"127.0.0.1:{port}"], cwd=REPO, env=env, stdout=log, stderr=log)
    try:
        wait_for(lambda: _get(f"http://127.0.0.1:{port}/healthz"), timeout=30, what="gunicorn")
        gunicorn.master = proc
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
        print(log_path.read_text()[-3000:])


@pytest.mark.django_db(transaction=True)
def test_gunicorn_with_deploy_config_serves_healthz(tmp_path):
    production = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "test-only-secret-key-for-gunicorn",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    with gunicorn(tmp_path, **production) as port:
        status, body = _get(f"http://127.0.0.1:{port}/healthz")
    assert status == 200
    assert body == {"status": "ok", "database": "ok", "broker": "ok"}
    log = (tmp_path / "gunicorn.log").read_text()
    frozen = re.search(r"worker \d+: (\d+) start-up objects frozen", log)
    assert frozen and int(frozen.group(1)) > 10_000, log[-2000:]  # Django and the project, out of full collections


def _multipart(size: int) -> tuple[bytes, str]:
    return _multipart_file(b"\xff\xd8\xff\xe0" + b"\0" * size, "till.jpg")


def _multipart_file(data: bytes, name: str) -> tuple[bytes, str]:
    boundary = "retrace-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.django_db(transaction=True)
def test_refused_uploads_keep_the_connection_usable(world, tmp_path):
    """Uploads refused before their body is read (a user without a role, on the page and
    the API) on one keep-alive connection, then a plain GET: every request gets its answer."""
    from django.conf import settings
    from django.test import Client

    from tests.incidents.factories import IncidentFactory

    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    client = Client()
    client.force_login(world.norole)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    body, content_type = _multipart(1024 * 1024)  # well past what gunicorn drains by itself (64 KB)
    paths = [f"/incidents/{incident.pk}/evidence/", f"/api/incidents/{incident.pk}/evidence/"] * 2
    answers = []
    with gunicorn(tmp_path) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            for path in paths:
                headers = {"Cookie": cookie, "Content-Type": content_type}
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                answers.append(response.status)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            answers.append(response.status)
        finally:
            conn.close()
    assert answers == [403, 403, 403, 403, 200]


def test_a_restart_lets_an_upload_run_as_long_as_a_request_may():
    """On a restart gunicorn waits for uploads in progress as long as it lets a request run."""
    conf = runpy.run_path(str(REPO / "deploy" / "gunicorn.conf.py"))
    assert conf["graceful_timeout"] >= conf["timeout"] >= 300


def _worker_pids(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [int(pid) for pid in children]


@pytest.mark.django_db(transaction=True)
def test_an_upload_cut_by_a_killed_web_process_leaves_nothing_after_the_sweep(world, tmp_path, settings):
    """Kill -9 the web worker while a 4 MB upload arrives. Django's temporary upload file is
    left in FILE_UPLOAD_TEMP_DIR (not the system's temporary folder), nothing in media; the orphan sweep deletes
    it once it is older than ORPHAN_FILE_MIN_AGE_HOURS, and logs it."""
    from django.test import Client
    from django.utils import timezone

    from incidents.housekeeping import orphans_sweep
    from tests.incidents.factories import IncidentFactory

    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    client = Client()
    client.force_login(world.a.worker)
    session = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    cookie = f"{session}; {settings.CSRF_COOKIE_NAME}={'a' * 32}"  # CSRF is checked once the body is read
    media, upload_tmp = media_of_gunicorn(tmp_path), tmp_path / "upload-tmp"
    body, content_type = _multipart(8 * 1024 * 1024)
    head = (
        f"POST /incidents/{incident.pk}/evidence/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with gunicorn(tmp_path, FILE_UPLOAD_TEMP_DIR=str(upload_tmp)) as port:
        workers = _worker_pids(gunicorn.master.pid)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(head + body[: 4 * 1024 * 1024])  # half of it: the upload is still arriving
            spooled = wait_for(lambda: list(upload_tmp.glob("*.upload*")), timeout=20, what="the upload spooling")
            for pid in workers:
                os.kill(pid, signal.SIGKILL)
            wait_for(lambda: not Path(f"/proc/{workers[0]}").exists(), timeout=10, what="the worker to die")
    assert spooled and all(path.exists() for path in spooled)  # left behind by the killed process
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]

    settings.MEDIA_ROOT, settings.FILE_UPLOAD_TEMP_DIR = media, str(upload_tmp)
    assert orphans_sweep().counts()["upload_temp"] == 0  # younger than a day: kept
    result = orphans_sweep(now=timezone.now() + timedelta(hours=25))
    assert sorted(result.upload_temp) == sorted(map(str, spooled))
    assert list(upload_tmp.iterdir()) == []


def small_filesystem(mountpoint: Path, size: str) -> tuple[str, ...]:
    """A command prefix: run the command in its own mount namespace (an unprivileged user namespace, no root
    needed) with a real filesystem of ``size`` (tmpfs) mounted at ``mountpoint``; skip where the kernel
    does not allow it."""
    mount = f'mount -t tmpfs -o size={size} tmpfs "$0" && exec "$@"'
    prefix = ("unshare", "--user", "--map-root-user", "--mount", "sh", "-c", mount, str(mountpoint))
    try:
        tried = subprocess.run([*prefix, "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot make a small filesystem here: {exc}")
    if tried.returncode != 0:
        pytest.skip(f"cannot make a small filesystem here: {tried.stderr.decode()[-200:]}")
    return prefix


def _noise_jpeg(seed: int) -> bytes:
    import io

    import numpy as np
    from PIL import Image

    pixels = np.random.default_rng(seed).integers(0, 255, (384, 384, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


@pytest.mark.django_db(transaction=True)
def test_media_on_a_small_filesystem_fills_up_with_507s_and_no_orphan(world, tmp_path, settings):
    """The media folder on a 1 MB filesystem, uploads until it is full.
    Each answer is 201 or 507 storage_full (never 500), and every file left on it is an exhibit a row names,
    complete: no empty or partial file, no temporary name."""
    from django.test import Client

    from incidents.models import Evidence
    from tests.incidents.factories import IncidentFactory

    media = media_of_gunicorn(tmp_path)
    media.mkdir(parents=True)
    prefix = small_filesystem(media, "1m")
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    client = Client()
    client.force_login(world.a.worker)
    csrf = "b" * 32
    session = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = {"Cookie": f"{session}; {settings.CSRF_COOKIE_NAME}={csrf}", "X-CSRFToken": csrf}
    answers = []
    with gunicorn(tmp_path, prefix=prefix) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for seed in range(14):  # about 150 KB each: 2 MB in all, twice the room
            body, content_type = _multipart_file(_noise_jpeg(seed), f"till-{seed}.jpg")
            conn.request(
                "POST", f"/api/incidents/{incident.pk}/evidence/", body, {**headers, "Content-Type": content_type}
            )
            response = conn.getresponse()
            answer = json.loads(response.read())
            answers.append((response.status, answer.get("code") if isinstance(answer, dict) else None))
        conn.close()
        # the filesystem as gunicorn sees it (its own mount namespace)
        on_disk = Path(f"/proc/{gunicorn.master.pid}/root") / str(media).lstrip("/")
        left = {str(p.relative_to(on_disk)): p.stat().st_size for p in on_disk.rglob("*") if p.is_file()}
    accepted, full = answers.count((201, None)), answers.count((507, "storage_full"))
    print(f"small filesystem: {accepted} accepted, {full} refused as storage_full, {len(left)} files left")
    assert accepted + full == len(answers), answers
    assert accepted >= 3 and full >= 3, answers
    rows = {e.file.name: e.size for e in Evidence.objects.filter(incident=incident)}
    assert len(rows) == accepted
    assert left == rows  # every file a complete exhibit its row names; nothing else
