"""Incident reads, always scoped through ``accounts.access`` (outside scope means not found)."""

import re
from datetime import date

from django.db.models import Q, QuerySet

from accounts.access import scope_by_store, stores_for
from accounts.models import User
from core.filters import one_or_many, within_days
from incidents.models import Evidence, Incident, WitnessStatement


def incidents_for(user) -> QuerySet[Incident]:
    """The incidents ``user`` may see: a shop worker's stores, or a police user's force."""
    qs = Incident.objects.select_related("store__retailer", "store__beat__force", "reported_by", "taken_on_by")
    return scope_by_store(qs, user, store_path="store")


def incident_get(*, user, incident_id: int) -> Incident | None:
    return incidents_for(user).filter(pk=incident_id).first()


def incident_by_submission_key(*, reported_by: User, submission_key) -> Incident | None:
    """The incident a reporter already filed with this form's key (a report sent twice)."""
    if submission_key is None:
        return None
    return Incident.objects.filter(submission_key=submission_key, reported_by=reported_by).first()


def evidence_for_incident(*, incident: Incident) -> QuerySet[Evidence]:
    return incident.evidence.select_related("uploaded_by").order_by("uploaded_at", "id")


def evidence_get(*, incident: Incident, evidence_id: int) -> Evidence | None:
    return evidence_for_incident(incident=incident).filter(pk=evidence_id).first()


def statements_for_incident(*, incident: Incident) -> QuerySet[WitnessStatement]:
    return incident.witness_statements.select_related("created_by").order_by("created_at", "id")


def reporters_for(user) -> QuerySet[User]:
    """The people who report at the stores ``user`` may see (the list's "reported by" filter): their staff.
    Read from the stores' staff, not from the incidents: a distinct over a force's million incidents cost
    seconds on every list page. Someone no longer on a store's staff is not offered (their incidents stay
    in the list and its other filters)."""
    stores = stores_for(user)
    return (
        User.objects.filter(role=User.Role.SHOP_WORKER, stores__in=stores)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def incidents_filter(
    qs: QuerySet[Incident],
    *,
    store=None,
    category: str = "",
    status: str = "",
    priority: str = "",
    occurred_after=None,
    occurred_before=None,
    occurred_from: date | None = None,
    occurred_to: date | None = None,
    q: str = "",
    beat=None,
    taken: bool | None = None,
    reporter=None,
) -> QuerySet[Incident]:
    """The one filtering rule of the portal's list and the API. ``occurred_from``/``occurred_to`` are days,
    both included (the service's time zone); ``q`` searches the reference, the description and the store (name,
    code, postcode); ``beat`` is one beat or several (any of them); ``taken`` False is the incidents nobody has
    taken on yet and that are still open."""
    if occurred_after:
        qs = qs.filter(occurred_at__gte=occurred_after)
    if occurred_before:
        qs = qs.filter(occurred_at__lt=occurred_before)
    qs = within_days(qs, "occurred_at", occurred_from, occurred_to)
    if store:
        qs = qs.filter(store=store)
    if beat:
        qs = qs.filter(store__beat__in=one_or_many(beat))
    if reporter:
        qs = qs.filter(reported_by=reporter)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    if taken is True:
        qs = qs.filter(Q(taken_on_at__isnull=False) | Q(status=Incident.Status.WITH_POLICE))
    elif taken is False:
        qs = qs.filter(taken_on_at__isnull=True, status=Incident.Status.RECEIVED)
    if q and q.strip():
        qs = qs.filter(_search(q.strip()))
    return qs


# A word shaped like an incident reference ("INC-2026-000123", or its start) is looked up as a reference
# only: a prefix the reference's own index serves, where "contains" across the description read every
# incident of the force.
REFERENCE_WORD = re.compile(r"^INC-\d{1,4}(-\d*)?$", re.IGNORECASE)


def _search(text: str) -> Q:
    condition = Q()
    for word in text.split():  # every word must match somewhere
        if REFERENCE_WORD.match(word):
            condition &= Q(reference__startswith=word.upper())
            continue
        condition &= (
            Q(reference__icontains=word)
            | Q(description__icontains=word)
            | Q(store__name__icontains=word)
            | Q(store__code__iexact=word)
            | Q(store__postcode__icontains=word)
            | Q(store__retailer__name__icontains=word)
        )
    return condition
