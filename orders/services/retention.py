"""Retention: the reference photos (and so the face templates) of people whose last order ended more than
ORDERS_RETENTION_DAYS days ago are deleted, nightly (``orders.tasks``), each deletion logged and audited.

A face template goes with its photo's row (recognition's ``FaceTemplate.reference_photo`` cascades), so
the gallery loses the person at once; the people stay on file, their orders being history. Photos chosen on a
form that was then given up (``orders.services.staged_photos``) go too, once past their hour."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orders.models import Offender
from orders.services.photos import photo_delete_under_retention
from orders.services.staged_photos import staged_photos_purge

logger = logging.getLogger(__name__)


def retention_candidates(cutoff: datetime.date) -> list[tuple[Offender, datetime.date]]:
    """Offenders with photos, at least one order, and every order ended before ``cutoff``: with their last day."""
    result = []
    offenders = Offender.objects.filter(photos__isnull=False, orders__isnull=False).distinct()
    for offender in offenders.prefetch_related("orders"):
        last_days = [o.last_day for o in offender.orders.all()]
        ended = [day for day in last_days if day is not None]
        if ended and len(ended) == len(last_days) and max(ended) < cutoff:  # none indefinite and still running
            result.append((offender, max(ended)))
    return result


def retention_purge(*, now: datetime.datetime | None = None, days: int | None = None) -> list[dict]:
    """Delete the reference photos (and so the face templates) of people whose last order ended more than
    ``days`` (settings.ORDERS_RETENTION_DAYS) days ago. Logs and records what it deleted and why; returns that.
    People with an order not yet ended (or not yet served and still running) keep theirs."""
    days = settings.ORDERS_RETENTION_DAYS if days is None else days
    today = timezone.localdate(now or timezone.now())
    cutoff = today - datetime.timedelta(days=days)  # last day before this: ended more than `days` days ago
    deleted = []
    for offender, last_day in retention_candidates(cutoff):
        reason = f"Last order ended on {last_day.isoformat()}, more than {days} days before {today.isoformat()}."
        with transaction.atomic():
            for photo in list(offender.photos.all()):
                deleted.append(_purge(photo, offender, reason))
    logger.info("retention: %d reference photos deleted (limit %d days, today %s)", len(deleted), days, today)
    staged = staged_photos_purge(now=now)
    if staged:
        logger.info("retention: %d photos staged on forms that were given up deleted", staged)
    return deleted


def _purge(photo, offender: Offender, reason: str) -> dict:
    photo_id, name = photo.pk, photo.image.name
    photo_delete_under_retention(photo, reason=reason)
    logger.info(
        "retention: deleted reference photo %s (%s) and its face templates, offender %s: %s",
        photo_id,
        name,
        offender.pk,
        reason,
    )
    return {"offender_id": offender.pk, "photo_id": photo_id, "file": name, "reason": reason}
