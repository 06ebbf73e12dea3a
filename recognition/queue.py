"""Sending recognition's Celery tasks, once the current transaction commits (Saleor's rule: never
``.delay()`` inside an open transaction).

Tasks are sent by their registered name, so that no service imports ``recognition.tasks`` (which
imports the services: the task module is an entry point). ``RecognitionConfig.ready`` imports the task
module, so the names are registered in every process (web, worker, tests run eagerly).

A send never holds its caller for long: the broker's sockets time out after CELERY_BROKER_SOCKET_TIMEOUT
and a failed send is not retried here (CELERY_TASK_PUBLISH_RETRY_POLICY). The work is recorded in the
database before it is sent, so a send that fails only delays it: the sweep
(``processing.evidence_requeue_stale``) sends it once the broker is back. After a failure the process
pauses its sends for RECOGNITION_SEND_PAUSE_S, so a hung broker costs one upload the timeout, not each.
Other senders on the same broker (``notifications.queue``) call ``pause_sends`` when theirs fails and
check ``paused`` first, so a report whose sends all meet the hung broker waits out one timeout only.

Urgent evidence (``evidence_urgent``: a P1 incident's, or a store's that an order in force prohibits today)
is sent as ``recognition.evidence_process_urgent``, the same work routed to the ``recognition_urgent``
queue, which workers take before ``recognition`` (settings: CELERY_TASK_ROUTES, queue_order_strategy).
"""

import logging
import time
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from incidents.models import Incident
from orders import selectors as order_selectors

logger = logging.getLogger(__name__)

EVIDENCE_PROCESS = "recognition.evidence_process"
EVIDENCE_PROCESS_URGENT = "recognition.evidence_process_urgent"
RESEARCH_JOB_RUN = "recognition.research_job_run"

# time.monotonic() before which this process does not try the broker (after a failed send).
_paused_until = 0.0


def evidence_urgent(*, incident_id: int) -> bool:
    """The incident's evidence goes ahead of the backlog: it is a P1, or its store is covered by a
    prohibition of an order in force today (``orders.selectors.prohibitions_in_force``, the one home of
    that rule). One query for a P1; the prohibitions' query (and its prefetches) for the rest."""
    incident = Incident.objects.select_related("store__beat").filter(pk=incident_id).first()
    if incident is None:
        return False
    if incident.priority == Incident.Priority.P1:
        return True
    return bool(order_selectors.prohibitions_in_force(store=incident.store, at=timezone.now()))


def evidence_task(*, urgent: bool) -> str:
    """The task that processes an evidence file: the urgent one is routed to ``recognition_urgent``."""
    return EVIDENCE_PROCESS_URGENT if urgent else EVIDENCE_PROCESS


def send(task_name: str, *args) -> None:
    """Send now (the caller is outside any transaction, or has committed). Raises if the broker cannot
    take it."""
    current_app.tasks[task_name].delay(*args)


def paused() -> bool:
    """True while this process skips sends after a failed one. Never when tasks run eagerly (tests):
    there is no broker to spare then."""
    return time.monotonic() < _paused_until and not current_app.conf.task_always_eager


def pause_sends() -> None:
    """A send to the broker failed just now (here or in another app's sender): skip sends in this process
    for RECOGNITION_SEND_PAUSE_S."""
    global _paused_until
    _paused_until = time.monotonic() + settings.RECOGNITION_SEND_PAUSE_S


def try_send(task_name: str, *args, wait_out_pause: bool = False) -> bool:
    """Send now; False (logged) when the broker could not take it, or sends are paused after a failure
    (unless ``wait_out_pause``: the sweep tries the broker whatever an upload met)."""
    global _paused_until
    if paused() and not wait_out_pause:
        logger.warning("recognition: %s%r not sent (the broker failed just now); the sweep sends it", task_name, args)
        return False
    try:
        send(task_name, *args)
    except Exception:  # noqa: BLE001 - the record stays queued: the sweep sends what was not sent
        pause_sends()
        logger.exception("recognition: could not send %s%r; the sweep will send it", task_name, args)
        return False
    _paused_until = 0.0
    return True


def send_on_commit(task_name: str, *args, on_sent: Callable[[], None] | None = None) -> None:
    """Send once the transaction commits, then call ``on_sent`` (which records the send). A broker that
    cannot take it leaves the work queued in the database, logged, for the sweep."""

    def deliver() -> None:
        if try_send(task_name, *args) and on_sent is not None:
            on_sent()

    transaction.on_commit(deliver)
