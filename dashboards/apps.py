from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """Each role's home page: what needs doing, counts with links, the force at a glance."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"
