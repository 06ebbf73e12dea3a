"""Retention: the reference photos (and so the face templates) of people whose last order ended more than
ORDERS_RETENTION_DAYS days ago are deleted, nightly (``orders.tasks``), each deletion logged and audited.

A face template goes with its photo's row (recognition's ``FaceTemplate.reference_photo`` cascades), so
the gallery loses the person at once; the people stay on file, their orders being history. Photos chosen on a
form that was then given up (``orders.services.staged_photos``) go too, once past their hour."""

import datetime
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from orders.events import photo_retention_events
from orders.models import Offender, Order, ReferencePhoto
from orders.services.staged_photos import staged_photos_purge

logger = logging.getLogger(__name__)

# Photos deleted per transaction (each batch is one short transaction, its rows locked with SKIP LOCKED), and
# people whose orders are read per page: the nightly run never holds more than a page in memory.
PURGE_BATCH_SIZE = 5000
OFFENDER_PAGE_SIZE = 1000


@dataclass
class RetentionSummary:
    """What ``reference_photos_purge`` did: photos deleted, transactions that deleted some, the longest of
    those (milliseconds), and staged photos of forms given up that were deleted."""

    deleted: int = 0
    batches: int = 0
    longest_batch_ms: float = 0.0
    staged: int = 0


def retention_candidates(
    cutoff: datetime.date, *, page_size: int = OFFENDER_PAGE_SIZE
) -> Iterator[tuple[int, datetime.date]]:
    """(offender id, last day) of offenders with photos, at least one order, and every order ended before
    ``cutoff``, in id order, read a page of ``page_size`` people (and their orders) at a time."""
    after = 0
    while True:
        page = list(_offenders_with_photos_and_orders(after)[:page_size])
        if not page:
            return
        for offender in page:
            last_days = [o.last_day for o in offender.orders.all()]
            ended = [day for day in last_days if day is not None]
            if ended and len(ended) == len(last_days) and max(ended) < cutoff:  # none indefinite or still running
                yield offender.pk, max(ended)
        after = page[-1].pk


def _offenders_with_photos_and_orders(after: int):
    photos = ReferencePhoto.objects.filter(offender=OuterRef("pk"))
    orders = Order.objects.filter(offender=OuterRef("pk"))
    return (
        Offender.objects.filter(Exists(photos), Exists(orders), pk__gt=after)
        .order_by("pk")
        .only("pk")
        .prefetch_related("orders")
    )


def retention_purge(*, now: datetime.datetime | None = None, days: int | None = None) -> list[dict]:
    """Delete the reference photos (and so the face templates) of people whose last order ended more than
    ``days`` (settings.ORDERS_RETENTION_DAYS) days ago. Logs and records what it deleted and why; returns that.
    People with an order not yet ended (or not yet served and still running) keep theirs.

    The list holds every deletion: the nightly task calls ``reference_photos_purge``, which keeps none."""
    deleted: list[dict] = []
    reference_photos_purge(now=now, days=days, on_deleted=deleted.append)
    return deleted


def reference_photos_purge(
    *,
    now: datetime.datetime | None = None,
    days: int | None = None,
    batch_size: int = PURGE_BATCH_SIZE,
    page_size: int = OFFENDER_PAGE_SIZE,
    on_deleted: Callable[[dict], object] | None = None,
) -> RetentionSummary:
    """``retention_purge`` in bounded batches: people are read ``page_size`` at a time, and their photos deleted
    ``batch_size`` at a time (keyset over the photo's id), each batch one transaction writing its events
    with ``bulk_create``; a photo another transaction holds is skipped, and the next run takes it. Safe to
    re-run after a crash: a deleted photo is no longer a candidate, and one rolled back is found again."""
    days = settings.ORDERS_RETENTION_DAYS if days is None else days
    today = timezone.localdate(now or timezone.now())
    cutoff = today - datetime.timedelta(days=days)  # last day before this: ended more than `days` days ago
    summary = RetentionSummary()
    pending: dict[int, str] = {}  # offender id -> reason, for up to a page of people
    for offender_id, last_day in retention_candidates(cutoff, page_size=page_size):
        pending[offender_id] = (
            f"Last order ended on {last_day.isoformat()}, more than {days} days before {today.isoformat()}."
        )
        if len(pending) >= page_size:
            _purge_photos_of(pending, batch_size, summary, on_deleted)
            pending = {}
    _purge_photos_of(pending, batch_size, summary, on_deleted)
    logger.info("retention: %d reference photos deleted (limit %d days, today %s)", summary.deleted, days, today)
    summary.staged = staged_photos_purge(now=now)
    if summary.staged:
        logger.info("retention: %d photos staged on forms that were given up deleted", summary.staged)
    return summary


def _purge_photos_of(reasons: dict[int, str], batch_size: int, summary: RetentionSummary, on_deleted) -> None:
    """Delete the photos of the people in ``reasons`` (offender id -> why), ``batch_size`` per transaction."""
    after = 0
    while reasons:
        started = time.monotonic()
        with transaction.atomic():
            photos = list(
                ReferencePhoto.objects.filter(offender_id__in=reasons, pk__gt=after)
                .order_by("pk")
                .select_for_update(skip_locked=True, of=("self",))[:batch_size]
            )
            if photos:
                photo_retention_events(photos=photos, reasons=reasons)
                ReferencePhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
                _delete_files_on_commit(photos)
        if not photos:
            return
        summary.longest_batch_ms = max(summary.longest_batch_ms, (time.monotonic() - started) * 1000)
        summary.batches += 1
        summary.deleted += len(photos)
        for photo in photos:
            row = _deleted(photo, reasons[photo.offender_id])
            if on_deleted is not None:
                on_deleted(row)
        after = photos[-1].pk


def _delete_files_on_commit(photos: list[ReferencePhoto]) -> None:
    """The files go once the rows are gone for good (as ``photo_delete``); a process that dies between the
    commit and here leaves them to the orphan sweep (incidents.housekeeping: no row names them any more)."""
    storage = ReferencePhoto._meta.get_field("image").storage
    names = [photo.image.name for photo in photos if photo.image.name]

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)


def _deleted(photo: ReferencePhoto, reason: str) -> dict:
    """Log a photo's deletion, once committed, and say what went and why."""
    logger.info(
        "retention: deleted reference photo %s (%s) and its face templates, offender %s: %s",
        photo.pk,
        photo.image.name,
        photo.offender_id,
        reason,
    )
    return {"offender_id": photo.offender_id, "photo_id": photo.pk, "file": photo.image.name, "reason": reason}
