"""A real Celery worker process takes a task off the real broker and runs it to completion."""

import pytest
from django.conf import settings

from core.models import WorkerHeartbeat
from core.tasks import heartbeat
from tests.conftest import port_open, require, wait_for


@pytest.mark.worker
def test_worker_process_runs_enqueued_task(celery_worker_process):
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        require(port_open("127.0.0.1", 6379), "Redis is not reachable on 127.0.0.1:6379")
    result = heartbeat.delay("worker-test")
    row = wait_for(
        lambda: WorkerHeartbeat.objects.filter(note="worker-test").first(),
        timeout=90,
        what=f"the worker to run task {result.id} (worker running: {celery_worker_process.poll() is None})",
    )
    assert row.hostname  # written by the worker process, not by this one
    assert celery_worker_process.poll() is None  # and the worker is still up
