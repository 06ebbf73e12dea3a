"""Celery tasks of orders: thin wrappers that call a service."""

from celery import shared_task


@shared_task(name="orders.tasks.orders_retention_task")
def orders_retention_task() -> int:
    """Nightly (Celery beat, ORDERS_RETENTION_EVERY_HOURS): delete photos and templates past retention."""
    from orders.services import retention_purge

    return len(retention_purge())
