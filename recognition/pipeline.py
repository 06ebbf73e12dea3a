"""Face matching of one evidence file: sample frames, detect, track, embed a few faces per track,
search the incident's gallery, keep only matches.

Privacy (DESIGN.md): a face that matches nobody is dropped as soon as it has been searched: no crop
and no embedding is ever written for it. The processing record keeps counts, timings and the model.
Idempotent: claiming the file and writing its matches happen in transactions that check its state,
and the matches (one per evidence file and offender) are written together with the ``done`` state.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone

from recognition import engine, gallery, video
from recognition.models import EvidenceProcessing, PossibleMatch

logger = logging.getLogger(__name__)
Status = EvidenceProcessing.Status


# Tracking -----------------------------------------------------------------------------------


@dataclass
class Track:
    """One face followed across neighbouring sampled frames."""

    box: engine.Box
    last_seen_s: float
    embeds: int = 0
    last_embed_s: float | None = None


def _same_face(track: Track, box: engine.Box) -> bool:
    if track.box.iou(box) >= 0.2:
        return True
    size = (track.box.size + box.size) / 2
    ratio = box.size / max(track.box.size, 1)
    dx = (track.box.x + track.box.w / 2) - (box.x + box.w / 2)
    dy = (track.box.y + track.box.h / 2) - (box.y + box.h / 2)
    return 0.67 <= ratio <= 1.5 and (dx * dx + dy * dy) ** 0.5 <= size


class Tracker:
    """Greedy nearest-track assignment; a track not seen for ``max_gap_s`` ends."""

    def __init__(self, *, max_gap_s: float = 1.6, per_track: int, spacing_s: float = 1.0) -> None:
        self.active: list[Track] = []
        self.started = 0
        self.max_gap_s, self.per_track, self.spacing_s = max_gap_s, per_track, spacing_s

    def assign(self, box: engine.Box, t: float) -> Track:
        self.active = [tr for tr in self.active if t - tr.last_seen_s <= self.max_gap_s]
        for track in self.active:
            if track.last_seen_s < t and _same_face(track, box):
                track.box, track.last_seen_s = box, t
                return track
        track = Track(box=box, last_seen_s=t)
        self.active.append(track)
        self.started += 1
        return track

    def wants_embedding(self, track: Track, t: float) -> bool:
        if track.embeds >= self.per_track:
            return False
        return track.last_embed_s is None or t - track.last_embed_s >= self.spacing_s


class StillFrames:
    """Skips detection on a video frame that shows the same empty scene as the last frame detected.

    Most CCTV is a still scene most of the time: a frame is compared (160x90 grey thumbnail) with
    the last frame the detector saw; when that frame had no face and under 0.3% of the thumbnail
    changed by more than 15 grey levels, nobody can have come in, and the detector is skipped. A frame
    with faces never lets the next one be skipped, and the detector runs at least every ``max_gap_s``."""

    THUMB = (160, 90)

    def __init__(self, *, enabled: bool, max_gap_s: float, min_changed: float = 0.003) -> None:
        self.enabled, self.max_gap_s, self.min_changed = enabled, max_gap_s, min_changed
        self.reference = None
        self.reference_had_faces = True
        self.reference_s = 0.0
        self._thumb = None

    def skip(self, frame) -> bool:
        if not self.enabled or frame.time_s is None:
            return False
        import cv2

        self._thumb = cv2.resize(
            cv2.cvtColor(frame.image, cv2.COLOR_RGB2GRAY), self.THUMB, interpolation=cv2.INTER_AREA
        )
        if self.reference is None or self.reference_had_faces or frame.time_s - self.reference_s >= self.max_gap_s:
            return False
        changed = np.count_nonzero(cv2.absdiff(self._thumb, self.reference) > 15)
        return changed < self.min_changed * self._thumb.size

    def detected(self, frame, *, faces: bool) -> None:
        if frame.time_s is not None:
            self.reference, self.reference_had_faces, self.reference_s = self._thumb, faces, frame.time_s


# Matching -----------------------------------------------------------------------------------


@dataclass
class Found:
    """The best face seen for one offender: what a PossibleMatch is made of."""

    candidate: gallery.Candidate
    frame_time_s: float | None
    box: engine.Box
    crop_jpeg: bytes = field(repr=False)


@dataclass
class Outcome:
    counts: dict = field(default_factory=dict)
    found: dict[int, Found] = field(default_factory=dict)
    usable_faces: int = 0


def _crop(image, box: engine.Box) -> bytes:
    from PIL import Image

    margin = int(box.size * 0.3)
    height, width = image.shape[:2]
    x1, y1 = max(0, box.x - margin), max(0, box.y - margin)
    x2, y2 = min(width, box.x + box.w + margin), min(height, box.y + box.h + margin)
    out = io.BytesIO()
    Image.fromarray(image[y1:y2, x1:x2]).save(out, format="JPEG", quality=90)
    return out.getvalue()


def _frame_faces(eng, frame, tracker: Tracker, counts: dict, *, embed: bool):
    """Detections of one frame worth embedding: (detection, chip), after the size, track and blur checks."""
    if frame.time_s is None:
        detections = eng.detect_image(frame.image)
    else:
        detections = eng.detect(frame.image, max_side=settings.RECOGNITION_VIDEO_DETECT_MAX_SIDE)
    counts["faces_detected"] += len(detections)
    chosen = []
    for detection in detections:
        if detection.box.size < settings.RECOGNITION_MIN_FACE_PX:
            counts["faces_too_small"] += 1
            continue
        t = frame.time_s if frame.time_s is not None else 0.0
        track = tracker.assign(detection.box, t) if frame.time_s is not None else None
        if track is not None and not tracker.wants_embedding(track, t):
            counts["faces_usable"] += 1
            continue
        chip = eng.chip(frame.image, detection)
        if eng.sharpness(chip) < settings.RECOGNITION_MIN_SHARPNESS:
            counts["faces_blurred"] += 1
            continue
        counts["faces_usable"] += 1
        if track is not None:
            track.embeds, track.last_embed_s = track.embeds + 1, t
        if embed:
            chosen.append((detection, chip))
    return chosen


def match_frames(frames, *, gallery_: gallery.Gallery, threshold: float) -> Outcome:
    """Run detection, tracking, embedding and search over frames; keep the best face per offender."""
    eng = engine.get_engine()
    outcome = Outcome(counts=dict.fromkeys(("faces_detected", "faces_too_small", "faces_blurred"), 0))
    outcome.counts.update(faces_embedded=0, faces_usable=0, frames_skipped_still=0)
    tracker = Tracker(per_track=settings.RECOGNITION_EMBEDS_PER_TRACK)
    still = StillFrames(enabled=settings.RECOGNITION_SKIP_STILL_FRAMES, max_gap_s=settings.RECOGNITION_STILL_MAX_GAP_S)
    embed = len(gallery_) > 0  # nothing to match against: no face is embedded at all
    for frame in frames:
        if still.skip(frame):
            outcome.counts["frames_skipped_still"] += 1
            continue
        detected_before = outcome.counts["faces_detected"]
        chosen = _frame_faces(eng, frame, tracker, outcome.counts, embed=embed)
        still.detected(frame, faces=outcome.counts["faces_detected"] > detected_before)
        vectors = eng.embed_chips([chip for _, chip in chosen])
        outcome.counts["faces_embedded"] += len(chosen)
        for (detection, _), vector in zip(chosen, vectors, strict=True):
            for candidate in gallery_.search(vector, k=settings.RECOGNITION_CANDIDATES):
                if candidate.distance > threshold:
                    break
                best = outcome.found.get(candidate.offender_id)
                if best is None or candidate.distance < best.candidate.distance:
                    outcome.found[candidate.offender_id] = Found(
                        candidate, frame.time_s, detection.box, _crop(frame.image, detection.box)
                    )
        del vectors, chosen  # faces that matched nobody leave nothing behind
    outcome.counts["faces_tracked"] = tracker.started
    return outcome


# The run ------------------------------------------------------------------------------------


@contextlib.contextmanager
def local_path(fieldfile):
    """A local file path for OpenCV: the file itself on local storage, else a temporary copy."""
    try:
        path = fieldfile.path
    except NotImplementedError:  # remote storage (S3)
        path = None
    if path:
        yield path
        return
    suffix = os.path.splitext(fieldfile.name)[1]
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        fieldfile.open("rb")
        try:
            shutil.copyfileobj(fieldfile, tmp)
        finally:
            fieldfile.close()
        tmp.flush()
        yield tmp.name


def _claim(evidence_id: int) -> EvidenceProcessing | None:
    """Mark the file running (one more attempt), unless it is done or gone."""
    from recognition.services import processing_event

    with transaction.atomic():
        EvidenceProcessing.objects.get_or_create(evidence_id=evidence_id)
        processing = EvidenceProcessing.objects.select_for_update().get(evidence_id=evidence_id)
        if processing.status == Status.DONE:
            return None
        processing.status, processing.attempts = Status.RUNNING, processing.attempts + 1
        processing.started_at, processing.finished_at = timezone.now(), None
        processing.save(update_fields=["status", "attempts", "started_at", "finished_at", "updated_at"])
        processing_event(processing, note=f"attempt {processing.attempts}")
    return processing


def _fail(processing: EvidenceProcessing, code: str, message: str, started: float) -> EvidenceProcessing:
    from recognition.services import processing_event

    processing.status, processing.reason_code, processing.reason = Status.FAILED, code, message[:500]
    processing.finished_at = timezone.now()
    processing.processing_seconds = round(time.monotonic() - started, 3)
    processing.save()
    processing_event(processing, note=f"{code}: {message}")
    return processing


def run(*, evidence_id: int) -> EvidenceProcessing | None:
    """Process one evidence file to done or failed. Only database errors (transient) escape."""
    from incidents.models import Evidence

    evidence = Evidence.objects.select_related("incident__store__beat").filter(pk=evidence_id).first()
    if evidence is None:
        return None
    processing = _claim(evidence_id)
    if processing is None:
        return None
    started = time.monotonic()
    try:
        return _process(evidence, processing, started)
    except engine.EngineError as exc:
        return _fail(processing, exc.code, exc.message, started)
    except SoftTimeLimitExceeded:
        return _fail(processing, "timeout", "Processing took longer than the time limit.", started)
    except DatabaseError:
        raise  # transient: the task retries
    except Exception as exc:  # noqa: BLE001 - a bad file must never take the worker down
        logger.exception("recognition: evidence %s failed", evidence_id)
        return _fail(processing, "error", f"Unexpected error ({exc.__class__.__name__}).", started)


def _process(evidence, processing: EvidenceProcessing, started: float) -> EvidenceProcessing:
    eng = engine.get_engine()
    incident = evidence.incident
    force_id = incident.store.beat.force_id
    from recognition.services import threshold_for

    threshold = threshold_for(force_id=force_id)
    gallery_ = gallery.incident_gallery(force_id=force_id, at=incident.occurred_at, model_version=eng.model_version)
    stats = video.SamplingStats()
    with local_path(evidence.file) as path:
        outcome = match_frames(video.frames(path, evidence.kind, stats), gallery_=gallery_, threshold=threshold)
    counts = outcome.counts
    processing.media_seconds = stats.media_seconds
    processing.frames_decoded, processing.frames_sampled = stats.frames_decoded, stats.frames_sampled
    names = ("faces_detected", "faces_too_small", "faces_blurred", "faces_tracked", "faces_embedded")
    for name in (*names, "frames_skipped_still"):
        setattr(processing, name, counts[name])
    processing.gallery_size = len(gallery_)
    processing.model_name, processing.model_version, processing.threshold = eng.model_name, eng.model_version, threshold
    if not counts["faces_usable"]:
        result = EvidenceProcessing.Result.NO_FACE
    else:
        result = EvidenceProcessing.Result.MATCH if outcome.found else EvidenceProcessing.Result.NO_MATCH
    return _finish(evidence, processing, outcome, result, started)


def _finish(evidence, processing, outcome: Outcome, result: str, started: float) -> EvidenceProcessing:
    """Write the matches and the done state together; hand each match to the cases app."""
    from cases.services import search_log
    from recognition.services import processing_event

    with transaction.atomic():
        locked = EvidenceProcessing.objects.select_for_update().get(pk=processing.pk)
        if locked.status == Status.DONE:
            return locked  # another run finished first
        record_matches(
            evidence,
            outcome.found,
            threshold=processing.threshold,
            model_name=processing.model_name,
            model_version=processing.model_version,
        )
        processing.status, processing.result, processing.matches = Status.DONE, result, len(outcome.found)
        processing.reason_code = processing.reason = ""
        processing.finished_at = timezone.now()
        processing.processing_seconds = round(time.monotonic() - started, 3)
        processing.save()
        processing_event(processing, note=f"{result}: {len(outcome.found)} match(es)")
        search_log(evidence=evidence, processing=processing)
    return processing


def record_matches(
    evidence, found: dict[int, Found], *, threshold: float, model_name: str, model_version: str, extra=None
) -> list[PossibleMatch]:
    """Store each offender's best face as a PossibleMatch and raise (or extend) its case, best first.

    Call inside a transaction. ``extra`` holds further PossibleMatch fields (how the face was found).
    A second search finding the same offender in the same file updates the one match, never a second."""
    from cases.services import case_raise_for_match

    matches = []
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
        case_raise_for_match(match=match)
        matches.append(match)
    return matches


def _store_match(
    evidence, offender_id: int, found: Found, *, threshold: float, model_name: str, model_version: str, extra: dict
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
