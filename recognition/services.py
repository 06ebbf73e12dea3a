"""Recognition services: force thresholds, and the face templates of reference photos.

- ``reference_photo_enrol(*, photo)`` / ``reference_photo_forget(*, photo_id)``: ``workflows.orders``
  calls them when a reference photo is stored or removed.
- Evidence files are processed in ``recognition.processing``; re-searches in ``recognition.research``.
- ``threshold_for(*, force_id)`` is a read (``recognition.selectors``), importable from here as before.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from core.exceptions import ApplicationError
from recognition import engine, events
from recognition.errors import RecognitionErrorCode
from recognition.models import FaceTemplate, ForceThreshold
from recognition.selectors import threshold_for  # a read, kept importable here: other apps' callers use this name
from recognition.weights import WeightsMissing

logger = logging.getLogger(__name__)


# Thresholds ---------------------------------------------------------------------------------


@transaction.atomic
def force_threshold_set(*, force, threshold: float, reason: str, actor) -> ForceThreshold:
    """Change a force's threshold, with a reason; each change leaves a ``ThresholdChange`` row."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Give a reason for changing the threshold.", fields={"reason": ["This is required."]})
    old = threshold_for(force_id=force.pk)
    row, _ = ForceThreshold.objects.select_for_update().get_or_create(force=force, defaults={"threshold": threshold})
    row.threshold = threshold
    row.full_clean()
    row.save()
    events.threshold_changed_event(force=force, old=old, new=threshold, reason=reason, actor=actor)
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
            code=RecognitionErrorCode.FACE_ENGINE_UNAVAILABLE,
            status_code=503,
        ) from None


def _enrol_face(image) -> engine.Face:
    """The one usable face of a reference photo, or an ApplicationError saying what is wrong."""
    eng = face_engine(cannot="reference photos cannot be added")
    detections = eng.detect_image(image)
    if not detections:
        raise ApplicationError(
            "No face was found in the photo. Use a clear, front-facing photo of the person's face.",
            code=RecognitionErrorCode.NO_FACE,
            fields={"image": ["No face found."]},
        )
    # Faces too small to matter (people far in the background) do not count as "several faces".
    visible = [d for d in detections if d.box.size >= settings.RECOGNITION_MIN_FACE_PX]
    if len(visible) > 1:
        raise ApplicationError(
            f"The photo shows {len(visible)} faces. Crop it to the one person's face, or use another photo.",
            code=RecognitionErrorCode.MULTIPLE_FACES,
            fields={"image": ["Several faces found."]},
        )
    detection = max(detections, key=lambda d: d.box.size)
    if detection.box.size < settings.RECOGNITION_ENROL_MIN_FACE_PX:
        raise ApplicationError(
            f"The face is {detection.box.size} pixels across; at least {settings.RECOGNITION_ENROL_MIN_FACE_PX} are "
            "needed for a reliable template. Use a closer or larger photo.",
            code=RecognitionErrorCode.FACE_TOO_SMALL,
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
            "force_id": photo.offender.force_id,
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
