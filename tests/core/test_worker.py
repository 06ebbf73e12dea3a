"""A real Celery worker process takes a task off the real broker and runs it to completion.

The task is defined here, not in production code: the worker is told to import this module
(``celery worker --include``), and the task answers through the database that the worker shares
with the test: it renames a force that the test created to a name carrying the worker's process id."""

import os

import pytest
from celery import shared_task
from django.conf import settings

from accounts.models import Force
from tests.conftest import port_open, require, wait_for
from tests.factories import ForceFactory

pytestmark = pytest.mark.worker


@shared_task(name="tests.core.worker_probe")
def worker_probe(force_id: int) -> None:
    """Run by the worker: mark the force as seen by this process."""
    Force.objects.filter(pk=force_id).update(name=f"seen by worker {os.getpid()}")


@pytest.fixture
def celery_worker_imports() -> list[str]:
    return [__name__]


def test_worker_process_runs_enqueued_task(celery_worker_process):
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        require(port_open("127.0.0.1", 6379), "Redis is not reachable on 127.0.0.1:6379")
    force = ForceFactory(name="not seen yet")
    result = worker_probe.delay(force.pk)
    name = wait_for(
        lambda: Force.objects.get(pk=force.pk).name.startswith("seen by") and Force.objects.get(pk=force.pk).name,
        timeout=90,
        what=f"the worker to run task {result.id} (worker running: {celery_worker_process.poll() is None})",
    )
    # Run by the worker process (with the solo pool, in the process the fixture started), not eagerly here.
    assert name == f"seen by worker {celery_worker_process.pid}" != f"seen by worker {os.getpid()}"
    assert celery_worker_process.poll() is None  # and the worker is still up
