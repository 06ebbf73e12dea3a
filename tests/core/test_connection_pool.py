"""psycopg's connection pool under Django (config/settings/components/database.py): one per process, never
more connections than its max_size whatever the number of threads, and a clear error, not a hang, when
every connection stays busy beyond the pool's timeout."""

import copy
import json
import os
import subprocess
import sys
import threading
import time
import uuid

import psycopg
import pytest
from django.db import OperationalError, connection, connections, transaction

from accounts.models import User
from tests.conftest import REPO, require

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pool_of():
    """The default database's pool, rebuilt with ``max_size`` and ``timeout`` (as settings would make it)
    and its connections named so that pg_stat_activity tells them apart; the real one is put back after."""
    require(connection.vendor == "postgresql", "the connection pool is PostgreSQL's (psycopg)")
    settings_dict = connections["default"].settings_dict  # shared by every thread's wrapper
    saved = copy.deepcopy({k: settings_dict[k] for k in ("OPTIONS", "CONN_MAX_AGE")})
    app_name = f"retrace-pool-{uuid.uuid4().hex[:8]}"

    def make(*, max_size: int, timeout: float) -> str:
        connection.close()
        connection.close_pool()
        settings_dict["CONN_MAX_AGE"] = 0
        settings_dict["OPTIONS"]["pool"] = {"min_size": 1, "max_size": max_size, "timeout": timeout}
        settings_dict["OPTIONS"]["application_name"] = app_name
        return app_name

    yield make
    connection.close()
    connection.close_pool()
    settings_dict["OPTIONS"].clear()
    settings_dict["OPTIONS"].update(saved["OPTIONS"])
    settings_dict["CONN_MAX_AGE"] = saved["CONN_MAX_AGE"]


def outside_connection() -> psycopg.Connection:
    """The test's own session, outside Django and its pool."""
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None,
        dbname=s["NAME"], autocommit=True,
    )  # fmt: skip


def server_connections(watcher: psycopg.Connection, app_name: str) -> int:
    row = watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [app_name]).fetchone()
    return row[0] if row else 0


def test_32_threads_share_at_most_max_size_connections(pool_of):
    User.objects.create(username="pool-probe")
    app_name = pool_of(max_size=4, timeout=30)
    pids, counts, errors, done = set(), [], [], threading.Event()

    def request_thread() -> None:
        try:
            for _ in range(5):  # five "requests", each handing its connection back at its end (close)
                assert User.objects.filter(username="pool-probe").count() == 1
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid(), pg_sleep(0.01)")
                    pids.add(cursor.fetchone()[0])
                connection.close()
        except Exception as exc:  # noqa: BLE001 - any failure is reported below, with the thread's
            errors.append(exc)

    def watch() -> None:
        with outside_connection() as watcher:
            while not done.is_set():
                counts.append(server_connections(watcher, app_name))
                time.sleep(0.005)

    observer = threading.Thread(target=watch)
    observer.start()
    threads = [threading.Thread(target=request_thread) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    observer.join(timeout=30)

    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    assert 1 <= len(pids) <= 4  # the 160 queries of 32 threads went through at most 4 server sessions
    assert len(counts) > 10 and 1 <= max(counts) <= 4  # the server never saw more (the watcher is apart)
    with outside_connection() as watcher:
        assert server_connections(watcher, app_name) <= 4


def test_a_pool_busy_beyond_its_timeout_is_a_clear_error_not_a_hang(pool_of):
    pool_of(max_size=2, timeout=0.5)
    holding, release = threading.Barrier(3), threading.Event()

    def long_request() -> None:
        with transaction.atomic():
            User.objects.count()
            holding.wait(timeout=30)
            release.wait(timeout=60)
        connection.close()

    threads = [threading.Thread(target=long_request) for _ in range(2)]
    for thread in threads:
        thread.start()
    holding.wait(timeout=30)  # both connections are out

    started = time.monotonic()
    with pytest.raises(OperationalError, match="couldn't get a connection after 0.50 sec"):
        User.objects.count()
    waited = time.monotonic() - started
    connection.close()

    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert 0.4 <= waited < 5
    assert User.objects.count() == 0  # a connection is free again: queries succeed


def settings_with(**environ) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", **environ)
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; "
        "print(json.dumps({k: d.get(k) for k in ('CONN_MAX_AGE', 'DISABLE_SERVER_SIDE_CURSORS', 'OPTIONS')}))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_postgresql_pools_by_default_and_not_behind_pgbouncer():
    url = "postgres://retrace@db.example:5432/retrace"
    pooled = settings_with(DATABASE_URL=url, DATABASE_POOL_MAX_SIZE="6", DATABASE_POOL_TIMEOUT="2.5")
    assert pooled["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 6, "timeout": 2.5}
    assert pooled["CONN_MAX_AGE"] == 0 and not pooled["DISABLE_SERVER_SIDE_CURSORS"]

    behind_pgbouncer = settings_with(DATABASE_URL=url, DATABASE_POOL="false")
    assert "pool" not in behind_pgbouncer["OPTIONS"]
    assert behind_pgbouncer["CONN_MAX_AGE"] == 0 and behind_pgbouncer["DISABLE_SERVER_SIDE_CURSORS"] is True

    sqlite = settings_with()
    assert "pool" not in sqlite["OPTIONS"] and "transaction_mode" in sqlite["OPTIONS"]
