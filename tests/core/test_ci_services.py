"""In CI the suite runs on the real parts: PostgreSQL and Redis."""

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import in_ci


@pytest.mark.django_db
def test_ci_runs_on_postgresql_and_redis():
    if not in_ci():
        pytest.skip("not CI: the suite may run on SQLite and the embedded broker here")
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def test_embedded_default_uses_wal_and_busy_timeout(tmp_path):
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "RETRACE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    code = (
        "import django; django.setup();"
        "from django.conf import settings; from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "print(settings.CELERY_BROKER_URL, settings.MEDIA_ROOT)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR)
    assert out.returncode == 0, out.stderr
    journal, broker_line = out.stdout.split("\n")[:2]
    assert journal == "wal"
    assert broker_line == f"filesystem:// {tmp_path / 'media'}"
