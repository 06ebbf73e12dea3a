"""Reads for cases. Police of the case's force only; shop workers never see cases."""

from django.db.models import Count, QuerySet

from accounts.access import scope_to_police
from cases.models import Case, CaseAccess


def cases_for(user) -> QuerySet[Case]:
    qs = Case.objects.select_related(
        "incident__store__retailer", "incident__store__beat", "offender", "best_match", "breach_order", "beat"
    )
    return scope_to_police(qs, user, force_path="force")


QUEUE_SORTS = {
    "priority": Case._meta.ordering,  # breaches, then threat priority, then the oldest
    "oldest": ["created_at", "id"],
    "newest": ["-created_at", "-id"],
    "similarity": ["-best_similarity", "created_at", "id"],
}


def triage_queue(
    user, *, status: str | None = None, breach: bool | None = None, beat_id: int | None = None, sort: str = "priority"
):
    """Open cases for the beats an officer covers (force-wide for admins), most urgent first unless
    ``sort`` says otherwise (one of QUEUE_SORTS)."""
    qs = cases_for(user)
    if user.is_beat_officer:
        qs = qs.filter(beat__in=user.beats.values("pk"))
    qs = qs.filter(status=status) if status else qs.filter(status__in=Case.OPEN_STATUSES)
    if breach is not None:
        qs = qs.filter(is_breach=breach)
    if beat_id:
        qs = qs.filter(beat_id=beat_id)
    return qs.order_by(*QUEUE_SORTS[sort])


def status_counts(user) -> dict[str, int]:
    qs = cases_for(user)
    if user.is_beat_officer:
        qs = qs.filter(beat__in=user.beats.values("pk"))
    counts = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    return {value: counts.get(value, 0) for value in Case.Status.values}


def has_justified(*, case: Case, user) -> bool:
    return CaseAccess.objects.filter(case=case, user=user, kind=CaseAccess.Kind.JUSTIFIED).exists()


def justification_of(*, case: Case, user) -> str:
    access = (
        CaseAccess.objects.filter(case=case, user=user, kind=CaseAccess.Kind.JUSTIFIED).order_by("created_at").first()
    )
    return access.justification if access else ""


def access_log_for(user) -> QuerySet[CaseAccess]:
    """Force admins read the whole force's access log."""
    if not (user.is_authenticated and user.is_force_admin and user.force_id):
        return CaseAccess.objects.none()
    return CaseAccess.objects.filter(force_id=user.force_id).select_related("user", "case")
