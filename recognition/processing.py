"""Face matching of evidence files, the services around the pure matching: queue a file, claim it,
search it (``recognition.matching``), store its matches with its ``done`` state, and hand them on.

- ``evidence_processing_queue(evidence_id=...)`` writes the ``queued`` record inside the upload's
  transaction, so an exhibit whose task was never sent is still found by the safety net
  (``evidence_requeue_stale``); ``workflows.evidence`` sends the task once the upload commits.
- ``evidence_process(evidence_id=..., handoff=...)`` is what the task runs. Idempotent: claiming the
  file and writing its matches happen in transactions that check its state, and the matches (one per
  file and offender) are written with the ``done`` state and handed on (``recognition.handoff``: a case
  per match, the s.62 log row) in the same transaction.

Privacy (DESIGN.md): a face that matches nobody is dropped as soon as it has been searched: no crop
and no embedding is ever written for it. The processing record keeps counts, timings and the model.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from core.exceptions import ApplicationError, ErrorCode
from core.files import local_path
from incidents.models import Evidence
from recognition import engine, events, gallery, matching, queue, video
from recognition.errors import RecognitionErrorCode
from recognition.handoff import CaseRef, Handoff
from recognition.models import EvidenceProcessing, PossibleMatch
from recognition.selectors import threshold_for

logger = logging.getLogger(__name__)
Status = EvidenceProcessing.Status


# Queueing -----------------------------------------------------------------------------------------


def evidence_processing_queue(*, evidence_id: int) -> bool:
    """The ``queued`` record of a newly stored file (call inside the transaction that stores it).
    True when the file needs its task sent; False when it is already done."""
    processing, created = EvidenceProcessing.objects.get_or_create(evidence_id=evidence_id)
    if created:
        events.processing_queued_event(processing=processing)
    return processing.status != Status.DONE


def evidence_processing_send(*, evidence_id: int) -> None:
    """Send the file's task once the current transaction commits (a failed send is re-sent by the sweep)."""
    queue.send_on_commit(queue.EVIDENCE_PROCESS, evidence_id)


@transaction.atomic
def evidence_processing_retry(*, processing: EvidenceProcessing, actor, reason: str = "") -> EvidenceProcessing:
    """An admin re-queues a failed file (a done file is not re-run: its matches already stand)."""
    processing = EvidenceProcessing.objects.select_for_update().get(pk=processing.pk)
    if processing.status != Status.FAILED:
        raise ApplicationError(
            f"Only a failed file can be retried; this one is {processing.status}.",
            code=ErrorCode.CONFLICT,
            status_code=409,
        )
    processing.status = Status.QUEUED
    processing.reason_code = processing.reason = ""
    processing.save(update_fields=["status", "reason_code", "reason", "updated_at"])
    events.processing_retried_event(processing=processing, actor=actor, reason=reason)
    evidence_processing_send(evidence_id=processing.evidence_id)
    return processing


def evidence_requeue_stale() -> dict[str, int]:
    """Safety net for lost work (run by beat): a file queued for longer than RECOGNITION_REQUEUE_AFTER_S
    (its message lost, or never sent) is sent again; a file "running" for longer than the task's time
    limit (its worker killed) is sent again, or failed after RECOGNITION_MAX_ATTEMPTS. Re-sending is
    safe: the task is idempotent."""
    now = timezone.now()
    queued_before = now - timedelta(seconds=settings.RECOGNITION_REQUEUE_AFTER_S)
    running_before = now - timedelta(seconds=settings.RECOGNITION_TASK_SOFT_TIME_LIMIT + 600)
    counts = {"requeued": 0, "failed": 0}
    stale = EvidenceProcessing.objects.filter(
        Q(status=Status.QUEUED, updated_at__lt=queued_before) | Q(status=Status.RUNNING, updated_at__lt=running_before)
    )
    for processing_id in stale.order_by("id").values_list("id", flat=True)[:500]:
        counts[_requeue_one(processing_id)] += 1
    return counts


@transaction.atomic
def _requeue_one(processing_id: int) -> str:
    processing = EvidenceProcessing.objects.select_for_update().get(pk=processing_id)
    if processing.status == Status.RUNNING and processing.attempts >= settings.RECOGNITION_MAX_ATTEMPTS:
        processing.status, processing.reason_code = Status.FAILED, RecognitionErrorCode.WORKER_LOST
        processing.reason = f"The worker stopped during each of {processing.attempts} attempts."
        processing.save(update_fields=["status", "reason_code", "reason", "updated_at"])
        events.processing_failed_event(processing=processing)
        return "failed"
    processing.save(update_fields=["updated_at"])  # not picked up again until the next cut-off
    events.processing_resent_event(processing=processing)
    evidence_processing_send(evidence_id=processing.evidence_id)
    return "requeued"


# The run ------------------------------------------------------------------------------------------


def evidence_process(*, evidence_id: int, handoff: Handoff) -> EvidenceProcessing | None:
    """Process one evidence file to done or failed. Only database errors (transient) escape."""
    evidence = Evidence.objects.select_related("incident__store__beat").filter(pk=evidence_id).first()
    if evidence is None:
        return None
    processing = _claim(evidence_id)
    if processing is None:
        return None
    started = time.monotonic()
    try:
        return _process(evidence, processing, started, handoff)
    except engine.EngineError as exc:
        return _fail(processing, exc.code, exc.message, started)
    except SoftTimeLimitExceeded:
        return _fail(processing, RecognitionErrorCode.TIMEOUT, "Processing took longer than the time limit.", started)
    except DatabaseError:
        raise  # transient: the task retries
    except Exception as exc:  # noqa: BLE001 - a bad file must never take the worker down
        logger.exception("recognition: evidence %s failed", evidence_id)
        return _fail(processing, RecognitionErrorCode.ERROR, f"Unexpected error ({exc.__class__.__name__}).", started)


def _claim(evidence_id: int) -> EvidenceProcessing | None:
    """Mark the file running (one more attempt), unless it is done or gone."""
    with transaction.atomic():
        EvidenceProcessing.objects.get_or_create(evidence_id=evidence_id)
        processing = EvidenceProcessing.objects.select_for_update().get(evidence_id=evidence_id)
        if processing.status == Status.DONE:
            return None
        processing.status, processing.attempts = Status.RUNNING, processing.attempts + 1
        processing.started_at, processing.finished_at = timezone.now(), None
        processing.save(update_fields=["status", "attempts", "started_at", "finished_at", "updated_at"])
        events.processing_attempt_started_event(processing=processing)
    return processing


def _fail(
    processing: EvidenceProcessing, code: RecognitionErrorCode, message: str, started: float
) -> EvidenceProcessing:
    """Record the failure on the locked row, unless another run finished the file meanwhile."""
    with transaction.atomic():
        locked = EvidenceProcessing.objects.select_for_update().get(pk=processing.pk)
        if locked.status == Status.DONE:
            return locked
        locked.status, locked.reason_code, locked.reason = Status.FAILED, code, message[:500]
        locked.finished_at = timezone.now()
        locked.processing_seconds = round(time.monotonic() - started, 3)
        locked.save(
            update_fields=["status", "reason_code", "reason", "finished_at", "processing_seconds", "updated_at"]
        )
        events.processing_failed_event(processing=locked)
    return locked


def search_file(
    evidence, *, gallery_: gallery.Gallery, threshold: float
) -> tuple[matching.Outcome, video.SamplingStats]:
    """Search one evidence file's frames against a gallery (the first search, and every re-search)."""
    stats = video.SamplingStats()
    with local_path(evidence.file) as path:
        outcome = matching.match_frames(
            video.frames(path, evidence.kind, stats), gallery_=gallery_, threshold=threshold
        )
    return outcome, stats


# What a run measured, copied onto the processing record when it finishes.
_COUNTS = ("faces_detected", "faces_too_small", "faces_blurred", "faces_tracked", "faces_embedded")


def _process(evidence, processing: EvidenceProcessing, started: float, handoff: Handoff) -> EvidenceProcessing:
    eng = engine.get_engine()
    incident = evidence.incident
    force_id = incident.store.beat.force_id
    threshold = threshold_for(force_id=force_id)
    gallery_ = gallery.incident_gallery(force_id=force_id, at=incident.occurred_at, model_version=eng.model_version)
    outcome, stats = search_file(evidence, gallery_=gallery_, threshold=threshold)
    counts = outcome.counts
    measured = {name: counts[name] for name in (*_COUNTS, "frames_skipped_still")}
    measured.update(
        media_seconds=stats.media_seconds,
        frames_decoded=stats.frames_decoded,
        frames_sampled=stats.frames_sampled,
        gallery_size=len(gallery_),
        model_name=eng.model_name,
        model_version=eng.model_version,
        threshold=threshold,
    )
    if not counts["faces_usable"]:
        result = EvidenceProcessing.Result.NO_FACE
    else:
        result = EvidenceProcessing.Result.MATCH if outcome.found else EvidenceProcessing.Result.NO_MATCH
    return _finish(evidence, processing, outcome, measured, result, started, handoff)


def _finish(evidence, processing, outcome, measured: dict, result: str, started: float, handoff: Handoff):
    """Write the matches and the done state together, on the locked row; hand the matches on."""
    with transaction.atomic():
        locked = EvidenceProcessing.objects.select_for_update().get(pk=processing.pk)
        if locked.status == Status.DONE:
            return locked  # another run finished first
        for name, value in measured.items():
            setattr(locked, name, value)
        record_matches(
            evidence,
            outcome.found,
            threshold=float(measured["threshold"]),
            model_name=locked.model_name,
            model_version=locked.model_version,
            handoff=handoff,
        )
        locked.status, locked.result, locked.matches = Status.DONE, result, len(outcome.found)
        locked.reason_code = locked.reason = ""
        locked.finished_at = timezone.now()
        locked.processing_seconds = round(time.monotonic() - started, 3)
        fields = [*measured, "status", "result", "matches", "reason_code", "reason", "finished_at"]
        locked.save(update_fields=[*fields, "processing_seconds", "updated_at"])
        events.processing_done_event(processing=locked)
        handoff.file_searched(evidence=evidence, processing=locked)
    return locked


def record_matches(
    evidence,
    found: dict[int, matching.Found],
    *,
    threshold: float,
    model_name: str,
    model_version: str,
    handoff: Handoff,
    extra=None,
) -> list[tuple[PossibleMatch, CaseRef]]:
    """Store each offender's best face as a PossibleMatch and hand it on (its case), best first:
    a list of (match, ``CaseRef``).

    Call inside a transaction. ``extra`` holds further PossibleMatch fields (how the face was found).
    A second search finding the same offender in the same file updates the one match, never a second."""
    stored = []
    for offender_id, best in sorted(found.items(), key=lambda item: item[1].candidate.distance):
        match = _store_match(
            evidence,
            offender_id,
            best,
            threshold=threshold,
            model_name=model_name,
            model_version=model_version,
            extra=extra or {},
        )
        stored.append((match, handoff.case_for_match(match)))
    return stored


def _store_match(
    evidence, offender_id: int, found: matching.Found, *, threshold: float, model_name: str, model_version: str, extra
) -> PossibleMatch:
    box, candidate = found.box, found.candidate
    match, _ = PossibleMatch.objects.update_or_create(
        evidence=evidence,
        offender_id=offender_id,
        defaults={
            "reference_photo_id": candidate.reference_photo_id,
            "distance": candidate.distance,
            "similarity": candidate.similarity,
            "threshold": threshold,
            "frame_time_s": found.frame_time_s,
            "face_box": [box.x, box.y, box.w, box.h],
            "model_name": model_name,
            "model_version": model_version,
            **extra,
        },
    )
    match.crop.save(f"match-{evidence.pk}-{offender_id}.jpg", ContentFile(found.crop_jpeg), save=True)
    return match
