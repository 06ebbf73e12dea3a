"""Reads for the home pages: what needs doing, counted and listed, for the user who asks.

Every read starts from the scoped selector of the app that owns the rows, so the home pages see exactly
what the lists they link to show: ``incidents_for`` (a worker's stores, police their force), ``cases_for``
and ``processing_for`` (need to know: a beat officer's covered beats, a force admin's force). A beat
officer's incident counts are narrowed to the beats they cover ("in my beats"). Shop workers get no
police count at all.

Counts and charts are single aggregate queries (``Count`` with ``filter``, ``TruncWeek``/``TruncMonth``);
the force admin's figures are built in ``dashboards.figures`` from the queries here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, DateTimeField, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts import access
from cases.models import Case, CaseDecision
from cases.selectors import cases_for
from core.pagination import rows_between
from core.templatetags.retrace import spoken_duration
from incidents.models import Incident
from incidents.selectors import incidents_filter, incidents_for
from orders.in_force import order_in_force_q
from orders.models import Order, youth_review_due
from orders.selectors import orders_for
from recognition.models import EvidenceProcessing
from recognition.selectors import processing_for

# The counts a page may show, in the order the live region reads them, with the words it reads.
POLICE_COUNTS = {
    "p1_waiting": "P1 incidents not taken on",
    "cases_awaiting_review": "Cases awaiting review",
    "cases_awaiting_corroboration": "Cases awaiting corroboration",
    "cases_waiting": "Cases waiting for you",
    "files_failed": "CCTV files that failed processing",
}
SHOP_COUNTS = {
    "incidents_received": "Incidents received",
    "incidents_with_police": "Incidents with police",
    "incidents_closed": "Incidents closed",
}


def is_police(user) -> bool:
    return access.has_usable_role(user) and user.is_police


def is_shop_worker(user) -> bool:
    return access.has_usable_role(user) and user.is_shop_worker


# Police: what needs doing -------------------------------------------------------------------------


def incidents_in_my_beats(user) -> QuerySet[Incident]:
    """The force's incidents for a force admin; those of the beats a beat officer covers for an officer."""
    qs = incidents_for(user)
    if getattr(user, "is_beat_officer", False):
        qs = qs.filter(store__beat_id__in=access.covered_beat_ids(user))
    return qs


def p1_waiting(user) -> QuerySet[Incident]:
    """P1 incidents in the user's beats that nobody has taken on yet and that are still open (the incident
    list's own ``taken`` rule), oldest first."""
    if not is_police(user):
        return Incident.objects.none()
    qs = incidents_filter(incidents_in_my_beats(user), priority=Incident.Priority.P1, taken=False)
    return qs.order_by("created_at", "id")


def cases_awaiting_review(user) -> QuerySet[Case]:
    """Cases (of the user's beats, or force) waiting for a reviewer, oldest first."""
    return cases_for(user).filter(status=Case.Status.AWAITING_REVIEW).order_by("created_at", "id")


def cases_awaiting_corroboration(user) -> QuerySet[Case]:
    """Confirmed matches waiting for corroboration, the longest waiting first, each with ``confirmed_at``."""
    confirmed_at = CaseDecision.objects.filter(case=OuterRef("pk"), stage=CaseDecision.Stage.REVIEW).values(
        "decided_at"
    )[:1]
    qs = cases_for(user).filter(status=Case.Status.CONFIRMED)
    qs = qs.annotate(confirmed_at=Subquery(confirmed_at, output_field=DateTimeField()))
    return qs.order_by(F("confirmed_at").asc(nulls_first=True), "id")


def files_failed(user) -> QuerySet[EvidenceProcessing]:
    """CCTV files whose face matching failed, in the user's beats (need to know), newest first."""
    return processing_for(user).filter(status=EvidenceProcessing.Status.FAILED)


def police_counts(user) -> dict[str, int]:
    """The police counts of the home page and the navigation's badges: four queries, each one aggregate."""
    waiting = (Case.Status.AWAITING_REVIEW, Case.Status.CONFIRMED)  # only these rows: the queue's index finds them
    cases = (
        cases_for(user)
        .filter(status__in=waiting)
        .aggregate(
            review=Count("id", filter=Q(status=Case.Status.AWAITING_REVIEW)),
            corroboration=Count("id", filter=Q(status=Case.Status.CONFIRMED)),
        )
    )
    return {
        "p1_waiting": p1_waiting(user).count(),
        "cases_awaiting_review": cases["review"],
        "cases_awaiting_corroboration": cases["corroboration"],
        "cases_waiting": cases["review"] + cases["corroboration"],
        "files_failed": files_failed(user).count(),
    }


# Shop workers: their stores' incidents ------------------------------------------------------------


def shop_counts(user) -> dict[str, int]:
    """Their stores' incidents per status (one aggregate query, ``COUNT(*)``: the per-store status index answers it
    alone, where counting ids read every incident row: 10 ms against 230 ms for a busy store's 45,000)."""
    found = dict(incidents_for(user).order_by().values_list("status").annotate(n=Count("*")))
    return {f"incidents_{status}": found.get(status, 0) for status in Incident.Status.values}


def counts_for(user) -> dict[str, int]:
    """The current user's counts: police counts for police, their stores' counts for shop staff, else none."""
    if is_police(user):
        return police_counts(user)
    if is_shop_worker(user):
        return shop_counts(user)
    return {}


def badge_counts(user) -> dict[str, int]:
    """``counts_for``, kept ``DASHBOARD_BADGE_CACHE_SECONDS`` (30) per user in Django's cache: every page's
    navigation shows them, and at a large force's size a count (failed files in the officer's beats, joined
    through evidence, incident and store) costs hundreds of milliseconds. The badges may be that many
    seconds behind; the home page's own counts are always read afresh."""
    seconds = settings.DASHBOARD_BADGE_CACHE_SECONDS
    if not seconds or not getattr(user, "pk", None):
        return counts_for(user)
    counts = cache.get_or_set(f"dashboards:badges:{user.pk}", lambda: counts_for(user), seconds)
    return counts if counts is not None else counts_for(user)


def count_labels(user) -> dict[str, str]:
    if is_police(user):
        return POLICE_COUNTS
    if is_shop_worker(user):
        return SHOP_COUNTS
    return {}


# Waiting times against targets --------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """One item on a home-page list: how long it has waited, against its target."""

    item: object
    since: datetime.datetime | None
    waited: datetime.timedelta
    target: datetime.timedelta

    @property
    def over(self) -> bool:
        return self.waited > self.target

    @property
    def minutes(self) -> int:
        return int(self.waited.total_seconds() // 60)

    @property
    def target_minutes(self) -> int:
        return int(self.target.total_seconds() // 60)

    @property
    def verdict(self) -> str:
        """Against the target, as people say it: "target 15 minutes: 7 minutes over", "target 1 day: 2 hours left"."""
        target = spoken_duration(self.target.total_seconds())
        if self.over:
            return f"target {target}: {spoken_duration((self.waited - self.target).total_seconds())} over"
        return f"target {target}: {spoken_duration((self.target - self.waited).total_seconds())} left"


def _waiting(item, since, target: datetime.timedelta, now: datetime.datetime) -> Waiting:
    waited = now - since if since else datetime.timedelta(0)
    waited = datetime.timedelta(minutes=int(waited.total_seconds() // 60))  # whole minutes, as people count
    return Waiting(item=item, since=since, waited=waited, target=target)


def review_target() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.DASHBOARD_CASE_REVIEW_TARGET_HOURS)


def corroboration_target() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.DASHBOARD_CORROBORATION_TARGET_HOURS)


def p1_waiting_list(user, *, limit: int, now: datetime.datetime | None = None) -> list[Waiting]:
    """The oldest ``limit`` P1 incidents not taken on, each with minutes since it was reported against its
    own response target (15 minutes for P1, ``incidents.rules``)."""
    now = now or timezone.now()
    qs = p1_waiting(user).select_related("store")[:limit]
    return [_waiting(i, i.created_at, datetime.timedelta(minutes=i.response_target_minutes), now) for i in qs]


def review_list(user, *, limit: int, now: datetime.datetime | None = None) -> list[Waiting]:
    now = now or timezone.now()
    qs = cases_awaiting_review(user).select_related("incident__store", "beat")[:limit]
    return [_waiting(c, c.created_at, review_target(), now) for c in qs]


def corroboration_list(user, *, limit: int, now: datetime.datetime | None = None) -> list[Waiting]:
    now = now or timezone.now()
    # In two steps (their ids in the order of confirmation, then those cases with their related rows): joined
    # first, the database read every confirmed case of the force with its related rows to keep ten.
    cases = rows_between(cases_awaiting_corroboration(user).select_related("incident__store", "beat"), 0, limit)
    return [_waiting(c, getattr(c, "confirmed_at", None) or c.updated_at, corroboration_target(), now) for c in cases]


# Force admin: orders -------------------------------------------------------------------------------


def orders_ending(user, *, today: datetime.date, days: int) -> QuerySet[Order]:
    """Orders in force today whose last day (end date, or a recorded discharge or replacement) falls within
    the next ``days`` days, soonest first."""
    last = today + datetime.timedelta(days=days)
    ends = (
        Q(indefinite=False, ends_on__lte=last)
        | Q(discharged_on__isnull=False, discharged_on__lte=last + datetime.timedelta(days=1))
        | Q(superseded_on__isnull=False, superseded_on__lte=last + datetime.timedelta(days=1))
    )
    qs = orders_for(user).filter(order_in_force_q(today)).filter(ends)
    return qs.order_by(F("ends_on").asc(nulls_last=True), "pk")


@dataclass(frozen=True)
class YouthReview:
    order: Order
    due: datetime.date


def youth_reviews_due(user, *, today: datetime.date, days: int) -> list[YouthReview]:
    """Youth orders (``Order.youth``: made against a person under 18) in force today whose yearly review
    (``orders.models.youth_review_due``, the one home of that rule) falls within the next ``days`` days, soonest first.
    The review date is worked out per order by that rule; only youth orders in force are read."""
    last = today + datetime.timedelta(days=days)
    qs = orders_for(user).filter(order_in_force_q(today), youth=True)
    # The date depends on the day the order took effect alone: that is read for every youth order in force
    # (hundreds in a large force), and whole orders only for those due.
    due = {pk: youth_review_due(effective_from, today) for pk, effective_from in qs.values_list("pk", "effective_from")}
    due = {pk: day for pk, day in due.items() if day <= last}
    orders = qs.filter(pk__in=due).in_bulk()
    reviews = [YouthReview(order=orders[pk], due=day) for pk, day in due.items() if pk in orders]
    return sorted(reviews, key=lambda r: (r.due, r.order.pk))
