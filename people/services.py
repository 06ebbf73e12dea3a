"""People: record persons of interest, link incidents to people and withdraw links (officers and force admins
only, each audited in ``people.events``), keep a record after review, and the nightly review that flags and
deletes persons of interest nobody has linked an incident to for the review period.

A link is made by a person who knows who it was (staff know them, arrested at the scene, CCTV viewed by an
officer, a case whose match a reviewer confirmed), never by searching unknown faces.
"""

import datetime
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.access import has_usable_role
from accounts.models import Beat, Retailer, Store
from cases.models import Case, CaseDecision
from core.exceptions import ApplicationError, ErrorCode
from incidents.models import Incident
from orders import geo
from orders.models import Offender, Prohibition
from orders.validators import normalise_pnc_id
from people import events, selectors
from people.errors import PeopleErrorCode
from people.models import CBOApplication, IncidentLink, PeopleSettings, PersonOfInterest, ProposedProhibition

logger = logging.getLogger(__name__)

PERSON_FIELDS = ("given_names", "family_name", "date_of_birth", "pnc_id", "description")
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
# The nightly review handles this many persons a transaction, so that it never holds long locks.
REVIEW_BATCH_SIZE = 200


def _fail(message: str, code: str, field_name: str | None = None, status_code: int = 400) -> NoReturn:
    raise ApplicationError(
        message, code=code, fields={field_name: [message]} if field_name else None, status_code=status_code
    )


def _not_found(what: str) -> NoReturn:
    raise ApplicationError(f"{what} not found.", code=ErrorCode.NOT_FOUND, status_code=404)


def _one_line(text) -> str:
    return " ".join(str(text or "").split())


def _today() -> datetime.date:
    return timezone.localdate()


def require_police(actor) -> None:
    """Beat officers and force admins only. Anyone else is told nothing exists here (404), as the API does."""
    if not (has_usable_role(actor) and actor.is_police):
        raise ApplicationError("Not found.", code=ErrorCode.NOT_FOUND, status_code=404)


def _require_reason(reason: str, message: str) -> str:
    reason = _one_line(reason)
    if not reason:
        _fail(message, PeopleErrorCode.REASON_REQUIRED, "reason")
    return reason


# Persons of interest ----------------------------------------------------------------------------------------


def person_clean(person: PersonOfInterest) -> None:
    """Normalise and validate in place (no save): names required, a date of birth from 1900 and not in the
    future, a valid PNC ID (made long: 2009/0012345E) held by no other record of the force."""
    errors: list[tuple[str, str, str]] = []
    person.given_names, person.family_name = _one_line(person.given_names), _one_line(person.family_name)
    person.description = (person.description or "").strip()
    for name, label in (("given_names", "Given names"), ("family_name", "Family name")):
        value = getattr(person, name)
        if not value:
            errors.append(
                (
                    name,
                    PeopleErrorCode.REQUIRED,
                    f"{label} are required." if name == "given_names" else f"{label} is required.",
                )
            )
        elif len(value) > 120:
            errors.append((name, ErrorCode.INVALID, f"{label}: at most 120 characters."))
    dob = person.date_of_birth
    if dob and (dob > _today() or dob < EARLIEST_BIRTH):
        errors.append(
            (
                "date_of_birth",
                PeopleErrorCode.DATE_OF_BIRTH_INVALID,
                "The date of birth must be from 1900 and not in the future.",
            )
        )
    if person.pnc_id:
        try:
            person.pnc_id = normalise_pnc_id(person.pnc_id)
        except ValidationError as exc:
            errors.append(("pnc_id", PeopleErrorCode.INVALID_PNC_ID, exc.messages[0]))
    if errors:
        fields: dict[str, list[str]] = {}
        for name, _code, message in errors:
            fields.setdefault(name, []).append(message)
        raise ApplicationError(errors[0][2], code=errors[0][1], fields=fields)
    if person.pnc_id:
        _check_pnc_free(person)


def _check_pnc_free(person: PersonOfInterest) -> None:
    others = PersonOfInterest.objects.filter(force_id=person.force_id, pnc_id=person.pnc_id).exclude(pk=person.pk)
    clash = others.first()
    if clash is not None:
        _fail(
            f"Person of interest {clash.pk} already has PNC ID {person.pnc_id}: link incidents to that record.",
            PeopleErrorCode.DUPLICATE_PNC_ID,
            "pnc_id",
            status_code=409,
        )
    offenders = Offender.objects.filter(force_id=person.force_id, pnc_id=person.pnc_id).exclude(
        pk=person.offender_id or 0
    )
    offender_clash = offenders.first()
    if offender_clash is not None:
        _fail(
            f"Offender {offender_clash.pk} already has PNC ID {person.pnc_id}: link incidents to the offender record.",
            PeopleErrorCode.DUPLICATE_PNC_ID,
            "pnc_id",
            status_code=409,
        )


@transaction.atomic
def person_create(
    *,
    actor,
    given_names: str,
    family_name: str,
    date_of_birth: datetime.date | None = None,
    pnc_id: str = "",
    description: str = "",
) -> PersonOfInterest:
    """A person of interest in the actor's force (beat officers and force admins)."""
    require_police(actor)
    person = PersonOfInterest(
        force_id=actor.force_id,
        given_names=given_names,
        family_name=family_name,
        date_of_birth=date_of_birth,
        pnc_id=pnc_id or "",
        description=description or "",
        created_by=actor,
    )
    person_clean(person)
    person.save()
    events.person_created_event(person=person, actor=actor)
    return person


@transaction.atomic
def person_update(*, person: PersonOfInterest, actor, **changes) -> PersonOfInterest:
    """Change a person of interest's details; the event names the fields that changed."""
    require_police(actor)
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_update() cannot change {sorted(unknown)}")
    person = PersonOfInterest.objects.select_for_update().get(pk=person.pk)
    if person.force_id != actor.force_id:
        _not_found("Person")
    before = {name: getattr(person, name) for name in PERSON_FIELDS}
    for name, value in changes.items():
        setattr(person, name, value if value is not None or name == "date_of_birth" else "")
    person_clean(person)
    changed = [name for name in PERSON_FIELDS if getattr(person, name) != before[name]]
    if not changed:
        return person
    person.save()
    events.person_updated_event(person=person, actor=actor, fields=changed)
    return person


@transaction.atomic
def person_keep(*, person: PersonOfInterest, actor, reason: str) -> PersonOfInterest:
    """An officer keeps a person of interest after review, saying why: the record stays for another review
    period (``kept_until``) and its review flag is cleared."""
    require_police(actor)
    reason = _require_reason(reason, "Say why the record is kept (e.g. an investigation still open).")
    if len(reason) > 500:
        _fail("The reason: at most 500 characters.", ErrorCode.INVALID, "reason")
    person = PersonOfInterest.objects.select_for_update().get(pk=person.pk)
    if person.force_id != actor.force_id:
        _not_found("Person")
    person.kept_until = _today() + datetime.timedelta(days=settings.PEOPLE_REVIEW_AFTER_DAYS)
    person.keep_reason = reason
    person.review_due_on = None
    person.save(update_fields=["kept_until", "keep_reason", "review_due_on", "updated_at"])
    events.person_kept_event(person=person, actor=actor, reason=reason)
    return person


# Links -------------------------------------------------------------------------------------------------------


def _incident_in_scope(actor, incident: Incident) -> bool:
    """A force admin links incidents of the force, a beat officer incidents in the beats they cover."""
    store = incident.store
    if store.beat.force_id != actor.force_id:
        return False
    return not actor.is_beat_officer or actor.beats.filter(pk=store.beat_id).exists()


def _confirmed_case(case: Case | None, incident: Incident, offender: Offender | None) -> Case:
    if case is None:
        _fail(
            "Identified by a confirmed case: choose the case of this incident whose match a reviewer confirmed.",
            PeopleErrorCode.CASE_REQUIRED,
            "case",
        )
    if offender is None or case.incident_id != incident.pk or case.offender_id != offender.pk:
        _fail(
            f"Case {case.reference} is not a case of {incident.reference} and this offender.",
            PeopleErrorCode.CASE_NOT_CONFIRMED,
            "case",
        )
    confirmed = CaseDecision.objects.filter(
        case=case, stage=CaseDecision.Stage.REVIEW, outcome=CaseDecision.Outcome.CONFIRMED
    ).exists()
    if not confirmed:
        _fail(
            f"No reviewer has confirmed the match of case {case.reference}: link it once the match is confirmed, "
            "or say how else the person was identified.",
            PeopleErrorCode.CASE_NOT_CONFIRMED,
            "case",
        )
    return case


def _duplicate(incident: Incident, existing: IncidentLink) -> NoReturn:
    by = existing.created_by.get_full_name() or existing.created_by.get_username() if existing.created_by else "someone"
    when = timezone.localtime(existing.created_at).strftime("%d %b %Y")
    _fail(
        f"{incident.reference} is already linked to this person (link {existing.pk}, added by {by} on {when}). "
        "Withdraw that link first if it is wrong.",
        PeopleErrorCode.DUPLICATE_LINK,
        status_code=409,
    )


@transaction.atomic
def link_add(
    *,
    actor,
    incident: Incident,
    identified_by: str,
    offender: Offender | None = None,
    person: PersonOfInterest | None = None,
    role: str = "",
    case: Case | None = None,
    note: str = "",
) -> IncidentLink:
    """Link an incident to a person (an offender or a person of interest), saying how they were identified.

    The incident must be one the actor may see (a beat officer: in the beats they cover), the person one of
    the actor's force; otherwise 404. Identified by a confirmed case: the case of this incident and offender
    whose match a reviewer confirmed. An incident is linked to a person once (either of their records) until
    that link is withdrawn: a second is a 409 naming the first."""
    require_police(actor)
    if (offender is None) == (person is None):
        _fail(
            "Link the incident to one person: an offender or a person of interest.",
            PeopleErrorCode.SUBJECT_REQUIRED,
            "person",
        )
    if not _incident_in_scope(actor, incident):
        _not_found("Incident")
    subject: Offender | PersonOfInterest | None = offender or person
    if subject is None or subject.force_id != actor.force_id:
        _not_found("Person")
    if identified_by not in IncidentLink.Identification.values:
        _fail(f"'{identified_by}' is not a way of identifying a person.", ErrorCode.INVALID, "identified_by")
    if role not in IncidentLink.Role.values:
        _fail(f"'{role}' is not a role.", ErrorCode.INVALID, "role")
    note = _one_line(note)
    if len(note) > 500:
        _fail("The note: at most 500 characters.", ErrorCode.INVALID, "note")
    if identified_by == IncidentLink.Identification.CONFIRMED_CASE:
        target = offender or (person.offender if person is not None and person.offender_id else None)
        case = _confirmed_case(case, incident, target)
    elif case is not None:
        _fail("A case is given only when the person was identified by a confirmed case.", ErrorCode.INVALID, "case")
    # Serialise links to one incident, so that two officers linking at once cannot both pass the check; and
    # hold the person of interest, so that the nightly review cannot delete them while they are linked.
    Incident.objects.select_for_update().filter(pk=incident.pk).first()
    if person is not None and PersonOfInterest.objects.select_for_update().filter(pk=person.pk).first() is None:
        _not_found("Person")
    existing = selectors.active_link_for(incident=incident, offender=offender, person=person)
    if existing is not None:
        _duplicate(incident, existing)
    link = IncidentLink(
        incident=incident,
        force_id=incident.store.beat.force_id,
        offender=offender,
        person=person,
        identified_by=identified_by,
        role=role,
        case=case,
        note=note,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:
        existing = selectors.active_link_for(incident=incident, offender=offender, person=person)
        if existing is None:
            raise
        _duplicate(incident, existing)
    if person is not None and (person.review_due_on is not None):
        # A new link: the person is no longer due for review.
        PersonOfInterest.objects.filter(pk=person.pk).update(review_due_on=None, updated_at=timezone.now())
        person.review_due_on = None
    events.link_added_event(link=link, actor=actor)
    return link


@transaction.atomic
def link_withdraw(*, link: IncidentLink, actor, reason: str) -> IncidentLink:
    """Withdraw a link, saying why: it leaves the person's chronology and the next bundle; the row and its
    events stay. Only a link the actor may see (404 otherwise); once (409 after)."""
    require_police(actor)
    reason = _require_reason(reason, "Say why the link is withdrawn (e.g. the wrong person was named).")
    if len(reason) > 500:
        _fail("The reason: at most 500 characters.", ErrorCode.INVALID, "reason")
    link = IncidentLink.objects.select_for_update().select_related("incident__store__beat").get(pk=link.pk)
    if not _incident_in_scope(actor, link.incident):
        _not_found("Link")
    if link.withdrawn_at is not None:
        _fail(
            f"This link was already withdrawn on {timezone.localtime(link.withdrawn_at):%d %b %Y}.",
            PeopleErrorCode.ALREADY_WITHDRAWN,
            status_code=409,
        )
    link.withdrawn_at = timezone.now()
    link.withdrawn_by = actor
    link.withdrawal_reason = reason
    link.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"])
    events.link_withdrawn_event(link=link, actor=actor, reason=reason)
    return link


# The nightly review ------------------------------------------------------------------------------------------


def _last_activity():
    """When the person was last active in Retrace: recorded, linked to an incident (an active link), or named
    in an application; whichever is latest."""
    active_links = Q(incident_links__withdrawn_at__isnull=True)
    return Greatest(
        F("created_at"),
        Coalesce(Max("incident_links__created_at", filter=active_links), F("created_at")),
        Coalesce(Max("cbo_applications__created_at"), F("created_at")),
    )


def _reviewable(today: datetime.date):
    """Persons of interest with no order (no offender record) and not kept past today."""
    return PersonOfInterest.objects.filter(offender__isnull=True).filter(
        Q(kept_until__isnull=True) | Q(kept_until__lt=today)
    )


def people_review_flag(*, today: datetime.date | None = None, batch_size: int = REVIEW_BATCH_SIZE) -> int:
    """Flag for review every person of interest with no linked incident (and no application) for
    PEOPLE_REVIEW_AFTER_DAYS, no order, and not kept: ``review_due_on`` = the day the review deletes them
    unless an officer keeps them (today + PEOPLE_REVIEW_GRACE_DAYS). In batches; returns how many."""
    today = today or _today()
    cutoff = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=settings.PEOPLE_REVIEW_AFTER_DAYS), datetime.time.min)
    )
    due = today + datetime.timedelta(days=settings.PEOPLE_REVIEW_GRACE_DAYS)
    flagged = 0
    while True:
        ids = list(
            _reviewable(today)
            .filter(review_due_on__isnull=True)
            .annotate(last_active=_last_activity())
            .filter(last_active__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return flagged
        flagged += PersonOfInterest.objects.filter(pk__in=ids, review_due_on__isnull=True).update(
            review_due_on=due, updated_at=timezone.now()
        )


def people_review_delete(*, today: datetime.date | None = None, batch_size: int = REVIEW_BATCH_SIZE) -> int:
    """Delete the persons of interest whose review fell due (``review_due_on`` today or before) and whom nobody
    kept or linked since, with their links and draft applications. Each deletion leaves a ``person_deleted``
    event without the name. In batches of ``batch_size``, one transaction each; returns how many."""
    today = today or _today()
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(
                _reviewable(today)
                .filter(review_due_on__lte=today)
                .exclude(Exists(CBOApplication.objects.filter(person=OuterRef("pk"), order__isnull=False)))
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:batch_size]
            )
            for person in batch:
                _delete_person(person)
            deleted += len(batch)
        if len(batch) < batch_size:
            return deleted


def _delete_person(person: PersonOfInterest) -> None:
    links = IncidentLink.objects.filter(person=person)
    applications = CBOApplication.objects.filter(person=person)
    events.person_deleted_event(person=person, links=links.count(), applications=applications.count())
    links.delete()
    applications.delete()
    person.delete()
    logger.info("Person of interest %s deleted after review", person.pk)


def people_review(*, today: datetime.date | None = None, batch_size: int = REVIEW_BATCH_SIZE) -> dict[str, int]:
    """The nightly review: delete those whose review fell due, then flag those newly due for review."""
    deleted = people_review_delete(today=today, batch_size=batch_size)
    flagged = people_review_flag(today=today, batch_size=batch_size)
    return {"deleted": deleted, "flagged": flagged}


# Applications: summary, period and proposed prohibitions -----------------------------------------------------


@dataclass
class ProposalInput:
    """A proposed prohibition as asked for: ``kind`` decides which places apply (named stores; a retailer
    within beats or a circle; a zone drawn as a polygon or a circle), for ``duration_months``, with a reason."""

    kind: str
    reason: str
    duration_months: int | None = 24
    stores: list[Store] = field(default_factory=list)
    retailer: Retailer | None = None
    beats: list[Beat] = field(default_factory=list)
    centre_latitude: Decimal | None = None
    centre_longitude: Decimal | None = None
    radius_m: int | None = None
    polygon: dict | None = None


def proposal_errors(p: ProposalInput) -> list[tuple[str | None, str]]:
    """What is wrong with a proposed prohibition, as (field or None, message): the page's form and the API
    both ask here. A valid polygon is normalised in place."""
    errors: list[tuple[str | None, str]] = []
    circle = (p.centre_latitude, p.centre_longitude, p.radius_m)
    has_circle = None not in circle
    if any(v is not None for v in circle) and not has_circle:
        errors.append((None, "A circle needs its centre latitude, centre longitude and radius."))
    if p.kind not in Prohibition.Kind.values:
        errors.append(("kind", f"Kind must be one of {', '.join(Prohibition.Kind.values)}."))
    if p.kind == Prohibition.Kind.PREMISES and not p.stores:
        errors.append(("stores", "Name at least one store for named premises."))
    if p.kind == Prohibition.Kind.RETAILER_AREA:
        if p.retailer is None:
            errors.append(("retailer", "Choose the retailer."))
        if not p.beats and not has_circle:
            errors.append(("beats", "Choose beats, or give a circle, for the area."))
    if p.kind == Prohibition.Kind.ZONE and not (p.polygon or has_circle):
        errors.append(("polygon", "Draw the zone as a polygon, or give a circle."))
    if p.polygon:
        try:
            p.polygon = geo.validate_polygon(p.polygon)
        except geo.GeometryError as exc:
            errors.append(("polygon", str(exc)))
    if p.duration_months is None or not 1 <= p.duration_months <= 120:
        errors.append(("duration_months", "A period from 1 to 120 months."))
    p.reason = (p.reason or "").strip()
    if not p.reason:
        errors.append(("reason", "Say why this prohibition is needed."))
    return errors


def _require_editable(application: CBOApplication) -> None:
    if application.status == CBOApplication.Status.ORDER_MADE:
        _fail(
            "The court has made the order: this application is kept as it was.",
            PeopleErrorCode.APPLICATION_CLOSED,
            status_code=409,
        )


@transaction.atomic
def application_update(
    *,
    application: CBOApplication,
    actor,
    summary: str | None = None,
    period_from: datetime.date | None = None,
    period_to: datetime.date | None = None,
    proposals: list[ProposalInput] | None = None,
) -> CBOApplication:
    """Change an application's summary or period, and (``proposals`` given) replace its proposed prohibitions
    with these, each checked (``proposal_errors``; field names ``proposed_prohibitions.<n>.<field>``). Not once
    the order is made (409)."""
    require_police(actor)
    application = CBOApplication.objects.select_for_update(of=("self",)).get(pk=application.pk)
    _require_editable(application)
    if summary is not None:
        application.summary = summary.strip()
    application.period_from = period_from or application.period_from
    application.period_to = period_to or application.period_to
    if application.period_to < application.period_from:
        _fail("The period cannot end before it starts.", PeopleErrorCode.INVALID_PERIOD, "period_to")
    fields: dict[str, list[str]] = {}
    for n, proposal in enumerate(proposals or []):
        for name, message in proposal_errors(proposal):
            fields.setdefault(f"proposed_prohibitions.{n}.{name or 'non_field_errors'}", []).append(message)
    if fields:
        raise ApplicationError(next(iter(fields.values()))[0], code=ErrorCode.INVALID, fields=fields)
    application.save(update_fields=["summary", "period_from", "period_to", "updated_at"])
    if proposals is not None:
        _proposals_replace(application, proposals)
    return application


def _proposals_replace(application: CBOApplication, proposals: list[ProposalInput]) -> None:
    application.proposed_prohibitions.all().delete()
    for p in proposals:
        item = ProposedProhibition.objects.create(
            application=application,
            kind=p.kind,
            retailer=p.retailer,
            centre_latitude=p.centre_latitude,
            centre_longitude=p.centre_longitude,
            radius_m=p.radius_m,
            polygon=p.polygon,
            duration_months=p.duration_months or 24,  # checked from 1 to 120 (proposal_errors)
            reason=p.reason,
        )
        item.stores.set(p.stores)
        item.beats.set(p.beats)


# The force's persistent-offender thresholds -------------------------------------------------------------------

THRESHOLD_LIMITS = {"persistent_min_incidents": (1, 100), "persistent_period_days": (7, 3650)}


@transaction.atomic
def thresholds_set(
    *, actor, persistent_min_incidents: int | None, persistent_period_days: int | None
) -> PeopleSettings:
    """Set the actor's force's thresholds that mark someone as persistent (force admins only; None: the
    environment's default). Each change is audited with its old and new value; nothing changed, nothing
    written."""
    require_police(actor)
    if not actor.is_force_admin:
        raise ApplicationError(
            "Only force admins change the force's settings.", code=ErrorCode.PERMISSION_DENIED, status_code=403
        )
    values = {"persistent_min_incidents": persistent_min_incidents, "persistent_period_days": persistent_period_days}
    for name, value in values.items():
        low, high = THRESHOLD_LIMITS[name]
        if value is not None and not low <= value <= high:
            _fail(f"From {low} to {high}.", ErrorCode.INVALID, name)
    row, _ = PeopleSettings.objects.select_for_update().get_or_create(force_id=actor.force_id)
    changes = {name: (getattr(row, name), value) for name, value in values.items() if getattr(row, name) != value}
    if not changes:
        return row
    for name, (_old, new) in changes.items():
        setattr(row, name, new)
    row.updated_by = actor
    row.save()
    events.thresholds_changed_event(actor=actor, force_id=actor.force_id, changes=changes)
    return row
