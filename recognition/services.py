"""Recognition services: the entry points other apps call, and the admin's write operations.

- ``evidence_enqueue(evidence_id)``: the incidents app calls it (on commit) for each evidence file.
- ``reference_photo_enrol(*, photo)`` / ``reference_photo_forget(*, photo_id)``: the orders app calls
  them when a reference photo is added or removed.
- ``evidence_process(*, evidence_id)``: what the Celery task runs (``recognition.pipeline``).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.exceptions import ApplicationError, ErrorCode
from recognition import engine
from recognition.models import (
    EvidenceProcessing,
    EvidenceProcessingEvent,
    FaceTemplate,
    ForceThreshold,
    ThresholdChange,
)
from recognition.weights import WeightsMissing

logger = logging.getLogger(__name__)


# Thresholds ---------------------------------------------------------------------------------


def threshold_for(*, force_id: int) -> float:
    """The force's match threshold (cosine distance), or the configured default."""
    row = ForceThreshold.objects.filter(force_id=force_id).values_list("threshold", flat=True).first()
    return float(row) if row is not None else float(settings.RECOGNITION_DEFAULT_THRESHOLD)


@transaction.atomic
def force_threshold_set(*, force, threshold: float, reason: str, actor) -> ForceThreshold:
    """Change a force's threshold, with a reason; each change leaves a ThresholdChange row."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Give a reason for changing the threshold.", fields={"reason": ["This is required."]})
    old = threshold_for(force_id=force.pk)
    row, _ = ForceThreshold.objects.select_for_update().get_or_create(force=force, defaults={"threshold": threshold})
    row.threshold = threshold
    row.full_clean()
    row.save()
    ThresholdChange.objects.create(
        force=force, old_threshold=old, new_threshold=threshold, reason=reason[:500], changed_by=actor
    )
    return row


# Enrolment ----------------------------------------------------------------------------------


def _read_file(fieldfile) -> bytes:
    fieldfile.open("rb")
    try:
        return fieldfile.read()
    finally:
        fieldfile.close()


def face_engine(*, cannot: str) -> engine.Engine:
    """The engine for a request; without its weights (an installation fault, not the user's) a 503
    saying what cannot be done and what to install, never a 500."""
    try:
        return engine.get_engine()
    except WeightsMissing:
        logger.exception("Face model weights missing: %s", cannot)
        raise ApplicationError(
            f"Face matching is not set up on this server yet, so {cannot}. "
            "Ask your system administrator to install the face model (`manage.py install_face_weights`).",
            code="face_engine_unavailable",
            status_code=503,
        ) from None


def _enrol_face(image) -> engine.Face:
    """The one usable face of a reference photo, or an ApplicationError saying what is wrong."""
    eng = face_engine(cannot="reference photos cannot be added")
    detections = eng.detect_image(image)
    if not detections:
        raise ApplicationError(
            "No face was found in the photo. Use a clear, front-facing photo of the person's face.",
            code="no_face",
            fields={"image": ["No face found."]},
        )
    # Faces too small to matter (people far in the background) do not count as "several faces".
    visible = [d for d in detections if d.box.size >= settings.RECOGNITION_MIN_FACE_PX]
    if len(visible) > 1:
        raise ApplicationError(
            f"The photo shows {len(visible)} faces. Crop it to the one person's face, or use another photo.",
            code="multiple_faces",
            fields={"image": ["Several faces found."]},
        )
    detection = max(detections, key=lambda d: d.box.size)
    if detection.box.size < settings.RECOGNITION_ENROL_MIN_FACE_PX:
        raise ApplicationError(
            f"The face is {detection.box.size} pixels across; at least {settings.RECOGNITION_ENROL_MIN_FACE_PX} are "
            "needed for a reliable template. Use a closer or larger photo.",
            code="face_too_small",
            fields={"image": ["Face too small."]},
        )
    return eng.faces(image, [detection])[0]


def reference_photo_enrol(*, photo) -> list[FaceTemplate]:
    """Make the current model's template of a reference photo (replacing an earlier one).

    Raises ApplicationError ``no_face``, ``multiple_faces``, ``face_too_small`` or ``unreadable_image``."""
    try:
        image = engine.load_image(_read_file(photo.image))
    except engine.EngineError as exc:
        raise ApplicationError(exc.message, code=exc.code, fields={"image": [exc.message]}) from exc
    face = _enrol_face(image)
    eng = engine.get_engine()
    box = face.detection.box
    template, _ = FaceTemplate.objects.update_or_create(
        reference_photo=photo,
        model_name=eng.model_name,
        model_version=eng.model_version,
        defaults={
            "offender_id": photo.offender_id,
            "embedding": face.embedding.astype("float32").tobytes(),
            "face_box": [box.x, box.y, box.w, box.h],
            "face_size_px": box.size,
            "sharpness": round(face.sharpness, 2),
        },
    )
    return [template]


def reference_photo_forget(*, photo_id: int) -> int:
    """Delete every template of a reference photo (the gallery caches see the change). Returns how many."""
    deleted, _ = FaceTemplate.objects.filter(reference_photo_id=photo_id).delete()
    return deleted


# Evidence processing ------------------------------------------------------------------------


def processing_event(processing: EvidenceProcessing, *, actor=None, note: str = "") -> None:
    EvidenceProcessingEvent.objects.create(
        processing=processing, status=processing.status, actor=actor, note=note[:500]
    )


def evidence_enqueue(evidence_id: int) -> None:
    """Queue face matching for one evidence file: a ``queued`` record now, the task once committed."""
    processing, created = EvidenceProcessing.objects.get_or_create(evidence_id=evidence_id)
    if created:
        processing_event(processing, note="queued on upload")
    elif processing.status == EvidenceProcessing.Status.DONE:
        return
    _send_task(evidence_id)


def _send_task(evidence_id: int) -> None:
    from recognition.tasks import evidence_process_task

    transaction.on_commit(lambda: evidence_process_task.delay(evidence_id))


@transaction.atomic
def evidence_processing_retry(*, processing: EvidenceProcessing, actor, reason: str = "") -> EvidenceProcessing:
    """An admin re-queues a failed file (a done file is not re-run: its matches already stand)."""
    processing = EvidenceProcessing.objects.select_for_update().get(pk=processing.pk)
    if processing.status != EvidenceProcessing.Status.FAILED:
        raise ApplicationError(
            f"Only a failed file can be retried; this one is {processing.status}.",
            code=ErrorCode.CONFLICT,
            status_code=409,
        )
    processing.status = EvidenceProcessing.Status.QUEUED
    processing.reason_code = processing.reason = ""
    processing.save(update_fields=["status", "reason_code", "reason", "updated_at"])
    processing_event(processing, actor=actor, note=f"retry: {reason}".strip(": "))
    _send_task(processing.evidence_id)
    return processing


def evidence_requeue_stale() -> dict[str, int]:
    """Safety net for lost work (run by beat): a file queued for longer than RECOGNITION_REQUEUE_AFTER_S
    (its message lost) is sent again; a file "running" for longer than the task's time limit (its
    worker killed) is sent again, or failed after RECOGNITION_MAX_ATTEMPTS. Re-sending is safe: the
    task is idempotent."""
    from datetime import timedelta

    now = timezone.now()
    Status = EvidenceProcessing.Status
    queued_before = now - timedelta(seconds=settings.RECOGNITION_REQUEUE_AFTER_S)
    running_before = now - timedelta(seconds=settings.RECOGNITION_TASK_SOFT_TIME_LIMIT + 600)
    counts = {"requeued": 0, "failed": 0}
    stale = EvidenceProcessing.objects.filter(
        Q(status=Status.QUEUED, updated_at__lt=queued_before) | Q(status=Status.RUNNING, updated_at__lt=running_before)
    )
    for processing in stale.order_by("id")[:500]:
        with transaction.atomic():
            processing = EvidenceProcessing.objects.select_for_update().get(pk=processing.pk)
            if processing.status == Status.RUNNING and processing.attempts >= settings.RECOGNITION_MAX_ATTEMPTS:
                processing.status, processing.reason_code = Status.FAILED, "worker_lost"
                processing.reason = f"The worker stopped during each of {processing.attempts} attempts."
                processing.save(update_fields=["status", "reason_code", "reason", "updated_at"])
                processing_event(processing, note="worker_lost: gave up")
                counts["failed"] += 1
                continue
            processing.save(update_fields=["updated_at"])  # not picked up again until the next cut-off
            processing_event(processing, note=f"re-sent: {processing.status} too long")
            _send_task(processing.evidence_id)
            counts["requeued"] += 1
    return counts


def evidence_process(*, evidence_id: int) -> EvidenceProcessing | None:
    """Run face matching on one evidence file (idempotent: a done file returns at once)."""
    from recognition import pipeline

    return pipeline.run(evidence_id=evidence_id)
