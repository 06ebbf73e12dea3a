"""The force admin's figures: the right numbers in each chart's SVG, table and CSV, scoped to the force."""

import csv
import datetime
import io
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from cases.models import Case
from dashboards import charts, figures, selectors
from incidents.models import Incident
from tests.conftest import signed_in
from tests.core.test_headers import INLINE
from tests.dashboards.builders import case, incident
from tests.orders.factories import OffenderFactory, OrderFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def at_week(today: datetime.date, weeks_back: int) -> datetime.datetime:
    """Tuesday 10:00 (UK) of the week ``weeks_back`` weeks before this one."""
    monday = today - datetime.timedelta(days=today.weekday(), weeks=weeks_back)
    return timezone.make_aware(datetime.datetime.combine(monday + datetime.timedelta(days=1), datetime.time(10)))


def incident_in_week(store, reporter, today, weeks_back, category=Incident.Category.THEFT):
    made = incident(store, reporter, category=category)
    Incident.objects.filter(pk=made.pk).update(occurred_at=at_week(today, weeks_back))
    return made


@pytest.fixture
def weekly(world):
    a, today = world.a, timezone.localdate()
    incident_in_week(a.store, a.worker, today, 0)
    incident_in_week(a.store, a.worker, today, 0)
    incident_in_week(a.sibling_store, a.worker, today, 0, Incident.Category.THREATS)
    incident_in_week(a.other_retailer_store, a.worker, today, 1)
    incident_in_week(a.store, a.worker, today, 12)  # 13th week back: outside the 12 weeks
    for _ in range(5):
        incident_in_week(world.b.store, world.b.worker, today, 0)  # another force
    return today


def series(chart) -> dict[str, list]:
    return {s.name: s.values for s in chart.series}


def test_incidents_per_week_by_category(world, weekly):
    chart = figures.incidents_by_category(world.a.admin, today=weekly)
    assert len(chart.categories) == 12 and chart.categories[-1] == figures.week_label(
        weekly - datetime.timedelta(days=weekly.weekday())
    )
    assert series(chart) == {"Theft": [0] * 10 + [1, 2], "Threats": [0] * 11 + [1]}
    assert chart.description.startswith("4 incidents in all: Theft 3, Threats 1.")
    assert chart.rows[-1] == [chart.categories[-1], 2, 1] and chart.header == ["Week starting", "Theft", "Threats"]


def test_incidents_per_week_by_store_names_the_top_and_sums_the_rest(world, weekly, settings):
    settings.DASHBOARD_TOP_N = 1
    chart = figures.incidents_by_store(world.a.admin, today=weekly)
    assert series(chart) == {world.a.store.name: [0] * 11 + [2], "Other": [0] * 10 + [1, 1]}


def test_the_svg_draws_the_numbers_with_a_title_and_description(world, weekly):
    chart = figures.incidents_by_category(world.a.admin, today=weekly)
    svg = charts.render(chart)
    root = ET.fromstring(svg)  # well-formed
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id and root.find(f"{SVG}title").text == chart.title
    assert root.find(f"{SVG}desc").get("id") == desc_id
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("stroke") == "#ffffff"]
    assert len(bars) == 3  # this week's theft and threats, last week's theft
    heights = sorted(float(r.get("height")) for r in bars)
    assert heights[0] == pytest.approx(heights[1]) and heights[2] == pytest.approx(2 * heights[0], abs=0.2)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Theft" in texts and "Threats" in texts  # the legend
    assert "style=" not in svg and "<script" not in svg


def test_svg_escapes_names(world):
    chart = charts.Chart(
        slug="x", title="<b>&", description="d", kind="hbar", categories=["<script>"], series=[charts.Series("n", [3])]
    )
    svg = charts.render(chart)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)


def test_breach_cases_per_month_leave_out_rejected_and_other_forces(world, media_root):
    a = world.a
    possible = case(a.store, a.worker, breach=True, hours_ago=1)
    case(a.store, a.worker, breach=True, status=Case.Status.CONFIRMED, hours_ago=1)
    case(a.store, a.worker, breach=True, status=Case.Status.REJECTED, hours_ago=1)
    case(a.store, a.worker, breach=False, hours_ago=1)
    case(world.b.store, world.b.worker, breach=True, hours_ago=1)
    chart = figures.breach_cases_by_month(a.admin, today=timezone.localdate())
    month = figures.month_label(timezone.localtime(possible.created_at).date().replace(day=1))
    row = dict(zip(chart.header, chart.rows[chart.categories.index(month)], strict=True))
    assert row == {"Month raised": month, "Confirmed match": 1, "Possible breach, awaiting review": 1}
    assert sum(sum(s.values) for s in chart.series) == 2


def test_review_times_against_target(world, settings):
    a = world.a
    settings.DASHBOARD_CASE_REVIEW_TARGET_HOURS = 24
    case(a.store, a.worker, status=Case.Status.CONFIRMED, hours_ago=30, reviewed_hours_ago=10)  # 20 h 5 min
    case(a.store, a.worker, status=Case.Status.REJECTED, hours_ago=14, reviewed_hours_ago=4)  # 10 h 5 min
    case(a.store, a.worker, status=Case.Status.ACTIONED, hours_ago=50, reviewed_hours_ago=2)  # 48 h 5 min
    case(a.store, a.worker, hours_ago=1)  # not reviewed yet
    case(world.b.store, world.b.worker, status=Case.Status.CONFIRMED, hours_ago=500, reviewed_hours_ago=1)
    chart = figures.review_times_by_month(a.admin, today=timezone.localdate())
    rows = [dict(zip(chart.header, r, strict=True)) for r in chart.rows]
    assert sum(r["Reviews"] for r in rows) == 3 and sum(r["Within target"] for r in rows) == 2
    assert chart.target == 24 and "2 of 3 reviews" in chart.description
    reviewed = [r for r in rows if r["Reviews"]]
    if len(reviewed) == 1:  # all in one month (not at a month's turn)
        assert reviewed[0]["Average hours to review"] == pytest.approx((20 + 10 + 48) / 3 + 5 / 60, abs=0.1)
    svg = charts.render(chart)
    assert "Target 24 hours" in svg and 'stroke-dasharray="6 4"' in svg


def test_months_without_a_review_are_gaps_not_zero_hours(world, settings):
    """An average of no reviews is no point on the line ("no reviews" in the table and CSV), never 0 hours,
    which would read as an instant review; the target is named in the legend, clear of the line's points."""
    a = world.a
    settings.DASHBOARD_CASE_REVIEW_TARGET_HOURS = 24
    case(a.store, a.worker, status=Case.Status.CONFIRMED, hours_ago=30, reviewed_hours_ago=10)  # 20 h 5 min
    chart = figures.review_times_by_month(a.admin, today=timezone.localdate())
    reviewed_at = timezone.localtime(timezone.now() - datetime.timedelta(hours=10)).date()
    month = chart.categories.index(figures.month_label(reviewed_at.replace(day=1)))
    hours = chart.series[0].values
    assert hours[month] == pytest.approx(20.1, abs=0.1)
    assert [h for i, h in enumerate(hours) if i != month] == [None] * (len(hours) - 1)
    rows = [dict(zip(chart.header, r, strict=True)) for r in chart.rows]
    others = [r for i, r in enumerate(rows) if i != month]
    assert [r["Average hours to review"] for r in others] == ["no reviews"] * len(others)
    assert all(r["Reviews"] == 0 for r in others) and "gaps in the line" in chart.description

    root = ET.fromstring(charts.render(chart))
    points = list(root.iter(f"{SVG}circle"))
    assert len(points) == 1 and not list(root.iter(f"{SVG}polyline"))  # one month reviewed: one point, no line
    target = next(t for t in root.iter(f"{SVG}text") if t.text == "Target 24 hours")
    assert float(target.get("y")) > float(points[0].get("cy")) + 40  # in the legend under the axis

    r = signed_in(a.admin).get("/home/figures/review-times.csv")
    body = list(csv.reader(io.StringIO(r.content.decode())))
    assert body[0] == ["Month reviewed", "Average hours to review", "Reviews", "Within target"]
    assert body[1 + month][1] == "20.1"
    assert [row[1] for i, row in enumerate(body[1:]) if i != month] == ["no reviews"] * len(others)


def test_a_line_breaks_at_a_gap_and_joins_the_points_either_side_of_none():
    chart = charts.Chart(
        slug="gaps", title="t", description="d", kind="line", categories=["a", "b", "c", "d", "e"],
        series=[charts.Series("Hours", [2, None, 3, 4, None])], target=5, target_label="Target 5 hours",
    )  # fmt: skip
    root = ET.fromstring(charts.render(chart))
    assert len(list(root.iter(f"{SVG}circle"))) == 3
    lines = [p.get("points").split() for p in root.iter(f"{SVG}polyline")]
    assert [len(points) for points in lines] == [2]  # c to d; a stands alone
    assert [r[1] for r in chart.rows] == [2, "none", 3, 4, "none"]
    empty = charts.Chart(slug="e", title="t", description="d", kind="line", categories=["a"],
                         series=[charts.Series("Hours", [None])])  # fmt: skip
    assert empty.is_empty
    ET.fromstring(charts.render(empty))


def test_people_with_most_cases_and_most_breached_orders(world, settings):
    a, settings.DASHBOARD_TOP_N = world.a, 2
    often, once = OffenderFactory(force=a.force), OffenderFactory(force=a.force)
    order = OrderFactory(offender=often)
    for status in (Case.Status.AWAITING_REVIEW, Case.Status.CONFIRMED, Case.Status.REJECTED):
        case(a.store, a.worker, offender=often, breach=True, order=order, status=status)
    case(a.store, a.worker, offender=once)
    elsewhere = OffenderFactory(force=world.b.force)
    for _ in range(3):
        case(world.b.store, world.b.worker, offender=elsewhere)
    people = figures.repeat_offenders(a.admin)
    assert people.categories == [f"{often.given_names} {often.family_name}", f"{once.given_names} {once.family_name}"]
    assert people.series[0].values == [2, 1]  # the rejected match is not that person
    assert people.rows[0] == [people.categories[0], 2, 2, often.pnc_id]
    orders = figures.breached_orders(a.admin)
    assert orders.categories == [order.case_reference] and orders.series[0].values == [2]
    svg = charts.render(people)
    assert ">2</text>" in svg and ">1</text>" in svg


def test_orders_ending_and_youth_reviews(world):
    a, today = world.a, timezone.localdate()
    day = datetime.timedelta(days=1)

    def order(force, **kwargs):
        start = kwargs.pop("start", today - 100 * day)
        return OrderFactory(offender=OffenderFactory(force=force), made_on=start, **kwargs)

    ending = order(a.force, ends_on=today + 10 * day)
    order(a.force, ends_on=today + 40 * day)
    order(a.force, ends_on=today - day)  # ended
    order(a.force, ends_on=None, indefinite=True)
    order(world.b.force, ends_on=today + 10 * day)
    youth_due = order(a.force, youth=True, start=today - 365 * day + 20 * day, ends_on=today + 900 * day)
    order(a.force, youth=True, start=today - 90 * day, ends_on=today + 900 * day)
    found = list(selectors.orders_ending(a.admin, today=today, days=30))
    assert found == [ending]
    reviews = selectors.youth_reviews_due(a.admin, today=today, days=30)
    assert [r.order for r in reviews] == [youth_due]
    assert reviews[0].due == youth_due.next_review_due(today) and today <= reviews[0].due <= today + 30 * day
    html = signed_in(a.admin).get("/").content.decode()
    assert ending.case_reference in html and youth_due.case_reference in html


def test_admin_home_shows_every_chart_with_its_table_and_csv_link(world, weekly):
    html = signed_in(world.a.admin).get("/").content.decode()
    for slug in figures.CHARTS:
        assert f'href="/home/figures/{slug}.csv"' in html
        assert f'aria-labelledby="chart-{slug}-title chart-{slug}-desc"' in html or "Nothing to show yet" in html
    assert html.count("<details>") == len(figures.CHARTS)
    assert '<th scope="row">' in html
    officer = signed_in(world.a.officer).get("/").content.decode()
    assert "The force at a glance" not in officer and "/home/figures/" not in officer


def test_csv_download_has_the_tables_numbers_and_is_scoped(world, weekly):
    r = signed_in(world.a.admin).get("/home/figures/incidents-by-category.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert "attachment;" in r["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode())))
    assert rows[0] == ["Week starting", "Theft", "Threats"]
    assert rows[-1][1:] == ["2", "1"] and len(rows) == 13
    other = list(
        csv.reader(
            io.StringIO(signed_in(world.b.admin).get("/home/figures/incidents-by-category.csv").content.decode())
        )
    )
    assert other[0] == ["Week starting", "Theft"] and other[-1][1:] == ["5"]


def test_csv_neutralises_formulas_in_names(world, settings):
    a = world.a
    settings.DASHBOARD_TOP_N = 3
    a.store.name = '=HYPERLINK("http://evil.example","x")'
    a.store.save()
    incident(a.store, a.worker)
    text = signed_in(a.admin).get("/home/figures/incidents-by-store.csv").content.decode()
    assert "'=HYPERLINK" in text
    assert not any(cell.startswith("=") for row in csv.reader(io.StringIO(text)) for cell in row)


@pytest.mark.parametrize("who, status", [("officer", 403), ("worker", 403)])
def test_csv_is_for_force_admins_only(world, who, status):
    assert signed_in(getattr(world.a, who)).get("/home/figures/breach-cases.csv").status_code == status


def test_unknown_chart_is_not_found(world):
    assert signed_in(world.a.admin).get("/home/figures/nothing-here.csv").status_code == 404


def test_nice_ceiling():
    assert charts.nice_ceiling(0) == (5.0, 1.0)
    assert charts.nice_ceiling(3) == (3.0, 1.0)
    assert charts.nice_ceiling(47) == (50.0, 10.0)
    assert charts.nice_ceiling(7.5)[0] >= 7.5


@pytest.mark.parametrize("role", ["worker", "officer", "admin"])
def test_home_pages_hold_no_inline_script_or_style(world, weekly, role):
    html = signed_in(getattr(world.a, role)).get("/").content.decode()
    assert [what for pattern, what in INLINE if pattern.search(html)] == []
