"""People events: one keyword-only writer per kind of event (as ``cases.events``), and the wording of each
for people (``describe``). A person of interest's name is never written into an event's details, so that
nothing names them once the review has deleted their record."""

from people.models import CBOApplication, IncidentLink, PeopleEvent, PersonOfInterest


def _link_details(link: IncidentLink) -> dict:
    return {
        "link": link.pk,
        "incident_reference": link.incident.reference or "",
        "subject": "offender" if link.offender_id else "person",
        "subject_id": link.offender_id or link.person_id,
        "identified_by": link.identified_by,
        "role": link.role,
        "case": link.case_id,
    }


def link_added_event(*, link: IncidentLink, actor) -> PeopleEvent:
    return PeopleEvent.objects.create(
        kind=PeopleEvent.Kind.LINK_ADDED,
        actor=actor,
        incident_id=link.incident_id,
        offender_id=link.offender_id,
        person_id=link.person_id,
        details=_link_details(link),
    )


def link_withdrawn_event(*, link: IncidentLink, actor, reason: str) -> PeopleEvent:
    return PeopleEvent.objects.create(
        kind=PeopleEvent.Kind.LINK_WITHDRAWN,
        actor=actor,
        incident_id=link.incident_id,
        offender_id=link.offender_id,
        person_id=link.person_id,
        details={**_link_details(link), "reason": reason},
    )


def person_created_event(*, person: PersonOfInterest, actor) -> PeopleEvent:
    return PeopleEvent.objects.create(
        kind=PeopleEvent.Kind.PERSON_CREATED, actor=actor, person=person, details={"force": person.force_id}
    )


def person_updated_event(*, person: PersonOfInterest, actor, fields: list[str]) -> PeopleEvent:
    """Which fields changed (their names only: the values are personal data the review may delete)."""
    return PeopleEvent.objects.create(
        kind=PeopleEvent.Kind.PERSON_UPDATED, actor=actor, person=person, details={"fields": sorted(fields)}
    )


def person_kept_event(*, person: PersonOfInterest, actor, reason: str) -> PeopleEvent:
    return PeopleEvent.objects.create(
        kind=PeopleEvent.Kind.PERSON_KEPT,
        actor=actor,
        person=person,
        details={"reason": reason, "kept_until": person.kept_until.isoformat() if person.kept_until else None},
    )


def person_deleted_event(*, person: PersonOfInterest, links: int, applications: int) -> PeopleEvent:
    """The review deleted the record (no person acted). Written before the row goes; no name is kept."""
    return PeopleEvent.objects.create(
        kind=PeopleEvent.Kind.PERSON_DELETED,
        person=None,
        details={
            "person_id": person.pk,
            "force": person.force_id,
            "review_due_on": person.review_due_on.isoformat() if person.review_due_on else None,
            "links_deleted": links,
            "applications_deleted": applications,
        },
    )


def application_built_event(
    *, application: CBOApplication, actor, incidents: int, pdf_sha256: str = "", youth: bool = False
) -> PeopleEvent:
    """The officer built the bundle: ``incidents`` linked incidents, the PDF's SHA-256, an under-18's marker."""
    return PeopleEvent.objects.create(
        kind=PeopleEvent.Kind.APPLICATION_BUILT,
        actor=actor,
        application=application,
        offender_id=application.offender_id,
        person_id=application.person_id,
        details={
            "reference": application.reference or "",
            "incidents": incidents,
            "incident_ids": list(application.incident_ids or []),
            "pdf_sha256": pdf_sha256 or application.pdf_sha256,
            "youth": youth,
        },
    )


def application_downloaded_event(
    *, application: CBOApplication, actor, format: str, pdf_sha256: str = ""
) -> PeopleEvent:
    """``format``: "pdf" or "zip"."""
    return PeopleEvent.objects.create(
        kind=PeopleEvent.Kind.APPLICATION_DOWNLOADED,
        actor=actor,
        application=application,
        offender_id=application.offender_id,
        person_id=application.person_id,
        details={"reference": application.reference or "", "format": format, "pdf_sha256": pdf_sha256},
    )


def order_recorded_event(*, application: CBOApplication, actor, order) -> PeopleEvent:
    return PeopleEvent.objects.create(
        kind=PeopleEvent.Kind.ORDER_RECORDED,
        actor=actor,
        application=application,
        offender_id=order.offender_id,
        person_id=application.person_id,
        details={"reference": application.reference or "", "order": order.pk, "case_reference": order.case_reference},
    )


def person_viewed_event(*, subject, actor, via: str) -> PeopleEvent:
    """``actor`` viewed the record of ``subject`` (an offender or a person of interest); ``via``: "page" (the
    person's page in the portal) or "api" (the API's detail). Which record only: never its name."""
    is_offender = not isinstance(subject, PersonOfInterest)
    return PeopleEvent.objects.create(
        kind=PeopleEvent.Kind.PERSON_VIEWED,
        actor=actor,
        offender_id=subject.pk if is_offender else None,
        person_id=None if is_offender else subject.pk,
        details={"subject": "offender" if is_offender else "person", "subject_id": subject.pk, "via": via},
    )


def _identified_label(value) -> str:
    return IncidentLink.Identification(value).label if value in IncidentLink.Identification.values else str(value)


def describe(event: PeopleEvent) -> str:
    """The event in words for people."""
    d = event.details or {}
    kind = event.kind
    if kind == PeopleEvent.Kind.LINK_ADDED:
        return f"Incident {d.get('incident_reference')} linked ({_identified_label(d.get('identified_by'))})"
    if kind == PeopleEvent.Kind.LINK_WITHDRAWN:
        return f"Link to incident {d.get('incident_reference')} withdrawn: {d.get('reason', '')}"
    if kind == PeopleEvent.Kind.PERSON_CREATED:
        return "Person of interest recorded"
    if kind == PeopleEvent.Kind.PERSON_UPDATED:
        fields = ", ".join(f.replace("_", " ") for f in d.get("fields", []))
        return f"Person of interest updated ({fields})"
    if kind == PeopleEvent.Kind.PERSON_KEPT:
        return f"Kept after review until {d.get('kept_until')}: {d.get('reason', '')}"
    if kind == PeopleEvent.Kind.PERSON_DELETED:
        n = d.get("links_deleted", 0)
        return (
            f"Person of interest {d.get('person_id')} deleted after review (no linked incident for the review "
            f"period and no order; {n} link{'s' if n != 1 else ''} deleted with the record)"
        )
    if kind == PeopleEvent.Kind.APPLICATION_BUILT:
        n = d.get("incidents", 0)
        return f"Application {d.get('reference')} built with {n} incident{'s' if n != 1 else ''}"
    if kind == PeopleEvent.Kind.APPLICATION_DOWNLOADED:
        return f"Application {d.get('reference')} downloaded ({str(d.get('format', '')).upper()})"
    if kind == PeopleEvent.Kind.ORDER_RECORDED:
        return f"Order {d.get('case_reference')} recorded from application {d.get('reference')}"
    if kind == PeopleEvent.Kind.PERSON_VIEWED:
        what = "Offender's record" if d.get("subject") == "offender" else "Person of interest's record"
        where = {"page": "their page", "api": "the API"}.get(str(d.get("via", "")), "")
        return f"{what} {d.get('subject_id')} viewed" + (f" ({where})" if where else "")
    if kind == PeopleEvent.Kind.THRESHOLDS_CHANGED:
        return describe_thresholds(d)
    return event.get_kind_display() if kind in PeopleEvent.Kind.values else str(kind)


def thresholds_changed_event(*, actor, force_id: int, changes: dict[str, tuple]) -> PeopleEvent:
    """A force admin changed the force's persistent-offender thresholds: each changed one's old and new value
    (None: the environment's default)."""
    return PeopleEvent.objects.create(
        kind=PeopleEvent.Kind.THRESHOLDS_CHANGED,
        actor=actor,
        details={
            "force": force_id,
            "changes": {name: {"old": old, "new": new} for name, (old, new) in changes.items()},
        },
    )


THRESHOLD_WORDS = {
    "persistent_min_incidents": ("linked incidents that mark someone persistent", ""),
    "persistent_period_days": ("period they are counted in", " days"),
}


def _threshold_value(value, unit: str) -> str:
    return "the default" if value is None else f"{value}{unit}"


def describe_thresholds(details: dict) -> str:
    parts = []
    for name, change in (details.get("changes") or {}).items():
        label, unit = THRESHOLD_WORDS.get(name, (name.replace("_", " "), ""))
        old, new = _threshold_value(change.get("old"), unit), _threshold_value(change.get("new"), unit)
        parts.append(f"{label} from {old} to {new}")
    return "Persistent-offender thresholds changed: " + ("; ".join(parts) or "nothing")
