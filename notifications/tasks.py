"""Thin Celery tasks: fetch by id, call the service. Sent by name (``notifications.queue``) once the
news is committed; the digest and the catch-up sweep are run by beat (config/settings/components/celery.py).

A mail server that is down or refuses is retried with back-off (NOTIFICATIONS_RETRY_BACKOFF_S doubling up
to NOTIFICATIONS_RETRY_BACKOFF_MAX_S, NOTIFICATIONS_MAX_RETRIES times); the task then gives up, the worker
carries on, and the unsent rows wait for the sweep. Each email is recorded once and stamped when sent, so
a retried or redelivered task never sends it twice.
"""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from notifications import queue, services

logger = logging.getLogger(__name__)


def _backoff(retries: int) -> float:
    return min(settings.NOTIFICATIONS_RETRY_BACKOFF_S * (2**retries), settings.NOTIFICATIONS_RETRY_BACKOFF_MAX_S)


def _run(task, notify, **kwargs) -> int:
    try:
        return notify(**kwargs).sent
    except services.NotificationsNotSent as exc:
        raise task.retry(
            exc=exc, countdown=_backoff(task.request.retries), max_retries=settings.NOTIFICATIONS_MAX_RETRIES
        ) from exc


@shared_task(bind=True, name=queue.P1_INCIDENT_NOTIFY, acks_late=True)
def p1_incident_notify_task(self, incident_id: int) -> int:
    return _run(self, services.p1_incident_notify, incident_id=incident_id)


@shared_task(bind=True, name=queue.BREACH_CASE_NOTIFY, acks_late=True)
def breach_case_notify_task(self, case_id: int) -> int:
    return _run(self, services.breach_case_notify, case_id=case_id)


@shared_task(bind=True, name=queue.DIGEST_SEND, acks_late=True)
def digest_send_task(self, user_id: int, day: str) -> int:
    return _run(self, services.digest_send, user_id=user_id, day=datetime.date.fromisoformat(day))


@shared_task(name="notifications.digest_send_all")
def digest_send_all_task() -> int:
    """Beat, each morning: one digest task per person who gets it (so that one failure delays no other)."""
    day = timezone.localdate().isoformat()
    user_ids = services.digest_user_ids()
    for user_id in user_ids:
        queue.try_send(queue.DIGEST_SEND, user_id, day)
    return len(user_ids)


@shared_task(name="notifications.housekeeping_catch_up")
def catch_up_task() -> dict:
    """Beat: send what was missed in the last NOTIFICATIONS_CATCH_UP_HOURS (never twice)."""
    return services.catch_up(hours=settings.NOTIFICATIONS_CATCH_UP_HOURS)
