"""The force admin's figures: the force at a glance, each a ``charts.Chart`` built from one or two aggregate
queries (``TruncWeek``/``TruncMonth`` with ``values`` and ``Count``/``Avg``), never a loop over rows.

Weeks start on Monday and months on the 1st, in the service's time zone (UK local). Periods with nothing
in them are shown as zero, except an average of nothing (a month with no review), which is a gap. A rejected
match is not that person, so rejected cases count nowhere here: not as breaches, not against a person, not
against an order.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from cases.models import Case, CaseDecision
from cases.selectors import cases_for
from core.filters import local_midnight
from dashboards.charts import Chart, Series
from dashboards.selectors import review_target
from incidents.models import Incident
from incidents.selectors import incidents_for
from orders.selectors import offenders_for, orders_for

NOT_REJECTED = ~Q(status=Case.Status.REJECTED)
CONFIRMED = (Case.Status.CONFIRMED, Case.Status.ACTIONED, Case.Status.CLOSED)


def weeks(today: datetime.date, count: int) -> list[datetime.date]:
    """The Mondays of the last ``count`` weeks, this week last."""
    monday = today - datetime.timedelta(days=today.weekday())
    return [monday - datetime.timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def months(today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the last ``count`` months, this month last."""
    firsts, year, month = [], today.year, today.month
    for _ in range(count):
        firsts.append(datetime.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return firsts[::-1]


def _day(value) -> datetime.date:
    return timezone.localtime(value).date() if isinstance(value, datetime.datetime) else value


def week_label(monday: datetime.date) -> str:
    return f"{monday.day} {monday:%b}"


def month_label(first: datetime.date) -> str:
    return f"{first:%b %Y}"


def _incidents_since(user, today: datetime.date):
    start = weeks(today, settings.DASHBOARD_WEEKS)[0]
    qs = incidents_for(user).filter(occurred_at__gte=local_midnight(start)).order_by()
    return qs.annotate(week=TruncWeek("occurred_at"))


def incidents_by_category(user, *, today: datetime.date) -> Chart:
    mondays = weeks(today, settings.DASHBOARD_WEEKS)
    counts: dict[tuple[datetime.date, str], int] = defaultdict(int)
    rows = _incidents_since(user, today).values("week", "category").annotate(n=Count("id"))
    for row in rows:
        counts[_day(row["week"]), row["category"]] += row["n"]
    used = {category for _, category in counts}
    series = [
        Series(label, [counts[monday, value] for monday in mondays])
        for value, label in Incident.Category.choices
        if value in used
    ]
    return Chart(
        slug="incidents-by-category",
        title=f"Incidents per week by category, last {len(mondays)} weeks",
        description=_total_words(series, "incident", "incidents")
        + " Bars are weeks starting on the Monday shown, stacked by category.",
        kind="bar",
        categories=[week_label(m) for m in mondays],
        series=series or [Series("Incidents", [0] * len(mondays))],
        x_label="Week starting",
        y_label="Incidents",
    )


def incidents_by_store(user, *, today: datetime.date) -> Chart:
    """Per week, the stores with most incidents over the period named (``DASHBOARD_TOP_N``), the rest as Other."""
    mondays = weeks(today, settings.DASHBOARD_WEEKS)
    qs = _incidents_since(user, today)
    top = list(
        qs.values("store_id", "store__name")
        .annotate(n=Count("id"))
        .order_by("-n", "store__name")[: settings.DASHBOARD_TOP_N]
    )
    names = {row["store_id"]: row["store__name"] for row in top}
    counts: dict[tuple[datetime.date, str], int] = defaultdict(int)
    for row in qs.values("week", "store_id").annotate(n=Count("id")):
        counts[_day(row["week"]), names.get(row["store_id"], "Other")] += row["n"]
    labels = [row["store__name"] for row in top]
    if any(name == "Other" for _, name in counts):
        labels.append("Other")
    series = [Series(label, [counts[monday, label] for monday in mondays]) for label in labels]
    return Chart(
        slug="incidents-by-store",
        title=f"Incidents per week by store, last {len(mondays)} weeks",
        description=_total_words(series, "incident", "incidents")
        + f" Up to {settings.DASHBOARD_TOP_N} stores with most incidents are named; any others are summed as Other.",
        kind="bar",
        categories=[week_label(m) for m in mondays],
        series=series or [Series("Incidents", [0] * len(mondays))],
        x_label="Week starting",
        y_label="Incidents",
    )


def breach_cases_by_month(user, *, today: datetime.date) -> Chart:
    """Breach cases raised per month: possible (awaiting review) and confirmed; rejected ones are not breaches."""
    firsts = months(today, settings.DASHBOARD_MONTHS)
    qs = cases_for(user).filter(NOT_REJECTED, is_breach=True, created_at__gte=local_midnight(firsts[0])).order_by()
    rows = (
        qs.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(
            possible=Count("id", filter=Q(status=Case.Status.AWAITING_REVIEW)),
            confirmed=Count("id", filter=Q(status__in=CONFIRMED)),
        )
    )
    by_month = {_day(row["month"]): (row["possible"], row["confirmed"]) for row in rows}
    possible = [by_month.get(f, (0, 0))[0] for f in firsts]
    confirmed = [by_month.get(f, (0, 0))[1] for f in firsts]
    series = [Series("Confirmed match", confirmed), Series("Possible breach, awaiting review", possible)]
    return Chart(
        slug="breach-cases",
        title=f"Breach cases per month, last {len(firsts)} months",
        description=_total_words(series, "breach case", "breach cases")
        + " Possible breaches await review; rejected matches are not counted.",
        kind="bar",
        categories=[month_label(f) for f in firsts],
        series=series,
        x_label="Month raised",
        y_label="Breach cases",
    )


def review_times_by_month(user, *, today: datetime.date) -> Chart:
    """Average hours from an incident's report to its case's review, per month of review, against the target;
    with how many reviews were within it."""
    firsts = months(today, settings.DASHBOARD_MONTHS)
    target = review_target()
    delay = ExpressionWrapper(F("decided_at") - F("case__incident__created_at"), output_field=DurationField())
    qs = (
        CaseDecision.objects.filter(
            stage=CaseDecision.Stage.REVIEW,
            case__in=cases_for(user).values("pk"),
            decided_at__gte=local_midnight(firsts[0]),
        )
        .order_by()
        .annotate(delay=delay, month=TruncMonth("decided_at"))
    )
    rows = qs.values("month").annotate(
        reviews=Count("id"), within=Count("id", filter=Q(delay__lte=target)), average=Avg("delay")
    )
    by_month = {_day(row["month"]): row for row in rows}
    hours = [_hours(by_month[f]["average"]) if f in by_month else None for f in firsts]
    reviews = [by_month[f]["reviews"] if f in by_month else 0 for f in firsts]
    within = [by_month[f]["within"] if f in by_month else 0 for f in firsts]
    target_hours = target.total_seconds() / 3600
    return Chart(
        slug="review-times",
        title="Time from report to case review, average per month",
        description=(
            f"{sum(within)} of {_plural(sum(reviews), 'review', 'reviews')} in the last {len(firsts)} months "
            f"{'was' if sum(reviews) == 1 else 'were'} within the target of {_fmt_hours(target_hours)}. "
            "Months with no review are gaps in the line."
        ),
        kind="line",
        categories=[month_label(f) for f in firsts],
        series=[Series("Average hours to review", hours)],
        x_label="Month reviewed",
        y_label="Hours",
        target=target_hours,
        target_label=f"Target {_fmt_hours(target_hours)}",
        extra_columns=[("Reviews", reviews), ("Within target", within)],
        missing="no reviews",
    )


def repeat_offenders(user) -> Chart:
    """The people with most cases (rejected matches not counted), the top ``DASHBOARD_TOP_N``."""
    qs = (
        offenders_for(user)
        .annotate(
            n=Count("cases", filter=~Q(cases__status=Case.Status.REJECTED)),
            breaches=Count("cases", filter=~Q(cases__status=Case.Status.REJECTED) & Q(cases__is_breach=True)),
        )
        .filter(n__gt=0)
        .order_by("-n", "family_name", "given_names", "pk")[: settings.DASHBOARD_TOP_N]
    )
    top = list(qs.values("given_names", "family_name", "pnc_id", "n", "breaches"))
    return Chart(
        slug="repeat-offenders",
        title="People with most cases",
        description=f"The {_plural(len(top), 'person', 'people')} with most cases in the force; rejected matches "
        "are not counted.",
        kind="hbar",
        categories=[_person(row) for row in top],
        series=[Series("Cases", [row["n"] for row in top])],
        x_label="Person",
        y_label="Cases",
        extra_columns=[("Breach cases", [row["breaches"] for row in top]), ("PNC ID", [row["pnc_id"] for row in top])],
    )


def breached_orders(user) -> Chart:
    """The orders with most breach cases (rejected matches not counted), the top ``DASHBOARD_TOP_N``."""
    qs = (
        orders_for(user)
        .annotate(n=Count("breach_cases", filter=~Q(breach_cases__status=Case.Status.REJECTED)))
        .filter(n__gt=0)
        .order_by("-n", "case_reference", "pk")[: settings.DASHBOARD_TOP_N]
    )
    top = list(qs.values("case_reference", "offender__given_names", "offender__family_name", "n"))
    people = [
        _person({"given_names": r["offender__given_names"], "family_name": r["offender__family_name"]}) for r in top
    ]
    return Chart(
        slug="breached-orders",
        title="Orders with most breach cases",
        description=f"The {_plural(len(top), 'order', 'orders')} with most breach cases; rejected matches are not "
        "counted.",
        kind="hbar",
        categories=[row["case_reference"] for row in top],
        series=[Series("Breach cases", [row["n"] for row in top])],
        x_label="Order",
        y_label="Breach cases",
        extra_columns=[("Person", people)],
    )


def force_charts(user, *, today: datetime.date | None = None) -> list[Chart]:
    today = today or timezone.localdate()
    return [
        incidents_by_category(user, today=today),
        incidents_by_store(user, today=today),
        breach_cases_by_month(user, today=today),
        review_times_by_month(user, today=today),
        repeat_offenders(user),
        breached_orders(user),
    ]


# The charts' slugs, in the order ``force_charts`` builds them (the CSV downloads are named by these).
CHARTS = (
    "incidents-by-category",
    "incidents-by-store",
    "breach-cases",
    "review-times",
    "repeat-offenders",
    "breached-orders",
)


def _person(row) -> str:
    return f"{row['given_names']} {row['family_name']}".strip()


def _hours(value: datetime.timedelta | None) -> float:
    return round(value.total_seconds() / 3600, 1) if value is not None else 0


def _fmt_hours(hours: float) -> str:
    return f"{int(hours)} hours" if float(hours).is_integer() else f"{hours:.1f} hours"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _total_words(series: list[Series], one: str, many: str) -> str:
    total = int(sum(v or 0 for s in series for v in s.values))
    parts = ", ".join(f"{s.name} {int(sum(v or 0 for v in s.values))}" for s in series if any(s.values))
    return f"{_plural(total, one, many)} in all" + (f": {parts}." if parts else ".")
