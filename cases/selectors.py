"""Reads for cases. Need to know: a beat officer sees the cases of the beats they cover, a force admin
every case of the force; shop workers never see cases. Every page, API view and download finds its case
through ``cases_for``, so a case outside the user's scope is a 404 everywhere."""

from django.db.models import Count, QuerySet

from accounts.access import is_force_admin_of, scope_to_covered_beats
from cases.models import Case, CaseAccess


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


def queue_filter(
    qs: QuerySet[Case],
    *,
    status: str | None = None,
    breach: bool | None = None,
    beat_id: int | None = None,
    sort: str = "priority",
) -> QuerySet[Case]:
    """The queue's one rule for its filters, shared by the page and the API's filter set: the open
    cases unless ``status`` names one, most urgent first unless ``sort`` says otherwise (one of QUEUE_SORTS)."""
    qs = qs.filter(status=status) if status else qs.filter(status__in=Case.OPEN_STATUSES)
    if breach is not None:
        qs = qs.filter(is_breach=breach)
    if beat_id:
        qs = qs.filter(beat_id=beat_id)
    return qs.order_by(*QUEUE_SORTS[sort])


def triage_queue(
    user, *, status: str | None = None, breach: bool | None = None, beat_id: int | None = None, sort: str = "priority"
) -> QuerySet[Case]:
    """Open cases for the beats an officer covers (force-wide for admins), most urgent first."""
    return queue_filter(queue_scope(user), status=status, breach=breach, beat_id=beat_id, sort=sort)


def status_counts(user) -> dict[str, int]:
    counts = dict(queue_scope(user).values_list("status").annotate(n=Count("id")).order_by())
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
