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
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone

from recognition import engine, gallery, scan, video
from recognition.models import EvidenceProcessing, PossibleMatch

logger = logging.getLogger(__name__)
Status = EvidenceProcessing.Status


# Tracking -----------------------------------------------------------------------------------


@dataclass
class Track:
    """One face followed across neighbouring sampled frames."""

    box: engine.Box
    last_seen_s: float
    velocity: tuple[float, float] | None = None  # px/s of the box's centre, once seen twice
    embeds: int = 0
    last_embed_s: float | None = None
    matched: bool = False  # a face of this track matched someone: no need to embed it again


def _centre(box: engine.Box) -> tuple[float, float]:
    return box.x + box.w / 2, box.y + box.h / 2


def _distance(track: Track, box: engine.Box, t: float) -> float | None:
    """How far ``box`` is from where the track's face should be at ``t``, in face widths; None when it
    cannot be the same face (another size, or further than a walker can go)."""
    ratio = box.size / max(track.box.size, 1)
    if not 0.67 <= ratio <= 1.5:
        return None
    dt = t - track.last_seen_s
    (x0, y0), (x1, y1) = _centre(track.box), _centre(box)
    size = (track.box.size + box.size) / 2
    here = math.hypot(x1 - x0, y1 - y0) / size
    if track.velocity is None:
        # A walker covers about 9 face widths a second (1.4 m/s, a face 0.15 m wide).
        return here if here <= 1.0 + 9.0 * dt else None
    # Where it was heading, give or take a change of pace; or where it was, if the person stopped.
    # (Not anywhere a walker could have gone: a person already embedded would then swallow the next
    # person to walk past, who would never be embedded.)
    ahead = math.hypot(x1 - x0 - track.velocity[0] * dt, y1 - y0 - track.velocity[1] * dt) / size
    gap = min(ahead, here)
    return gap if gap <= 1.0 + 3.0 * dt else None


class Tracker:
    """Each frame's faces join the nearest live track (nearest pairs first; one face per track and frame);
    a track follows its face's velocity, so a fast walker stays one track at 2 frames a second. A track
    not seen for ``max_gap_s`` ends."""

    def __init__(self, *, max_gap_s: float = 1.6, per_track: int, spacing_s: float = 1.0) -> None:
        self.active: list[Track] = []
        self.started = 0
        self.max_gap_s, self.per_track, self.spacing_s = max_gap_s, per_track, spacing_s

    def assign_all(self, boxes: list[engine.Box], t: float) -> list[Track]:
        """The track of each box, in the boxes' order."""
        self.active = [tr for tr in self.active if t - tr.last_seen_s <= self.max_gap_s]
        pairs = []
        for i, box in enumerate(boxes):
            for j, track in enumerate(self.active):
                if track.last_seen_s < t:
                    gap = _distance(track, box, t)
                    if gap is not None:
                        pairs.append((gap, i, j))
        chosen: dict[int, Track] = {}
        taken: set[int] = set()
        for _, i, j in sorted(pairs):
            if i not in chosen and j not in taken:
                chosen[i] = self.active[j]
                taken.add(j)
        close = [(i, j) for gap, i, j in pairs if gap <= 1.0 + 3.0 * (t - self.active[j].last_seen_s)]
        self._doubt([j for _, j in close], [i for i, _ in close])
        tracks = []
        for i, box in enumerate(boxes):
            track = chosen.get(i)
            if track is None:
                track = Track(box=box, last_seen_s=t)
                self.active.append(track)
                self.started += 1
            else:
                dt = t - track.last_seen_s
                (x0, y0), (x1, y1) = _centre(track.box), _centre(box)
                track.velocity = ((x1 - x0) / dt, (y1 - y0) / dt)
                track.box, track.last_seen_s = box, t
            tracks.append(track)
        return tracks

    def _doubt(self, tracks: list[int], boxes: list[int]) -> None:
        """Where a track could have taken either of two faces, or a face either of two tracks, people
        passed close by and the tracks may have swapped: each such track is embedded once more, so that
        nobody rides unsearched on the track of someone already searched."""
        doubtful = {j for j in tracks if tracks.count(j) > 1}
        doubtful |= {j for j, i in zip(tracks, boxes, strict=True) if boxes.count(i) > 1}
        for j in doubtful:
            track = self.active[j]
            if not (track.matched or track.embeds >= self.per_track):
                continue  # it will be embedded again anyway
            track.matched = False
            track.embeds = min(track.embeds, self.per_track - 1)

    def cut(self) -> None:
        """The scene changed (a cut, lights, a moved camera): every face from now on is someone new."""
        self.active = []

    def finished_at(self, t: float) -> list[tuple[engine.Box, float]]:
        """Where the faces of tracks that need no more embedding should be at ``t``, and by how many
        pixels that may be off (they still need following, so that their person is not taken for
        someone new)."""
        found = []
        for track in self.active:
            if (track.matched or track.embeds >= self.per_track) and t - track.last_seen_s <= self.max_gap_s:
                dx, dy = track.velocity or (0.0, 0.0)
                dt = t - track.last_seen_s
                box = track.box
                predicted = engine.Box(int(box.x + dx * dt), int(box.y + dy * dt), box.w, box.h)
                found.append((predicted, box.size * (0.3 + 0.8 * dt)))  # 0.7 faces half a second on
        return found

    def wants_embedding(self, track: Track, t: float) -> bool:
        if track.matched or track.embeds >= self.per_track:
            return False
        return track.last_embed_s is None or t - track.last_embed_s >= self.spacing_s


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


def crop_jpeg(image, box: engine.Box) -> bytes:
    """The face with a margin, at the frame's own pixels (nothing invented by upsampling): a match's crop."""
    from PIL import Image

    margin = int(box.size * 0.3)
    height, width = image.shape[:2]
    x1, y1 = max(0, box.x - margin), max(0, box.y - margin)
    x2, y2 = min(width, box.x + box.w + margin), min(height, box.y + box.h + margin)
    out = io.BytesIO()
    Image.fromarray(image[y1:y2, x1:x2]).save(out, format="JPEG", quality=90)
    return out.getvalue()


def _frame_faces(eng, frame, detections, tracker: Tracker, counts: dict, *, embed: bool):
    """Detections of one frame worth embedding: (detection, chip, track), after the size, track and
    blur checks."""
    counts["faces_detected"] += len(detections)
    sized = []
    for detection in detections:
        if detection.box.size < settings.RECOGNITION_MIN_FACE_PX:
            counts["faces_too_small"] += 1
        else:
            sized.append(detection)
    t = frame.time_s if frame.time_s is not None else 0.0
    tracks = tracker.assign_all([d.box for d in sized], t) if frame.time_s is not None else [None] * len(sized)
    chosen = []
    for detection, track in zip(sized, tracks, strict=True):
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
            chosen.append((detection, chip, track))
    return chosen


def _search(outcome: Outcome, frame, chosen, vectors, *, gallery_: gallery.Gallery, threshold: float) -> None:
    """Keep the best face per offender; a face that matches nobody is not kept at all."""
    for (detection, _, track), vector in zip(chosen, vectors, strict=True):
        for candidate in gallery_.search(vector, k=settings.RECOGNITION_CANDIDATES):
            if candidate.distance > threshold:
                break
            if track is not None:
                track.matched = True
            best = outcome.found.get(candidate.offender_id)
            if best is None or candidate.distance < best.candidate.distance:
                outcome.found[candidate.offender_id] = Found(
                    candidate, frame.time_s, detection.box, crop_jpeg(frame.image, detection.box)
                )


def match_frames(frames, *, gallery_: gallery.Gallery, threshold: float) -> Outcome:
    """Run detection, tracking, embedding and search over frames; keep the best face per offender.

    Detection runs on a pool of threads (``scan.Scanner``); tracking, embedding and search run here, in
    frame order, while the next frame is being searched."""
    eng = engine.get_engine()
    counts = dict.fromkeys(("faces_detected", "faces_too_small", "faces_blurred", "faces_embedded", "faces_usable"), 0)
    counts.update(frames_skipped_still=0, full_scans=0, regions_scanned=0)
    outcome = Outcome(counts=counts)
    tracker = Tracker(per_track=settings.RECOGNITION_EMBEDS_PER_TRACK)
    embed = len(gallery_) > 0  # nothing to match against: no face is embedded at all
    # The embedding child is forked before the scanner starts its threads.
    embed_chips = eng.embedder().embed if embed and settings.RECOGNITION_EMBED_IN_CHILD else eng.embed_chips
    with scan.Scanner(eng, frames) as scanner:
        current = scanner.next()
        while current is not None:
            frame, plan = current.frame, current.plan
            detections = current.detections()
            if plan.cut:
                tracker.cut()
            chosen = [] if plan.empty else _frame_faces(eng, frame, detections, tracker, counts, embed=embed)
            current = scanner.next(tracker.finished_at)  # searched while this frame's faces are embedded
            if plan.empty:
                counts["frames_skipped_still"] += 1
                continue
            counts["full_scans"] += plan.full
            counts["regions_scanned"] += len(plan.regions)
            vectors = embed_chips([chip for _, chip, _ in chosen])
            counts["faces_embedded"] += len(chosen)
            _search(outcome, frame, chosen, vectors, gallery_=gallery_, threshold=threshold)
            del vectors, chosen  # faces that matched nobody leave nothing behind
    counts["faces_tracked"] = tracker.started
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


def search_file(evidence, *, gallery_: gallery.Gallery, threshold: float) -> tuple[Outcome, video.SamplingStats]:
    """Search one evidence file's frames against a gallery (the first search, and every re-search)."""
    stats = video.SamplingStats()
    with local_path(evidence.file) as path:
        outcome = match_frames(video.frames(path, evidence.kind, stats), gallery_=gallery_, threshold=threshold)
    return outcome, stats


def _process(evidence, processing: EvidenceProcessing, started: float) -> EvidenceProcessing:
    eng = engine.get_engine()
    incident = evidence.incident
    force_id = incident.store.beat.force_id
    from recognition.services import threshold_for

    threshold = threshold_for(force_id=force_id)
    gallery_ = gallery.incident_gallery(force_id=force_id, at=incident.occurred_at, model_version=eng.model_version)
    outcome, stats = search_file(evidence, gallery_=gallery_, threshold=threshold)
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
