from celery import shared_task

from cases.services import rejected_crops_purge


@shared_task(name="cases.tasks.cases_retention_task", acks_late=True)
def cases_retention_task() -> int:
    return rejected_crops_purge()
