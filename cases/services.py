"""Case services: raising cases from possible matches, the two-stage review, and the s.62 access log.

Every transition happens under a row lock (``select_for_update``) and leaves a decision or event row.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from accounts.access import is_force_admin_of
from accounts.models import Beat
from cases import events
from cases.errors import CaseErrorCode
from cases.models import Case, CaseAccess, CaseDecision, CaseEvent, MatchFeedback
from cases.selectors import justification_access, justification_of
from core.exceptions import ApplicationError, ErrorCode
from core.justification import clean_justification
from incidents.models import Evidence
from orders.selectors import breaching_prohibitions
from recognition.models import PossibleMatch

logger = logging.getLogger(__name__)


def _breach_for(*, offender, incident):
    hits = breaching_prohibitions(offender=offender, store=incident.store, at=incident.occurred_at)
    return hits[0] if hits else None


def case_raise_for_match(*, match) -> Case:
    """Raise the case for (incident, person), or add this match to it. Idempotent: re-running
    recognition never duplicates a case. No notification leaves the triage queue.

    The incident's status is left alone: shop staff see it, and a change the moment a case is raised
    would tell them a face matched. Police move it themselves (incident page)."""
    incident = match.evidence.incident
    try:
        with transaction.atomic():
            return _raise_or_extend(match=match, incident=incident)
    except IntegrityError:
        # A concurrent worker raised the same case first (one case per incident and person): its row is
        # committed now, so a second try extends it. An integrity error on that try is a real fault
        # and is raised, never swallowed.
        logger.info(
            "Case for incident %s and offender %s raised concurrently: extending it", incident.pk, match.offender_id
        )
    with transaction.atomic():
        return _raise_or_extend(match=match, incident=incident)


def _raise_or_extend(*, match, incident) -> Case:
    case = Case.objects.select_for_update().filter(incident=incident, offender=match.offender).first()
    if case is None:
        prohibition = _breach_for(offender=match.offender, incident=incident)
        store = incident.store
        case = Case.objects.create(
            incident=incident,
            offender=match.offender,
            force_id=store.beat.force_id,
            beat_id=store.beat_id,
            store_id=store.pk,
            incident_priority=incident.priority,
            is_breach=prohibition is not None,
            breach_order=prohibition.order if prohibition else None,
            breach_prohibition=prohibition,
            best_match=match,
            best_similarity=match.similarity,
            threshold=match.threshold,
        )
        case.reference = case_reference_for(case)
        case.save(update_fields=["reference"])
        events.case_raised_event(case=case, match=match)
        return case
    if case.best_match_id == match.pk:
        return case  # the same match again: nothing new
    events.match_added_event(case=case, match=match)
    if match.similarity > case.best_similarity:
        case.best_match, case.best_similarity, case.threshold = match, match.similarity, match.threshold
        case.save(update_fields=["best_match", "best_similarity", "threshold", "updated_at"])
    return case


def case_reference_for(case: Case) -> str:
    """ "CASE-2026-000123": the year the case was raised (local time) and its id, as incidents' references
    are made (the migration that added references made the existing cases' the same way)."""
    return f"CASE-{timezone.localdate(case.created_at).year}-{case.pk:06d}"


def _locked(case: Case, *, expected: tuple[str, ...], action: str) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status not in expected:
        raise ApplicationError(
            f"This case is '{locked.get_status_display()}': it cannot be {action} now.",
            code=CaseErrorCode.INVALID_TRANSITION,
            status_code=409,
        )
    return locked


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ApplicationError("Give the reason for this decision.", fields={field: ["At least 5 characters."]})
    return reason


def _set_status(case: Case, status: str, actor) -> None:
    old = case.status
    case.status = status
    fields = ["status", "updated_at"]
    if status in (Case.Status.REJECTED, Case.Status.CLOSED):
        case.closed_at = timezone.now()
        fields.append("closed_at")
    case.save(update_fields=fields)
    events.status_changed_event(case=case, actor=actor, old=old, new=status)


def review_consequence(*, case: Case, same_person: bool) -> str:
    """What a review decision does, in the words the second step shows before it is recorded (page and API)."""
    if not same_person:
        days = settings.CASES_REJECTED_CROP_RETENTION_DAYS
        return (
            "Reject: this closes the case; the match will not be used. The case shows no breach, and the face "
            f"crop from the CCTV is deleted after {days} days. A rejection cannot be undone."
        )
    who = "another officer" if settings.CASES_SEPARATE_CORROBORATOR else "the investigating officer"
    text = (
        f"Confirm: this records that the person in the CCTV is {case.offender.full_name}. The case goes to "
        f"corroboration: {who} records the corroborating evidence and the action taken."
    )
    if case.is_breach:
        text += " The case then shows as a CBO breach and its evidence pack can be built."
    return text


def case_review_check(*, case: Case, same_person: bool, reason: str) -> str:
    """Everything ``case_review`` would refuse, refused now, before the second step asks to acknowledge the
    consequence; returns that consequence. Writes nothing."""
    _require_reason(reason)
    if case.status != Case.Status.AWAITING_REVIEW:
        raise ApplicationError(
            f"This case is '{case.get_status_display()}': it cannot be reviewed now.",
            code=CaseErrorCode.INVALID_TRANSITION,
            status_code=409,
        )
    return review_consequence(case=case, same_person=same_person)


@transaction.atomic
def case_review(*, case: Case, reviewer, same_person: bool, reason: str, consequence_acknowledged: bool) -> Case:
    """Stage 1: a trained reviewer confirms or rejects the candidate. Rejection closes the case.

    Recorded only once the reviewer has acknowledged what the decision does (``review_consequence``):
    the portal's second step, the API's ``consequence_acknowledged``. One click never decides."""
    reason = _require_reason(reason)
    case = _locked(case, expected=(Case.Status.AWAITING_REVIEW,), action="reviewed")
    if consequence_acknowledged is not True:
        raise ApplicationError(
            review_consequence(case=case, same_person=same_person)
            + " Nothing was recorded: acknowledge this consequence to record the decision.",
            code=CaseErrorCode.CONSEQUENCE_NOT_ACKNOWLEDGED,
            fields={"consequence_acknowledged": ["Must be true: the reviewer has read what this decision does."]},
        )
    outcome = CaseDecision.Outcome.CONFIRMED if same_person else CaseDecision.Outcome.REJECTED
    CaseDecision.objects.create(
        case=case, stage=CaseDecision.Stage.REVIEW, outcome=outcome, reason=reason, decided_by=reviewer
    )
    _set_status(case, Case.Status.CONFIRMED if same_person else Case.Status.REJECTED, reviewer)
    model_name = case.best_match.model_name if case.best_match else ""
    MatchFeedback.objects.create(
        force_id=case.force_id,
        case=case,
        same_person=same_person,
        similarity=case.best_similarity,
        threshold=case.threshold,
        model_name=model_name,
    )
    return case


SAME_OFFICER_REFUSAL = "You confirmed this match; another officer must corroborate it."


def corroboration_refusal(*, case: Case, officer) -> str:
    """Why ``officer`` may not corroborate this case, or "" when they may: with CASES_SEPARATE_CORROBORATOR
    on, the officer who confirmed the match may not be the one who corroborates it (two people)."""
    if not settings.CASES_SEPARATE_CORROBORATOR:
        return ""
    confirmed = CaseDecision.objects.filter(
        case=case, stage=CaseDecision.Stage.REVIEW, outcome=CaseDecision.Outcome.CONFIRMED
    ).first()
    if confirmed is not None and confirmed.decided_by_id == officer.pk:
        return SAME_OFFICER_REFUSAL
    return ""


def _require_action(action: str) -> str:
    if action in CaseDecision.ACTIONS:
        return action
    choices = ", ".join(str(CaseDecision.Outcome(a).label).lower() for a in CaseDecision.ACTIONS)
    if not action:
        raise ApplicationError(f"Choose the action taken ({choices}).", fields={"action": ["Choose the action taken."]})
    raise ApplicationError(f"Unknown action '{action}'.", fields={"action": [f"One of: {choices}."]})


@transaction.atomic
def case_corroborate(*, case: Case, officer, action: str, corroboration: str, reason: str) -> Case:
    """Stage 2: the investigating officer records corroborating evidence and the action taken. The action
    has no default, and the officer who confirmed the match may not corroborate it (``corroboration_refusal``)."""
    action = _require_action(action)
    corroboration = _require_reason(corroboration, "corroboration")
    reason = _require_reason(reason)
    case = _locked(case, expected=(Case.Status.CONFIRMED,), action="corroborated")
    if refusal := corroboration_refusal(case=case, officer=officer):
        raise ApplicationError(refusal, code=CaseErrorCode.SAME_OFFICER, status_code=403)
    CaseDecision.objects.create(
        case=case,
        stage=CaseDecision.Stage.CORROBORATION,
        outcome=action,
        reason=reason,
        corroboration=corroboration,
        decided_by=officer,
    )
    _set_status(case, Case.Status.ACTIONED, officer)
    return case


@transaction.atomic
def case_close(*, case: Case, officer, reason: str) -> Case:
    reason = _require_reason(reason)
    case = _locked(case, expected=(Case.Status.ACTIONED,), action="closed")
    CaseDecision.objects.create(
        case=case,
        stage=CaseDecision.Stage.CLOSURE,
        outcome=CaseDecision.Outcome.CLOSED,
        reason=reason,
        decided_by=officer,
    )
    _set_status(case, Case.Status.CLOSED, officer)
    return case


@transaction.atomic
def case_reassign(*, case: Case, actor, beat: Beat, reason: str) -> Case:
    """A force admin moves a case to another beat of its force, saying why: from then on the officers of
    that beat open it and the old beat's no longer do (need to know). Audited as a case event. A beat of
    another force is refused exactly as one that does not exist."""
    if not is_force_admin_of(actor, case.force_id):
        raise ApplicationError(
            "Only a force admin of the case's force may reassign it.",
            code=ErrorCode.PERMISSION_DENIED,
            status_code=403,
        )
    reason = _require_reason(reason)
    case = Case.objects.select_for_update().select_related("beat").get(pk=case.pk)
    if beat.force_id != case.force_id:
        raise ApplicationError(
            f"No beat with id {beat.pk} in this case's force.", fields={"beat": ["Choose a beat of the force."]}
        )
    old = case.beat
    if old.pk == beat.pk:
        raise ApplicationError(
            f"Case {case.pk} is already in beat {beat.name}.", fields={"beat": ["Choose another beat."]}
        )
    case.beat = beat
    case.save(update_fields=["beat", "updated_at"])
    events.case_reassigned_event(case=case, actor=actor, old_beat=old, new_beat=beat, reason=reason)
    logger.info("Case %s reassigned from beat %s to beat %s by user %s", case.pk, old.pk, beat.pk, actor.pk)
    return case


def case_justify(*, case: Case, user, justification: str) -> CaseAccess:
    """The first time a user opens a case they say why (s.62); later views cite that justification.

    The justification arrives in a POST body, never in a URL (URLs are written to access logs). The
    first justification stands: giving another later writes nothing and returns the first."""
    # A 400 when it is wrong; 403 justification_required is for no justification at all.
    justification = clean_justification(
        justification, why="need to open this case", code=CaseErrorCode.JUSTIFICATION_TOO_SHORT
    )
    if existing := justification_access(case=case, user=user):
        return existing
    return CaseAccess.objects.create(
        case=case, force_id=case.force_id, user=user, kind=CaseAccess.Kind.JUSTIFIED, justification=justification
    )


def case_access_log(*, case: Case, user, kind: str, detail: str = "") -> CaseAccess:
    """Log a view or export. Refused (403) until the user has justified opening this case."""
    justification = justification_of(case=case, user=user)
    if not justification:
        raise ApplicationError(
            "Give a justification before viewing this case's face images (DPA 2018 s.62): open the case page, "
            f"or POST it to /api/cases/{case.pk}/justification/, the first time you open it.",
            code=CaseErrorCode.JUSTIFICATION_REQUIRED,
            status_code=403,
        )
    return CaseAccess.objects.create(
        case=case, force_id=case.force_id, user=user, kind=kind, justification=justification, detail=detail[:255]
    )


# Retention of the face crops of rejected matches ------------------------------------------------------

# Crops cleared per transaction: each batch is one short transaction, so that the nightly purge over
# millions of matches never holds locks for long and a crash loses at most the batch in flight.
CROP_PURGE_BATCH_SIZE = 5000


@dataclass
class CropPurgeSummary:
    """What ``rejected_crops_purge_batched`` did: crops cleared, transactions that cleared some, the longest
    of those (milliseconds), and files that could not be deleted (left to the orphan sweep)."""

    purged: int = 0
    batches: int = 0
    longest_batch_ms: float = 0.0
    files_not_deleted: int = 0


def rejected_crops_purge(*, now=None) -> int:
    """Delete the CCTV face crops of matches rejected more than CASES_REJECTED_CROP_RETENTION_DAYS
    ago: the face was judged not to be the candidate, so it is not kept. Returns how many went."""
    return rejected_crops_purge_batched(now=now).purged


def rejected_crops_purge_batched(*, now=None, batch_size: int = CROP_PURGE_BATCH_SIZE) -> CropPurgeSummary:
    """``rejected_crops_purge`` in batches over windows of ``batch_size`` match ids (from the first match with
    a crop to the last): each batch locks its rows (skipping any another transaction holds: the next run takes
    them), clears the crops and writes one ``crop_purged`` event per match in one transaction, then deletes the
    files. A window of ids, rather than "the next ``batch_size`` candidates", keeps each query a short range
    scan of the primary key with index lookups, however rare or common the candidates are. Safe to re-run at
    any point: a cleared crop is no longer a candidate."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CASES_REJECTED_CROP_RETENTION_DAYS)
    storage = PossibleMatch._meta.get_field("crop").storage
    summary = CropPurgeSummary()
    with_crops = PossibleMatch.objects.exclude(crop="").aggregate(first=Min("pk"), last=Max("pk"))
    if with_crops["first"] is None:
        return summary
    after = with_crops["first"] - 1
    while after < with_crops["last"]:
        started = time.monotonic()
        with transaction.atomic():
            rows = _rejected_crops_batch(cutoff=cutoff, after=after, size=batch_size)
            if rows:
                PossibleMatch.objects.filter(pk__in=[pk for pk, _name, _case in rows]).update(crop="")
                CaseEvent.objects.bulk_create(_crop_purged_events(rows))
        after += batch_size
        if not rows:
            continue
        summary.longest_batch_ms = max(summary.longest_batch_ms, (time.monotonic() - started) * 1000)
        summary.batches += 1
        summary.purged += len(rows)
        _crop_files_delete(storage, [name for _pk, name, _case in rows], summary)  # once the batch is committed
    if summary.purged:
        logger.info("Deleted %d face crop(s) of rejected matches older than %s", summary.purged, cutoff.date())
    return summary


def _rejected_crops_batch(*, cutoff, after: int, size: int) -> list[tuple[int, str, int]]:
    """(match id, crop name, case id) of the matches with ids in (``after``, ``after + size``] that have a crop
    and belong to a case rejected before ``cutoff``. On PostgreSQL the matches are locked for the transaction
    and rows another transaction holds (the match, or its case with ``select_for_update``) are skipped,
    never waited for; the event's foreign key needs only a key-share lock on the case."""
    match, evidence, case = PossibleMatch._meta.db_table, Evidence._meta.db_table, Case._meta.db_table
    sql = (
        f"SELECT m.id, m.crop, c.id FROM {match} m "
        f"JOIN {evidence} e ON e.id = m.evidence_id "
        f"JOIN {case} c ON c.incident_id = e.incident_id AND c.offender_id = m.offender_id "
        "WHERE m.id > %s AND m.id <= %s AND m.crop <> '' AND c.status = %s AND c.closed_at < %s "
        "ORDER BY m.id LIMIT %s"
    )
    if connection.vendor == "postgresql":
        sql += " FOR NO KEY UPDATE OF m SKIP LOCKED FOR KEY SHARE OF c SKIP LOCKED"
    with connection.cursor() as cursor:
        cutoff_value = connection.ops.adapt_datetimefield_value(cutoff)
        cursor.execute(sql, [after, after + size, str(Case.Status.REJECTED), cutoff_value, size])
        return [(pk, name, case_id) for pk, name, case_id in cursor.fetchall()]


def _crop_purged_events(rows: list[tuple[int, str, int]]) -> list[CaseEvent]:
    """The rows ``events.crop_purged_event`` writes, one per match, for one ``bulk_create``."""
    kind = CaseEvent.Kind.CROP_PURGED
    return [
        CaseEvent(case_id=case_id, kind=kind, details={"match": pk, "reason": "rejected match"})
        for pk, _n, case_id in rows
    ]


def _crop_files_delete(storage, names: list[str], summary: CropPurgeSummary) -> None:
    """Delete the files of crops cleared by a committed batch (a batch rolled back keeps them). A file that
    cannot be deleted now is logged and left to the orphan sweep (incidents.housekeeping: no row names it any
    more), as is every file of a batch whose process died between its commit and here."""
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            summary.files_not_deleted += 1
            logger.warning("Face crop %s of a rejected match not deleted: the orphan sweep will", name, exc_info=True)


def search_log(*, evidence, processing) -> CaseAccess:
    """s.62: log each face search of an evidence file against the gallery, match or not. The search
    is made by the system because the file was reported with an incident; no person chose it."""
    return evidence_access_log(
        evidence=evidence,
        justification=f"Retrospective search of CCTV reported with incident {evidence.incident.reference}",
        detail=(
            f"evidence {evidence.pk} ({evidence.original_name[:80]}): {processing.faces_embedded} face(s) searched "
            f"against {processing.gallery_size} template(s), {processing.matches} possible match(es)"
        ),
    )


def evidence_access_log(
    *,
    evidence,
    justification: str,
    detail: str,
    kind: str = CaseAccess.Kind.SEARCH,
    user=None,
    case_id: int | None = None,
) -> CaseAccess:
    """s.62: log a look at an exhibit or a face search of it, match or not: the automatic search, a
    re-search after late paperwork (``user``: whose action started it; None: the system), or an
    officer's own (``view_evidence``: a frame shown to choose a face; ``search``: a box drawn on it).
    ``case_id``: the case a search raised or found, if any."""
    if kind not in (CaseAccess.Kind.SEARCH, CaseAccess.Kind.VIEW_EVIDENCE):
        raise ValueError(f"not an access to evidence: {kind}")
    return CaseAccess.objects.create(
        case_id=case_id,
        force_id=evidence.incident.store.beat.force_id,
        user=user,
        kind=kind,
        justification=justification[:2000],
        detail=detail[:255],
    )
