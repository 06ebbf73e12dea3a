"""Reads for cases. Police of the case's force only; shop workers never see cases."""

from django.db.models import Count, QuerySet

from accounts.access import is_force_admin_of, scope_to_police
from cases.models import Case, CaseAccess


def cases_for(user) -> QuerySet[Case]:
    qs = Case.objects.select_related(
        "incident__store__retailer", "incident__store__beat", "offender", "best_match", "breach_order", "beat"
    )
    return scope_to_police(qs, user, force_path="force")


QUEUE_SORTS: dict[str, list[str]] = {
    "priority": [str(field) for field in Case._meta.ordering or ()],  # breaches, then threat priority, then the oldest
    "oldest": ["created_at", "id"],
    "newest": ["-created_at", "-id"],
    "similarity": ["-best_similarity", "created_at", "id"],
}


def queue_scope(user) -> QuerySet[Case]:
    """Every case of the beats an officer covers (force-wide for admins), in any status."""
    qs = cases_for(user)  # none for anyone but police
    if getattr(user, "is_beat_officer", False):
        qs = qs.filter(beat__in=user.beats.values("pk"))
    return qs


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
