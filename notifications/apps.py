from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Emails to officers about new work from past footage: P1 incidents, breach cases, a daily digest."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
