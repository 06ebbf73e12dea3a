"""Home pages: what needs doing, per role, with counts that link to the lists behind them.

- A beat officer: P1 incidents in their beats not yet taken on (minutes against the 15-minute target),
  cases awaiting review and awaiting corroboration (oldest first, against their targets), failed files.
- A force admin: the same for the whole force, then the force at a glance (charts with their numbers in
  tables and as CSV), orders ending soon and youth orders due their yearly review.
- A shop worker: their stores' incidents, counted per status.

``counts_json`` gives the same counts to ``static/js/counts.js``, which refreshes the badges in place.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from accounts import access
from accounts.permissions import FORCE_ADMIN, role_required
from cases.models import Case
from core import csv as safe_csv
from core.pagination import BoundedPaginator
from dashboards import charts, figures, kept, selectors
from incidents.models import Incident
from incidents.selectors import incidents_for
from recognition.models import EvidenceProcessing

FORCE_ADMINS_ONLY = "Only force admins may download the force's figures."


def url_or_empty(name: str, query: dict | None = None) -> str:
    """The URL of ``name`` with ``query``, or "" while no page of that name exists."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def links_for(user) -> dict[str, str]:
    """Where each count leads: the list it counts, filtered to the same rows. A beat officer's case queue
    and processing list are already their beats; the incident list (force-wide for police) is narrowed to
    exactly the beats the officer covers (``beat`` repeated; ``beat=mine`` when they cover none yet, which the
    list names rather than showing the whole force)."""
    p1 = {"priority": Incident.Priority.P1, "taken": "no"}
    if user.is_beat_officer:
        p1["beat"] = list(user.beats.filter(force_id=user.force_id).order_by("pk").values_list("pk", flat=True))
        p1["beat"] = p1["beat"] or "mine"
    return {
        "p1_waiting": url_or_empty("incident-list", p1),
        "cases_awaiting_review": url_or_empty("case-queue", {"status": Case.Status.AWAITING_REVIEW, "sort": "oldest"}),
        "cases_awaiting_corroboration": url_or_empty("case-queue", {"status": Case.Status.CONFIRMED, "sort": "oldest"}),
        "files_failed": url_or_empty("recognition-processing", {"state": EvidenceProcessing.Status.FAILED}),
    }


@login_required
def home(request):
    user = request.user
    if not access.has_usable_role(user):
        return render(request, "dashboards/no_role.html")
    if user.is_shop_worker:
        return _shop_home(request)
    return _police_home(request)


def _police_home(request):
    user, now, rows = request.user, timezone.now(), settings.DASHBOARD_LIST_ROWS
    context = {
        "counts": selectors.police_counts(user),
        "links": links_for(user),
        "p1": selectors.p1_waiting_list(user, limit=rows, now=now),
        "review": selectors.review_list(user, limit=rows, now=now),
        "corroboration": selectors.corroboration_list(user, limit=rows, now=now),
        "review_target": selectors.review_target(),
        "corroboration_target": selectors.corroboration_target(),
        "beats": user.beats.filter(force_id=user.force_id).order_by("name") if user.is_beat_officer else [],
    }
    if user.is_force_admin:
        context.update(_force_admin_context(user))
    return render(request, "dashboards/police_home.html", context)


def _force_admin_context(user) -> dict:
    today = timezone.localdate()
    ending_days, youth_days = settings.DASHBOARD_ORDERS_ENDING_DAYS, settings.DASHBOARD_YOUTH_REVIEW_DAYS
    ending = selectors.orders_ending(user, today=today, days=ending_days)
    youth = selectors.youth_reviews_due(user, today=today, days=youth_days)
    rows = settings.DASHBOARD_LIST_ROWS
    force_figures = kept.figures_for(user, today=today)
    return {
        "figures": [
            {"chart": chart, "svg": mark_safe(charts.render(chart))}  # noqa: S308 - every text is escaped in charts
            for chart in force_figures.charts
        ],
        "figures_built_at": force_figures.built_at,
        "figures_kept": force_figures.kept,
        "figures_every_minutes": settings.DASHBOARD_FIGURES_EVERY_MINUTES,
        "orders_ending": ending[:rows],
        "orders_ending_count": ending.count(),
        "orders_ending_days": ending_days,
        "youth_reviews": youth[:rows],
        "youth_reviews_count": len(youth),
        "youth_review_days": youth_days,
        "desk_orders": url_or_empty("desk-orders"),
        "desk_offenders": url_or_empty("desk-offenders"),
    }


def _shop_home(request):
    user = request.user
    recent = BoundedPaginator(incidents_for(user), settings.DASHBOARD_LIST_ROWS).get_page(1)
    counts = selectors.shop_counts(user)
    statuses = [
        {
            "key": f"incidents_{value}",
            "n": counts[f"incidents_{value}"],
            "label": label,
            "link": url_or_empty("incident-list", {"status": value}),
        }
        for value, label in Incident.Status.choices
    ]
    context = {
        "counts": counts,
        "statuses": statuses,
        "recent": recent,
        "stores": access.stores_for(user).order_by("name"),
    }
    return render(request, "dashboards/shop_home.html", context)


@require_GET
def counts_json(request):
    """The signed-in user's counts, for the badges (``static/js/counts.js``): police counts for police,
    their stores' incident counts for shop staff. Not signed in: a 401 the script stops on."""
    if not request.user.is_authenticated:
        return JsonResponse({"message": "Sign in to see your counts."}, status=401)
    user = request.user
    return JsonResponse(
        {
            "counts": selectors.badge_counts(user),
            "labels": selectors.count_labels(user),
            "at": timezone.now().isoformat(),
        }
    )


@require_GET
@role_required(FORCE_ADMIN, message=FORCE_ADMINS_ONLY)
def chart_csv(request, slug: str):
    """One chart's numbers as CSV (the same rows as its table, from the same kept figures), for the force admin's
    own force."""
    if slug not in figures.CHARTS:
        raise Http404("No such chart.")
    chart = next(chart for chart in kept.figures_for(request.user).charts if chart.slug == slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="retrace-{slug}-{timezone.localdate():%Y-%m-%d}.csv"'
    writer = safe_csv.writer(response)
    writer.writerow(chart.header)
    writer.writerows(chart.rows)
    return response
