from celery import shared_task

from people.services import people_review


@shared_task(name="people.housekeeping_review", acks_late=True, soft_time_limit=900, time_limit=960)
def housekeeping_review_task() -> dict[str, int]:
    """The nightly review of persons of interest (PEOPLE_REVIEW_AFTER_DAYS, PEOPLE_REVIEW_GRACE_DAYS)."""
    return people_review()
