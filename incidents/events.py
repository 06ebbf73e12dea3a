"""Incident events: one keyword-only writer per kind of event (as Saleor's ``order/events.py``), and the
wording of each for people (``describe``), used by the admin's history and the evidence pack's continuity
log. The details each writer records are the rows' JSON as it always was (clients and old rows read alike)."""

from incidents.models import Evidence, Incident, IncidentEvent, WitnessStatement

# What a police user looked at (``incident_viewed_event``'s ``what``), in words.
VIEWED_WHAT = {
    "incident": "the incident",
    "evidence": "its list of CCTV files",
    "admin": "the incident in the admin",
    "statements": "its witness statements",
}


def incident_created_event(*, incident: Incident, actor) -> IncidentEvent:
    """The reporter filed the incident; its threat assessment gave it ``incident.priority``."""
    return IncidentEvent.objects.create(
        incident=incident, kind=IncidentEvent.Kind.CREATED, actor=actor, details={"priority": incident.priority}
    )


def evidence_added_event(*, evidence: Evidence, actor) -> IncidentEvent:
    """A CCTV file was stored as an exhibit, with the SHA-256 computed as it was stored."""
    details = {
        "evidence_id": evidence.pk,
        "name": evidence.original_name,
        "sha256": evidence.sha256,
        "size": evidence.size,
    }
    kind = IncidentEvent.Kind.EVIDENCE_ADDED
    return IncidentEvent.objects.create(incident_id=evidence.incident_id, kind=kind, actor=actor, details=details)


def incident_status_changed_event(*, incident: Incident, actor, old: str, new: str, reason: str) -> IncidentEvent:
    details = {"old": old, "new": new, "reason": reason}
    return IncidentEvent.objects.create(
        incident=incident, kind=IncidentEvent.Kind.STATUS_CHANGED, actor=actor, details=details
    )


def incident_viewed_event(*, incident: Incident, actor, what: str) -> IncidentEvent:
    """A police user opened the incident (``what``: "incident", "evidence" or "admin")."""
    return IncidentEvent.objects.create(
        incident=incident, kind=IncidentEvent.Kind.VIEWED, actor=actor, details={"what": what}
    )


def exhibit_viewed_event(*, evidence: Evidence, actor, how: str) -> IncidentEvent:
    """Someone opened an exhibit's file in the portal (``how``: "view", or "download" to keep a copy)."""
    details = {"evidence_id": evidence.pk, "name": evidence.original_name, "sha256": evidence.sha256, "how": how}
    kind = IncidentEvent.Kind.EXHIBIT_VIEWED
    return IncidentEvent.objects.create(incident_id=evidence.incident_id, kind=kind, actor=actor, details=details)


def statement_added_event(*, statement: WitnessStatement, actor) -> IncidentEvent:
    """A witness signed a statement (MG11) for the incident; the contact part is not copied here."""
    details = {
        "statement_id": statement.pk,
        "witness_name": statement.witness_name,
        "signed_on": statement.signed_on.isoformat(),
    }
    kind = IncidentEvent.Kind.STATEMENT_ADDED
    return IncidentEvent.objects.create(incident_id=statement.incident_id, kind=kind, actor=actor, details=details)


def duplicate_confirmed_event(*, incident: Incident, actor, earlier: list[str]) -> IncidentEvent:
    """The reporter was told a file had already been sent with ``earlier`` (references) and went on."""
    kind = IncidentEvent.Kind.DUPLICATE_CONFIRMED
    return IncidentEvent.objects.create(incident=incident, kind=kind, actor=actor, details={"earlier": earlier})


def _status_label(value) -> str:
    return Incident.Status(value).label if value in Incident.Status.values else str(value)


def _plural(n, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def describe(event: IncidentEvent) -> str:
    """The event in words for people, e.g. "Incident status changed from 'Received' to 'With police':
    Taken on by PC Jones". Each line names the incident, as the evidence pack mixes them with a case's."""
    d = event.details or {}
    kind = event.kind
    if kind == IncidentEvent.Kind.CREATED:
        return f"Incident reported; assessed {d.get('priority', '?')}"
    if kind == IncidentEvent.Kind.EVIDENCE_ADDED:
        size = d.get("size")
        size_text = f", {_plural(size, 'byte')}" if isinstance(size, int) else ""
        return f"CCTV file added to the incident: {d.get('name', '?')}{size_text}, SHA-256 {d.get('sha256', '?')}"
    if kind == IncidentEvent.Kind.STATUS_CHANGED:
        text = f"Incident status changed from '{_status_label(d.get('old'))}' to '{_status_label(d.get('new'))}'"
        return f"{text}: {d['reason']}" if d.get("reason") else text
    if kind == IncidentEvent.Kind.VIEWED:
        what = d.get("what", "incident")
        return f"Viewed by police: {VIEWED_WHAT.get(what, what)}"
    if kind == IncidentEvent.Kind.EXHIBIT_VIEWED:
        verb = "downloaded" if d.get("how") == "download" else "viewed"
        return f"CCTV file {verb}: {d.get('name', '?')}"
    if kind == IncidentEvent.Kind.STATEMENT_ADDED:
        return f"Witness statement signed by {d.get('witness_name', '?')} added"
    if kind == IncidentEvent.Kind.DUPLICATE_CONFIRMED:
        return f"Reported after a warning that its CCTV was already sent with {', '.join(d.get('earlier', [])) or '?'}"
    return event.get_kind_display() if kind in IncidentEvent.Kind.values else str(kind)
