"""Reads for cases. Need to know: a beat officer sees the cases of the beats they cover, a force admin
every case of the force; shop workers never see cases. Every page, API view and download finds its case
through ``cases_for``, so a case outside the user's scope is a 404 everywhere."""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.access import is_force_admin_of, scope_to_covered_beats
from accounts.models import Store, User
from cases.models import Case, CaseAccess
from core.filters import one_or_many, within_days
from incidents.models import Incident
from orders.models import Offender


def cases_for(user) -> QuerySet[Case]:
    """The cases ``user`` may open: those of the beats a beat officer covers, the force's for a force admin."""
    qs = Case.objects.select_related(
        "incident__store__retailer", "incident__store__beat", "offender", "best_match", "breach_order", "beat"
    )
    return scope_to_covered_beats(qs, user, force_path="force", beat_path="beat")


QUEUE_SORTS: dict[str, list[str]] = {
    "priority": [str(field) for field in Case._meta.ordering or ()],  # breaches, then threat priority, then the oldest
    "oldest": ["created_at", "id"],
    "newest": ["-created_at", "-id"],
    "similarity": ["-best_similarity", "created_at", "id"],
}


def queue_scope(user) -> QuerySet[Case]:
    """Every case of the beats an officer covers (force-wide for admins), in any status: the cases the
    user may open (``cases_for``), no more and no fewer."""
    return cases_for(user)  # none for anyone but police


# A case whose match was rejected is no breach, whatever the candidate's order covers.
BREACH = Q(is_breach=True) & ~Q(status=Case.Status.REJECTED)


# A word shaped like a reference ("CASE-2026-000123", "INC-2026-000123", or their start) is looked up as that
# reference only: a prefix its own index serves.
REFERENCE_WORD = re.compile(r"^(CASE|INC)-\d{1,4}(-\d*)?$", re.IGNORECASE)


def queue_search(qs: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Cases matching every word of ``text`` in a reference (the case's or its incident's), the person's
    names or aliases, or the store's name.

    Each condition is on the case table itself (the people and stores whose names match, as subqueries of
    those small tables; a reference by its prefix): joined to incidents and offenders, a common name read
    every case of the force with both (400 ms at the Met's size)."""
    for word in text.split()[:8]:
        if REFERENCE_WORD.match(word):
            upper = word.upper()
            if upper.startswith("CASE"):
                qs = qs.filter(reference__startswith=upper)
            else:
                qs = qs.filter(incident_id__in=Incident.objects.filter(reference__startswith=upper).values("pk"))
            continue
        people = Offender.objects.filter(
            Q(given_names__icontains=word) | Q(family_name__icontains=word) | Q(aliases__icontains=word)
        )
        condition = Q(offender_id__in=people.values("pk")) | Q(
            store_id__in=Store.objects.filter(name__icontains=word).values("pk")
        )
        if any(c.isdigit() for c in word):  # part of a reference's number
            condition |= Q(reference__icontains=word) | Q(incident__reference__icontains=word)
        qs = qs.filter(condition)
    return qs


def queue_filter(
    qs: QuerySet[Case],
    *,
    status: str | None = None,
    breach: bool | None = None,
    beat_id: int | list[int] | None = None,
    priority: str | None = None,
    offender_id: int | None = None,
    raised_from: datetime.date | None = None,
    raised_to: datetime.date | None = None,
    q: str = "",
    sort: str = "priority",
) -> QuerySet[Case]:
    """The queue's one rule for its filters, shared by the page and the API's filter set: the open
    cases unless ``status`` names one, most urgent first unless ``sort`` says otherwise (one of QUEUE_SORTS).
    ``breach``: breaches, possible or confirmed (a rejected match is never one); ``beat_id``: one beat's id or
    a list of them (any of those beats); ``raised_from`` and ``raised_to``: the days the case was raised, both
    included."""
    qs = qs.filter(status=status) if status else qs.filter(status__in=Case.OPEN_STATUSES)
    if breach is not None:
        qs = qs.filter(BREACH) if breach else qs.exclude(BREACH)
    if beat_id:
        qs = qs.filter(beat_id__in=one_or_many(beat_id))
    if priority:
        qs = qs.filter(incident_priority=priority)
    if offender_id:
        qs = qs.filter(offender_id=offender_id)
    qs = within_days(qs, "created_at", raised_from, raised_to)
    if q:
        qs = queue_search(qs, q)
    return qs.order_by(*QUEUE_SORTS[sort])


def triage_queue(user, *, sort: str = "priority", **filters) -> QuerySet[Case]:
    """Open cases for the beats an officer covers (force-wide for admins), most urgent first; ``filters``
    as ``queue_filter`` takes them."""
    return queue_filter(queue_scope(user), sort=sort, **filters)


def status_counts(user) -> dict[str, int]:
    counts = dict(queue_scope(user).values_list("status").annotate(n=Count("*")).order_by())
    return {value: counts.get(value, 0) for value in Case.Status.values}


def justification_access(*, case: Case, user) -> CaseAccess | None:
    """The user's first justification for opening this case (the one every later view cites), if any."""
    return (
        CaseAccess.objects.filter(case=case, user=user, kind=CaseAccess.Kind.JUSTIFIED).order_by("created_at").first()
    )


def has_justified(*, case: Case, user) -> bool:
    return CaseAccess.objects.filter(case=case, user=user, kind=CaseAccess.Kind.JUSTIFIED).exists()


def justification_of(*, case: Case, user) -> str:
    access = justification_access(case=case, user=user)
    return access.justification if access else ""


def access_log_for(user) -> QuerySet[CaseAccess]:
    """Force admins read the whole force's access log."""
    if not is_force_admin_of(user, getattr(user, "force_id", None)):
        return CaseAccess.objects.none()
    return CaseAccess.objects.filter(force_id=user.force_id).select_related("user", "case")


@dataclass(frozen=True)
class AccessLogFilters:
    user_id: int | None = None
    kind: str = ""
    case_id: int | None = None
    logged_from: datetime.date | None = None
    logged_to: datetime.date | None = None


def access_log_filter(qs: QuerySet[CaseAccess], filters: AccessLogFilters) -> QuerySet[CaseAccess]:
    """The access log's one rule for its filters (page and API): who, what, which case, and the days
    logged (both included), newest first."""
    if filters.user_id:
        qs = qs.filter(user_id=filters.user_id)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.case_id:
        qs = qs.filter(case_id=filters.case_id)
    qs = within_days(qs, "created_at", filters.logged_from, filters.logged_to)
    return qs.order_by("-created_at", "-id")


def access_log_users(user) -> QuerySet[User]:
    """The people of the user's force who appear in its access log, for the log's "who" filter."""
    logged = access_log_for(user).filter(user__isnull=False).values("user_id")
    return User.objects.filter(pk__in=logged).order_by("last_name", "first_name", "username")
