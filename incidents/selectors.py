"""Incident reads, always scoped through ``accounts.access`` (outside scope means not found)."""

from django.db.models import QuerySet

from accounts.access import scope_by_store
from incidents.models import Evidence, Incident


def incidents_for(user) -> QuerySet[Incident]:
    """The incidents ``user`` may see: a shop worker's stores, or a police user's force."""
    qs = Incident.objects.select_related("store__retailer", "store__beat", "reported_by")
    return scope_by_store(qs, user, store_path="store")


def incident_get(*, user, incident_id: int) -> Incident | None:
    return incidents_for(user).filter(pk=incident_id).first()


def evidence_for_incident(*, incident: Incident) -> QuerySet[Evidence]:
    return incident.evidence.select_related("uploaded_by").order_by("uploaded_at", "id")


def incidents_filter(
    qs: QuerySet[Incident],
    *,
    store=None,
    category: str = "",
    status: str = "",
    priority: str = "",
    occurred_after=None,
    occurred_before=None,
) -> QuerySet[Incident]:
    if occurred_after:
        qs = qs.filter(occurred_at__gte=occurred_after)
    if occurred_before:
        qs = qs.filter(occurred_at__lt=occurred_before)
    if store:
        qs = qs.filter(store=store)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    return qs
