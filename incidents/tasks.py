"""Celery tasks of incidents: thin wrappers that call a service."""

from celery import shared_task

from incidents.housekeeping import orphans_sweep


@shared_task(name="incidents.housekeeping_orphans", acks_late=True, soft_time_limit=900, time_limit=960)
def housekeeping_orphans_task() -> dict[str, int]:
    """Periodic (Celery beat): delete files left by killed uploads, older than ORPHAN_FILE_MIN_AGE_HOURS."""
    return orphans_sweep().counts()
