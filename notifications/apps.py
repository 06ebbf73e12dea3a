from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Emails to officers about new work from past footage: P1 incidents, breach cases, a daily digest."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from cases.models import Case, CaseEvent
        from incidents.models import Incident
        from notifications import receivers, tasks  # noqa: F401 - tasks: registers the task names

        post_save.connect(receivers.incident_saved, sender=Incident, dispatch_uid="notifications.incident_saved")
        post_save.connect(receivers.case_saved, sender=Case, dispatch_uid="notifications.case_saved")
        post_save.connect(receivers.case_event_saved, sender=CaseEvent, dispatch_uid="notifications.case_event_saved")
