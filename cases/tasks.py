"""Celery tasks of cases: thin wrappers that call a service."""

from celery import shared_task

from cases.services import rejected_crops_purge_batched


@shared_task(name="cases.tasks.cases_retention_task", acks_late=True)
def cases_retention_task() -> int:
    """Nightly (Celery beat): delete the face crops of matches rejected long ago, in short batches. Safe to
    run again after a crash or a lost worker (acks_late): cleared crops are no longer candidates."""
    return rejected_crops_purge_batched().purged
