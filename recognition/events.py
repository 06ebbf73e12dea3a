"""Audit rows of face matching: one keyword-only writer per kind of event (as Saleor's
``order/events.py``), and ``describe``: the one wording of an event for people (the admin's history of
a file, the threshold page's history).

A processing record's events say what happened to one evidence file: queued on upload, each attempt,
searched or failed, sent again by the safety net, retried by an admin. A threshold change is a
``ThresholdChange`` row (see its docstring for why it is not an ``AuditEvent``)."""

from collections.abc import Callable

from recognition.models import EvidenceProcessing, EvidenceProcessingEvent, ThresholdChange

Kind = EvidenceProcessingEvent.Kind


def _processing_event(
    processing: EvidenceProcessing, kind: str, *, note: str, actor=None, details: dict | None = None
) -> EvidenceProcessingEvent:
    return EvidenceProcessingEvent.objects.create(
        processing=processing,
        kind=kind,
        status=processing.status,
        actor=actor,
        note=note[:500],
        details=details or {},
    )


def processing_queued_event(*, processing: EvidenceProcessing) -> EvidenceProcessingEvent:
    """The file was stored and its processing record written, queued (in the upload's transaction)."""
    return _processing_event(processing, Kind.QUEUED, note="queued on upload", details={"via": "upload"})


def processing_attempt_started_event(*, processing: EvidenceProcessing) -> EvidenceProcessingEvent:
    """A worker claimed the file: one more attempt (``processing.attempts``)."""
    attempt = processing.attempts
    return _processing_event(processing, Kind.ATTEMPT_STARTED, note=f"attempt {attempt}", details={"attempt": attempt})


def processing_done_event(*, processing: EvidenceProcessing) -> EvidenceProcessingEvent:
    """The file was searched: its result and how many possible matches were stored."""
    result, matches = processing.result, processing.matches
    details = {"result": result, "matches": matches, "faces_embedded": processing.faces_embedded}
    return _processing_event(processing, Kind.DONE, note=f"{result}: {matches} match(es)", details=details)


def processing_failed_event(*, processing: EvidenceProcessing) -> EvidenceProcessingEvent:
    """The file failed (or was given up): its ``reason_code`` and ``reason``."""
    code, message = str(processing.reason_code), processing.reason
    details = {"code": code, "message": message, "attempts": processing.attempts}
    return _processing_event(processing, Kind.FAILED, note=f"{code}: {message}", details=details)


def processing_resent_event(*, processing: EvidenceProcessing) -> EvidenceProcessingEvent:
    """The safety net sent the file's task again: it was queued or running for too long."""
    status = processing.status
    details = {"was": status}
    return _processing_event(processing, Kind.RESENT, note=f"re-sent: {status} too long", details=details)


def processing_retried_event(*, processing: EvidenceProcessing, actor, reason: str = "") -> EvidenceProcessingEvent:
    """An admin queued a failed file again (``reason``: theirs, or where they did it)."""
    reason = (reason or "").strip()
    note = f"retry: {reason}".strip(": ")
    return _processing_event(processing, Kind.RETRIED, actor=actor, note=note, details={"reason": reason})


def threshold_changed_event(*, force, old: float, new: float, reason: str, actor) -> ThresholdChange:
    """A force admin changed the force's match threshold from ``old`` to ``new``, saying why."""
    return ThresholdChange.objects.create(
        force=force, old_threshold=old, new_threshold=new, reason=reason[:500], changed_by=actor
    )


# Wording for people ------------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 'es' if word.endswith('ch') else 's'}"


def _done(details: dict) -> str:
    result = details.get("result", "")
    label = EvidenceProcessing.Result(result).label if result in EvidenceProcessing.Result.values else result
    return f"{label}, {_plural(details.get('matches', 0), 'possible match')}"


def _failed(details: dict) -> str:
    return f"{details.get('message') or details.get('code')} ({details.get('code')})"


def _resent(details: dict) -> str:
    was = details.get("was", "")
    label = EvidenceProcessing.Status(was).label.lower() if was in EvidenceProcessing.Status.values else was
    return f"{label} for too long"


_WORDING: dict[str, Callable[[dict], str]] = {
    Kind.QUEUED: lambda d: "on upload",
    Kind.ATTEMPT_STARTED: lambda d: f"attempt {d.get('attempt')}",
    Kind.DONE: _done,
    Kind.FAILED: _failed,
    Kind.RESENT: _resent,
    Kind.RETRIED: lambda d: d.get("reason", ""),
}


def describe(event: EvidenceProcessingEvent | ThresholdChange) -> str:
    """The event in a line a person reads, e.g. "Searched: Possible match, 1 possible match" or
    "0.07 → 0.05 by cheshire-admin: Calibrated on our data"."""
    if isinstance(event, ThresholdChange):
        return f"{event.old_threshold} → {event.new_threshold} by {event.changed_by.username}: {event.reason}"
    label = event.get_kind_display() if event.kind in Kind.values else str(event.kind)
    words = _WORDING.get(event.kind)
    # Rows written before events had details say it in their note.
    detail = words(event.details) if words and event.details else event.note
    return f"{label}: {detail}" if detail else label
