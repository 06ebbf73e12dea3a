"""Sending notification tasks by name, once the transaction that made the news commits (Saleor's rule:
never ``.delay()`` inside an open transaction). No module but the task module imports the tasks:
``NotificationsConfig.ready`` registers them in every process.

A send that fails (the broker down or hung) is logged and never reaches the caller: an email must never
stop an incident being reported or a case being raised. The sweep (``notifications.housekeeping_catch_up``)
sends what was missed. While this process has paused its sends after a failure (``recognition.queue``, the
same broker), no send is tried: a hung broker costs a report its socket timeout once, not twice."""

import logging

from celery import current_app
from django.db import transaction

from recognition import queue as recognition_queue

logger = logging.getLogger(__name__)

P1_INCIDENT_NOTIFY = "notifications.p1_incident_notify"
BREACH_CASE_NOTIFY = "notifications.breach_case_notify"
DIGEST_SEND = "notifications.digest_send"


def try_send(task_name: str, *args) -> bool:
    """Send now; False (logged) when it could not be sent or, run eagerly, failed."""
    if recognition_queue.paused():
        logger.warning("notifications: %s%r not sent (the broker failed just now); the sweep sends it", task_name, args)
        return False
    try:
        current_app.tasks[task_name].delay(*args)
    except Exception:  # noqa: BLE001 - the sweep sends what was missed; the caller's work stands
        logger.exception("notifications: could not send %s%r; the catch-up sweep will", task_name, args)
        return False
    return True


def send_on_commit(task_name: str, *args) -> None:
    transaction.on_commit(lambda: try_send(task_name, *args))
