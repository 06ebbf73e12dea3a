"""Thin Celery tasks: fetch by id, call the workflow. Matching runs on the "recognition" queue (urgent
evidence on "recognition_urgent", which workers take first), the sweep on "housekeeping" (routed in
settings), so that a backlog of files never delays the sweep.

Acks are late and a lost worker's task is rejected back to the queue; a worker killed outright leaves
its file "running" with a heartbeat that stops, and the sweep sends it again (on every broker). The
work is idempotent. Only database errors (transient) are retried. Services send these tasks by name
(``recognition.queue``), never by importing this module.
"""

import logging

from celery import shared_task
from celery.signals import worker_init
from django.conf import settings
from django.db import DatabaseError

from recognition import engine
from recognition.weights import WeightsMissing
from workflows import evidence as evidence_workflow

logger = logging.getLogger(__name__)


def _runs_matching(worker) -> bool:
    """The worker consumes the recognition queue (or every queue). A housekeeping-only worker does not
    need the face model."""
    try:
        consumed = worker.app.amqp.queues.consume_from
    except AttributeError:
        return True
    return not consumed or bool({settings.RECOGNITION_QUEUE, settings.RECOGNITION_URGENT_QUEUE} & set(consumed))


@worker_init.connect
def _load_face_model(sender=None, **kwargs) -> None:
    """Fail at worker start-up, saying what to run, when the weights are missing; else load the model
    once, before the first task (forked pool processes inherit it)."""
    if sender is not None and not _runs_matching(sender):
        return
    try:
        engine.get_engine()
    except WeightsMissing as exc:
        logger.critical("%s", exc)
        raise SystemExit(str(exc)) from exc


# A file is handed back if its worker dies, retried on a database error, and stopped past its time limit.
MATCHING_TASK = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "max_retries": 5,
    "soft_time_limit": settings.RECOGNITION_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.RECOGNITION_TASK_SOFT_TIME_LIMIT + 60,
}


@shared_task(name="recognition.evidence_process", **MATCHING_TASK)
def evidence_process_task(evidence_id: int) -> str | None:
    processing = evidence_workflow.evidence_matching_run(evidence_id=evidence_id)
    return None if processing is None else processing.status


@shared_task(name="recognition.evidence_process_urgent", **MATCHING_TASK)
def evidence_process_urgent_task(evidence_id: int) -> str | None:
    """The same work for urgent evidence (a P1's, or a store's an order in force prohibits), routed to the
    ``recognition_urgent`` queue that workers take first (a retry goes back there too)."""
    return evidence_process_task(evidence_id)


@shared_task(name="recognition.requeue_stale", acks_late=True, soft_time_limit=120, time_limit=180)
def requeue_stale_task() -> dict:
    """The sweep (beat, every RECOGNITION_SWEEP_EVERY_S): see ``processing.evidence_requeue_stale``."""
    return evidence_workflow.requeue_stale()


@shared_task(
    name="recognition.research_job_run",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    max_retries=5,
    soft_time_limit=settings.RECOGNITION_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.RECOGNITION_TASK_SOFT_TIME_LIMIT + 60,
)
def research_job_run_task(self, job_id: int) -> str | None:
    """Run a re-search job (idempotent and resumable: files already searched are not searched again).
    A job that used half its time limit carries on in a fresh task, so a long one never hits the limit."""
    job = evidence_workflow.research_job_run(job_id=job_id, budget_s=settings.RECOGNITION_TASK_SOFT_TIME_LIMIT / 2)
    if job is None:
        return None
    if job.status == job.Status.RUNNING:
        self.apply_async(args=[job_id])
    return job.status
