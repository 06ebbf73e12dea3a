"""Production's web process: gunicorn with deploy/gunicorn.conf.py and production settings."""

import json
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import REPO, free_port, subprocess_env, wait_for


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status, json.loads(r.read())
    except OSError:
        return None


@pytest.mark.django_db(transaction=True)
def test_gunicorn_with_deploy_config_serves_healthz(tmp_path):
    port = free_port()
    env = subprocess_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="test-only-secret-key-for-gunicorn",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_WORKERS="1",
    )
    log = open(tmp_path / "gunicorn.log", "w")
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-c", "deploy/gunicorn.conf.py"]
    proc = subprocess.Popen([*cmd, "--bind", f"127.0.0.1:{port}"], cwd=REPO, env=env, stdout=log, stderr=log)
    try:
        status, body = wait_for(lambda: _get(f"http://127.0.0.1:{port}/healthz"), timeout=30, what="gunicorn")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    assert status == 200, (tmp_path / "gunicorn.log").read_text()[-2000:]
    assert body == {"status": "ok", "database": "ok", "broker": "ok"}
