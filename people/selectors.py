"""Reads for people, scoped as cases are (``accounts.access``): shop workers see nothing here, ever; beat
officers see their force's persons of interest and the links to incidents in the beats they cover; force
admins the whole force. Out of scope is not found (404), never refused.

A person is an offender (``orders.Offender``) or a person of interest. Once an order is recorded for a person
of interest (``PersonOfInterest.offender``), the two records are one person: their links are read together
(``subject_links``), and the persistent-offender view counts them under the offender."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Count, F, Max, Min, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import scope_to_covered_beats, scope_to_police
from core.filters import local_midnight
from incidents.models import Incident
from orders.models import Offender
from orders.selectors import offenders_for
from people.models import IncidentLink, PeopleEvent, PeopleSettings, PersonOfInterest

# Incidents with violence or threats: the category says so, or someone was injured, or a weapon was seen.
VIOLENT_OR_THREATENING = (
    Q(incident__category__in=[Incident.Category.PHYSICAL_ASSAULT, Incident.Category.THREATS])
    | Q(incident__injured=True)
    | Q(incident__weapon=True)
)


def persons_for(user) -> QuerySet[PersonOfInterest]:
    """The force's persons of interest, for its police; none for shop workers and users without a role."""
    return scope_to_police(PersonOfInterest.objects.select_related("offender", "force"), user)


def person_get(*, user, person_id: int) -> PersonOfInterest | None:
    return persons_for(user).filter(pk=person_id).first()


def offender_get(*, user, offender_id: int) -> Offender | None:
    return offenders_for(user).filter(pk=offender_id).first()


def persons_search(qs: QuerySet[PersonOfInterest], *, q: str = "") -> QuerySet[PersonOfInterest]:
    """Persons whose names, PNC ID or description contain every word of ``q``."""
    for word in (q or "").split():
        qs = qs.filter(
            Q(given_names__icontains=word)
            | Q(family_name__icontains=word)
            | Q(pnc_id__icontains=word)
            | Q(description__icontains=word)
        )
    return qs


def links_for(user) -> QuerySet[IncidentLink]:
    """Links to incidents the user may see them for: a beat officer's covered beats, a force admin's force."""
    qs = IncidentLink.objects.select_related(
        "incident__store__retailer",
        "incident__store__beat",
        "offender",
        "person",
        "case",
        "created_by",
        "withdrawn_by",
    )
    return scope_to_covered_beats(qs, user, force_path="force", beat_path="incident__store__beat")


def link_get(*, user, link_id: int) -> IncidentLink | None:
    return links_for(user).filter(pk=link_id).first()


def _subject_q(subject) -> Q:
    """Links of ``subject`` (an offender or a person of interest), the other record of the same person included."""
    if isinstance(subject, Offender):
        return Q(offender=subject) | Q(person__offender=subject)
    condition = Q(person=subject)
    if subject.offender_id:
        condition |= Q(offender_id=subject.offender_id)
    return condition


def subject_links(subject, user, *, include_withdrawn: bool = True) -> QuerySet[IncidentLink]:
    """The subject's links the user may see, the incident's time first (withdrawn ones too unless told not)."""
    qs = links_for(user).filter(_subject_q(subject))
    if not include_withdrawn:
        qs = qs.filter(withdrawn_at__isnull=True)
    return qs.order_by("incident__occurred_at", "incident_id", "id")


def chronology(subject, user) -> QuerySet[IncidentLink]:
    """The subject's active links the user may see, in the order the incidents happened: the chronology an
    application is built from. A withdrawn link is not in it."""
    return subject_links(subject, user, include_withdrawn=False)


def active_link_for(*, incident: Incident, offender: Offender | None = None, person: PersonOfInterest | None = None):
    """The active link of this incident to this person (either of their records), or None. Unscoped: the
    services' duplicate check."""
    subject = offender or person
    return (
        IncidentLink.objects.filter(incident=incident, withdrawn_at__isnull=True)
        .filter(_subject_q(subject))
        .select_related("created_by")
        .first()
    )


def events_for_person(person: PersonOfInterest) -> QuerySet[PeopleEvent]:
    return PeopleEvent.objects.filter(person=person).select_related("actor")


# The persistent-offender view ------------------------------------------------------------------------------


@dataclass
class PersistentRow:
    """One person in the persistent-offender view: what the links the user may see in the period add up to."""

    offender: Offender | None
    person: PersonOfInterest | None
    incidents: int
    violent_or_threatening: int
    stores: int
    retailers: int
    goods_value: Decimal  # total value of goods lost
    earlier_half: int  # incidents in the first half of the period
    later_half: int  # incidents in the second half
    first_incident_at: datetime.datetime | None
    last_incident_at: datetime.datetime | None
    persistent: bool  # the force's minimum or more linked incidents in its period up to `until`

    @property
    def subject(self):
        return self.offender or self.person

    @property
    def subject_key(self) -> str:
        """How the API addresses the person: "offender-12" or "person-34"."""
        if self.offender is not None:
            return f"offender-{self.offender.pk}"
        assert self.person is not None  # a row is about an offender or a person of interest
        return f"person-{self.person.pk}"

    @property
    def trend(self) -> str:
        """ "up": more incidents in the later half of the period than in the earlier; "down": fewer; else "steady"."""
        if self.later_half > self.earlier_half:
            return "up"
        if self.later_half < self.earlier_half:
            return "down"
        return "steady"


def default_period(
    today: datetime.date | None = None, *, period_days: int | None = None
) -> tuple[datetime.date, datetime.date]:
    """The last ``period_days`` days (the force's persistent period; PEOPLE_PERSISTENT_PERIOD_DAYS when not
    given), today included."""
    until = today or timezone.localdate()
    return until - datetime.timedelta(days=(period_days or settings.PEOPLE_PERSISTENT_PERIOD_DAYS) - 1), until


def persistent_ranking(
    user,
    *,
    since: datetime.date,
    until: datetime.date,
    minimum: int | None = None,
    window_days: int | None = None,
) -> list[PersistentRow]:
    """Persons ranked by the incidents linked to them (active links the user may see) that happened from
    ``since`` to ``until`` (UK local days, inclusive): most incidents first, then most with violence or
    threats, then the highest goods value. One aggregate query groups the links by person (a person of
    interest with an order counts under their offender record); two more fetch the people. Persistent:
    ``minimum`` or more in the ``window_days`` up to ``until`` (the force's thresholds, ``thresholds_for``;
    the environment's when not given)."""
    minimum = minimum or settings.PEOPLE_PERSISTENT_MIN_INCIDENTS
    window_days = window_days or settings.PEOPLE_PERSISTENT_PERIOD_DAYS
    start, end = local_midnight(since), local_midnight(until + datetime.timedelta(days=1))
    middle = start + (end - start) / 2
    window_start = max(start, local_midnight(until - datetime.timedelta(days=window_days - 1)))
    links = links_for(user).filter(
        withdrawn_at__isnull=True, incident__occurred_at__gte=start, incident__occurred_at__lt=end
    )
    grouped = (
        links.annotate(key_offender=Coalesce("offender_id", "person__offender_id"))
        .annotate(key_person=Case(When(key_offender__isnull=True, then=F("person_id")), default=None))
        .values("key_offender", "key_person")
        .annotate(
            incidents=Count("incident", distinct=True),
            violent=Count("incident", filter=VIOLENT_OR_THREATENING, distinct=True),
            stores=Count("incident__store", distinct=True),
            retailers=Count("incident__store__retailer", distinct=True),
            goods=Coalesce(Sum("incident__goods_value"), 0, output_field=Incident._meta.get_field("goods_value")),
            earlier=Count("incident", filter=Q(incident__occurred_at__lt=middle), distinct=True),
            later=Count("incident", filter=Q(incident__occurred_at__gte=middle), distinct=True),
            in_window=Count("incident", filter=Q(incident__occurred_at__gte=window_start), distinct=True),
            first=Min("incident__occurred_at"),
            last=Max("incident__occurred_at"),
        )
    )
    return _rows(grouped, minimum)


def _rows(grouped, minimum: int) -> list[PersistentRow]:
    grouped = list(grouped)
    offender_ids = {g["key_offender"] for g in grouped if g["key_offender"]}
    person_ids = {g["key_person"] for g in grouped if not g["key_offender"]}
    offenders = Offender.objects.in_bulk(offender_ids)
    persons = PersonOfInterest.objects.in_bulk(person_ids)
    rows = [
        PersistentRow(
            offender=offenders.get(g["key_offender"]) if g["key_offender"] else None,
            person=None if g["key_offender"] else persons.get(g["key_person"]),
            incidents=g["incidents"],
            violent_or_threatening=g["violent"],
            stores=g["stores"],
            retailers=g["retailers"],
            goods_value=g["goods"],
            earlier_half=g["earlier"],
            later_half=g["later"],
            first_incident_at=g["first"],
            last_incident_at=g["last"],
            persistent=g["in_window"] >= minimum,
        )
        for g in grouped
    ]
    rows.sort(key=lambda r: (-r.incidents, -r.violent_or_threatening, -r.goods_value, _name(r)))
    return rows


def _name(row: PersistentRow) -> str:
    s = row.subject
    return f"{s.family_name} {s.given_names}".lower() if s else ""


@dataclass(frozen=True)
class Thresholds:
    """What marks someone as persistent in a force: ``min_incidents`` linked incidents within ``period_days``.
    ``own``: whether the force set them (else the environment's defaults)."""

    min_incidents: int
    period_days: int
    own_min_incidents: bool = False
    own_period_days: bool = False


def force_ranking(user, *, since: datetime.date, until: datetime.date) -> list[PersistentRow]:
    """``persistent_ranking`` with the user's force's thresholds (the list page's and the API's)."""
    thresholds = thresholds_for(user.force_id)
    return persistent_ranking(
        user, since=since, until=until, minimum=thresholds.min_incidents, window_days=thresholds.period_days
    )


def thresholds_for(force_id: int | None) -> Thresholds:
    """The force's persistent-offender thresholds, each the environment's default where the force set none."""
    row = PeopleSettings.objects.filter(force_id=force_id).first() if force_id else None
    own_min = row.persistent_min_incidents if row is not None else None
    own_days = row.persistent_period_days if row is not None else None
    return Thresholds(
        min_incidents=own_min if own_min is not None else settings.PEOPLE_PERSISTENT_MIN_INCIDENTS,
        period_days=own_days if own_days is not None else settings.PEOPLE_PERSISTENT_PERIOD_DAYS,
        own_min_incidents=own_min is not None,
        own_period_days=own_days is not None,
    )
