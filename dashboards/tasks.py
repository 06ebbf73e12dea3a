from celery import shared_task

from dashboards.kept import figures_build_all


@shared_task(name="dashboards.housekeeping_figures", acks_late=True, soft_time_limit=900, time_limit=960)
def housekeeping_figures_task() -> dict[str, int]:
    """Each force's figures built afresh for the force admins' home pages (DASHBOARD_FIGURES_EVERY_MINUTES)."""
    return figures_build_all()
