from celery import shared_task


@shared_task(name="cases.tasks.cases_retention_task", acks_late=True)
def cases_retention_task() -> int:
    from cases.services import rejected_crops_purge

    return rejected_crops_purge()
