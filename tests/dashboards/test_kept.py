"""The force admin's figures are kept: the worker builds each force's, the home page and the CSV downloads read
the kept copy while it is fresh and for today, and build them afresh otherwise."""

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.utils import timezone

from dashboards import figures, kept
from dashboards.models import ForceFigures
from dashboards.tasks import housekeeping_figures_task
from tests.conftest import signed_in
from tests.dashboards.builders import incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeping(settings):
    settings.DASHBOARD_FIGURES_MAX_AGE_MINUTES = 30


def _theft_total(client) -> int:
    rows = list(csv.reader(io.StringIO(client.get("/home/figures/incidents-by-category.csv").content.decode())))
    return sum(int(value) for row in rows[1:] for value in row[1:])


def test_a_chart_survives_being_kept(world):
    incident(world.a.store, world.a.worker)
    for chart in figures.force_charts(world.a.admin, today=timezone.localdate()):
        assert kept.chart_from_data(kept.chart_to_data(chart)) == chart
    assert [c.slug for c in figures.force_charts(world.a.admin)] == list(figures.CHARTS)


def test_the_page_and_the_csv_read_the_kept_copy_while_it_is_fresh(world, keeping):
    incident(world.a.store, world.a.worker)
    client = signed_in(world.a.admin)
    html = client.get("/").content.decode()  # none kept yet: built now, and kept
    assert "Figures as at" in html and ForceFigures.objects.filter(force=world.a.force).exists()
    assert _theft_total(client) == 1
    incident(world.a.store, world.a.worker)
    assert _theft_total(client) == 1  # the kept copy, not a count of today's rows
    ForceFigures.objects.filter(force=world.a.force).update(built_at=timezone.now() - datetime.timedelta(minutes=31))
    assert _theft_total(client) == 2  # too old: built afresh


def test_a_copy_kept_yesterday_is_not_used_today(world, keeping):
    incident(world.a.store, world.a.worker)
    kept.figures_build(user=world.a.admin, today=timezone.localdate() - datetime.timedelta(days=1))
    assert not kept.figures_for(world.a.admin).kept
    assert ForceFigures.objects.get(force=world.a.force).day == timezone.localdate()


def test_the_worker_builds_every_forces_figures_each_as_its_own(world, keeping):
    incident(world.a.store, world.a.worker)
    for _ in range(3):
        incident(world.b.store, world.b.worker)
    assert housekeeping_figures_task.apply().get() == {"built": 2, "failed": 0}
    a, b = kept.figures_for(world.a.admin), kept.figures_for(world.b.admin)
    assert a.kept and b.kept
    totals = {f: int(sum(sum(s.values) for s in x.charts[0].series)) for f, x in (("a", a), ("b", b))}
    assert totals == {"a": 1, "b": 3}  # force B's incidents never in force A's figures


def test_one_forces_failure_leaves_the_others_built(world, keeping, monkeypatch):
    real = kept.force_charts

    def failing_for_a(user, *, today):
        if user.force_id == world.a.force.pk:
            raise RuntimeError("a broken build")
        return real(user, today=today)

    monkeypatch.setattr(kept, "force_charts", failing_for_a)
    assert kept.figures_build_all() == {"built": 1, "failed": 1}
    assert list(ForceFigures.objects.values_list("force_id", flat=True)) == [world.b.force.pk]


def test_the_round_is_scheduled_on_the_housekeeping_queue():
    entry = settings.CELERY_BEAT_SCHEDULE["dashboards-housekeeping-figures"]
    assert entry["task"] == housekeeping_figures_task.name
    assert entry["schedule"] == datetime.timedelta(minutes=settings.DASHBOARD_FIGURES_EVERY_MINUTES)
    from config.celery import app

    route = app.amqp.router.route({}, housekeeping_figures_task.name)
    assert route["queue"].name == settings.HOUSEKEEPING_QUEUE
