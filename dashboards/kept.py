"""The force admin's figures, kept: built by the worker every DASHBOARD_FIGURES_EVERY_MINUTES for each force and
read by the home page and the CSV downloads, which therefore agree with each other.

A force admin sees the whole force, so every force admin of a force sees the same figures: the worker builds
them as one of the force's active force admins would see them (the same selectors, the same scope). The page
uses a kept copy while it is younger than DASHBOARD_FIGURES_MAX_AGE_MINUTES and built for today; otherwise (a
new force, a worker that is behind) it builds them itself and keeps them. DASHBOARD_FIGURES_MAX_AGE_MINUTES = 0
builds them on every visit and keeps nothing.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from accounts.models import Force, User
from dashboards.charts import Chart, Series
from dashboards.figures import force_charts
from dashboards.models import ForceFigures

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Figures:
    charts: list[Chart]
    built_at: datetime.datetime
    kept: bool  # read from the kept copy (else built for this request)


def chart_to_data(chart: Chart) -> dict:
    return dataclasses.asdict(chart)


def chart_from_data(data: dict) -> Chart:
    return Chart(
        **{
            **data,
            "series": [Series(**s) for s in data["series"]],
            "extra_columns": [(name, list(values)) for name, values in data["extra_columns"]],
        }
    )


def figures_build(*, user, today: datetime.date | None = None) -> ForceFigures:
    """Build the figures of ``user``'s force as ``user`` (a force admin) sees them, and keep them."""
    today = today or timezone.localdate()
    started = time.monotonic()
    charts = force_charts(user, today=today)
    kept, _ = ForceFigures.objects.update_or_create(
        force_id=user.force_id,
        defaults={
            "built_at": timezone.now(),
            "day": today,
            "build_seconds": round(time.monotonic() - started, 3),
            "charts": [chart_to_data(chart) for chart in charts],
        },
    )
    return kept


def figures_for(user, *, today: datetime.date | None = None) -> Figures:
    """The figures for a force admin's home page and downloads: the kept copy of their force when it is fresh
    enough and for today, else built now (and kept)."""
    today = today or timezone.localdate()
    max_age = datetime.timedelta(minutes=settings.DASHBOARD_FIGURES_MAX_AGE_MINUTES)
    if not max_age:
        return Figures(charts=force_charts(user, today=today), built_at=timezone.now(), kept=False)
    kept = ForceFigures.objects.filter(force_id=user.force_id).first()
    if kept is not None and kept.day == today and timezone.now() - kept.built_at <= max_age:
        return Figures(charts=[chart_from_data(c) for c in kept.charts], built_at=kept.built_at, kept=True)
    kept = figures_build(user=user, today=today)
    return Figures(charts=[chart_from_data(c) for c in kept.charts], built_at=kept.built_at, kept=False)


def figures_build_all() -> dict[str, int]:
    """The worker's round: each force with an active force admin gets its figures built afresh. A force whose
    build fails is logged and left with its last copy; the others are still built."""
    built = failed = 0
    for force in Force.objects.order_by("pk"):
        admin = (
            User.objects.filter(force=force, role=User.Role.FORCE_ADMIN, is_active=True, is_superuser=False)
            .order_by("pk")
            .first()
        )
        if admin is None:
            continue
        try:
            figures_build(user=admin)
            built += 1
        except Exception:  # noqa: BLE001 - one force's failure must not stop the others' figures
            logger.exception("dashboards: the figures of force %s could not be built", force.pk)
            failed += 1
    return {"built": built, "failed": failed}
