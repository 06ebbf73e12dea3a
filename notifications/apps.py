from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Emails to officers about new work from past footage: P1 incidents, breach cases, a daily digest.
    What starts one is called explicitly (``notifications.queue``, from ``workflows.evidence``)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self) -> None:
        from notifications import tasks  # noqa: F401 - registers the task names in every process
