"""Celery tasks of orders: thin wrappers that call a service."""

from celery import shared_task

from orders.services.retention import reference_photos_purge


@shared_task(name="orders.tasks.orders_retention_task")
def orders_retention_task() -> int:
    """Nightly (Celery beat, ORDERS_RETENTION_EVERY_HOURS): delete photos and templates past retention, in
    short batches. Safe to run again after a crash: what was deleted is no longer a candidate."""
    return reference_photos_purge().deleted
