"""Sending recognition's Celery tasks, once the current transaction commits (Saleor's rule: never
``.delay()`` inside an open transaction).

Tasks are sent by their registered name, so that no service imports ``recognition.tasks`` (which
imports the services: the task module is an entry point). ``RecognitionConfig.ready`` imports the task
module, so the names are registered in every process (web, worker, tests run eagerly).
"""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

EVIDENCE_PROCESS = "recognition.evidence_process"
RESEARCH_JOB_RUN = "recognition.research_job_run"


def send(task_name: str, *args) -> None:
    """Send now (the caller is outside any transaction, or has committed)."""
    current_app.tasks[task_name].delay(*args)


def send_on_commit(task_name: str, *args) -> None:
    """Send once the transaction commits. A broker that cannot take it leaves the work queued in the
    database, logged; the safety net (``processing.evidence_requeue_stale``) sends it again later."""

    def deliver() -> None:
        try:
            send(task_name, *args)
        except Exception:  # noqa: BLE001 - the record stays queued: lost sends are re-sent by the sweep
            logger.exception("recognition: could not send %s%r; the safety net will re-send it", task_name, args)

    transaction.on_commit(deliver)
