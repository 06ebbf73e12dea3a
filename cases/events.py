"""Case events: one keyword-only writer per kind of event (as Saleor's ``order/events.py``), and the
wording of each for people (``describe``), used by the admin's history and the evidence pack's
continuity log. Decisions are ``CaseDecision`` rows and s.62 views ``CaseAccess`` rows, not events."""

from cases.models import Case, CaseEvent


def _match_details(match) -> dict:
    return {
        "match": match.pk,
        "evidence": match.evidence_id,
        "similarity": round(match.similarity, 4),
        "frame_time_s": match.frame_time_s,
    }


def case_raised_event(*, case: Case, match) -> CaseEvent:
    """The system raised the case from a possible match (no person acted)."""
    return CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.RAISED, details=_match_details(match))


def match_added_event(*, case: Case, match) -> CaseEvent:
    """Another match of the same person in the same incident was added to the case."""
    return CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.MATCH_ADDED, details=_match_details(match))


def status_changed_event(*, case: Case, actor, old: str, new: str) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.STATUS_CHANGED, actor=actor, details={"from": old, "to": new}
    )


def pack_built_event(*, case: Case, actor, exhibits: int) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.PACK_BUILT, actor=actor, details={"exhibits": exhibits}
    )


def crop_purged_event(*, case: Case, match_id: int, reason: str = "rejected match") -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.CROP_PURGED, details={"match": match_id, "reason": reason}
    )


def case_reassigned_event(*, case: Case, actor, old_beat, new_beat, reason: str) -> CaseEvent:
    """A force admin moved the case to another beat: its officers now open it, the old beat's no longer do."""
    return CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.REASSIGNED,
        actor=actor,
        details={
            "from": old_beat.pk,
            "from_name": old_beat.name,
            "to": new_beat.pk,
            "to_name": new_beat.name,
            "reason": reason,
        },
    )


def _status_label(value) -> str:
    return Case.Status(value).label if value in Case.Status.values else str(value)


def _match_text(details: dict) -> str:
    text = f"similarity {details.get('similarity', 0):.3f} in exhibit {details.get('evidence')}"
    if details.get("frame_time_s") is not None:
        text += f" at {details['frame_time_s']:.1f} s"
    return text


def describe(event: CaseEvent) -> str:
    """The event in words for people: the admin's history and the evidence pack's continuity log."""
    d = event.details or {}
    kind = event.kind
    if kind == CaseEvent.Kind.RAISED:
        return f"Case raised from a possible match: {_match_text(d)}"
    if kind == CaseEvent.Kind.MATCH_ADDED:
        return f"Another CCTV file matched the same person: {_match_text(d)}"
    if kind == CaseEvent.Kind.STATUS_CHANGED:
        return f"Status changed from '{_status_label(d.get('from'))}' to '{_status_label(d.get('to'))}'"
    if kind == CaseEvent.Kind.PACK_BUILT:
        n = d.get("exhibits", 0)
        return f"Evidence pack built ({n} exhibit{'s' if n != 1 else ''} verified against their upload hashes)"
    if kind == CaseEvent.Kind.REASSIGNED:
        return f"Reassigned from beat '{d.get('from_name')}' to '{d.get('to_name')}': {d.get('reason', '')}"
    if kind == CaseEvent.Kind.CROP_PURGED:
        return f"Face crop of match {d.get('match')} deleted ({d.get('reason', 'rejected match')})"
    return event.get_kind_display() if kind in CaseEvent.Kind.values else str(kind)
