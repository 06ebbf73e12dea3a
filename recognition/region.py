"""An officer points at a face the automatic pass missed: one frame of an exhibit, a box drawn on
it, one search of the incident's gallery (DESIGN.md: "An officer may also point at a face...").

- ``frame_at(evidence, time_s)`` is the one way to get the picture the officer draws on: the page
  shows its JPEG and the search crops from the same array, so a box means the same pixels in both
  (a photo is ``engine.load_image``'s working image at the size the automatic pass uses for
  evidence; a video frame is at its full resolution).
- ``region_search(...)`` crops the drawn box with a margin, upsamples it so the face is well over
  the detector's smallest size, looks for a face inside it (the detection best covered by the
  box, else the box itself with its 5 landmarks), embeds it and searches the incident's gallery.
  A face within the force's threshold is stored and raises a case exactly as the automatic pass
  does (``processing.record_matches``, handed on to cases), marked ``PossibleMatch.Source.OFFICER``.
- Every search, match or not, is in the s.62 access log with the officer's justification. A search
  that matches nobody leaves nothing behind: no crop is made, the embedding is dropped, nothing is
  written to storage. Refused input (bad box, no justification, a time past the end) is not a
  search: it raises ApplicationError (400) before anything is looked at or written.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from django.conf import settings
from django.db import transaction
from PIL import Image

from core import justification as core_justification
from core.exceptions import ApplicationError
from core.files import local_path
from recognition import engine, gallery, matching, video
from recognition.errors import RecognitionErrorCode
from recognition.handoff import Handoff
from recognition.models import PossibleMatch
from recognition.processing import record_matches
from recognition.selectors import threshold_for
from recognition.services import face_engine

MIN_BOX_PX = 8  # smaller than this is a slip of the finger, not a face
REGION_MARGIN = 0.5  # of the box's longer side, each side: context the detector needs
TARGET_BOX_PX = 160  # the drawn box is upsampled to about this (a face inside it: ~100 px)
MAX_UPSAMPLE = 8.0
DETECT_SIDE = 400  # HOG runs on the region at this size, upsampled once (faces from ~20 px of it)
MIN_COVER = 0.5  # a detection counts when at least half of it lies inside the drawn box
SEQUENTIAL_FRAMES = 300  # up to here a frame is reached by grabbing; beyond, by seeking


@dataclass(frozen=True)
class MediaInfo:
    kind: str  # "image" or "video"
    width: int
    height: int
    duration_s: float | None  # None for a photo, or a video whose header does not say
    fps: float | None


@dataclass(frozen=True, eq=False)
class FrameImage:
    time_s: float | None  # the frame's own time (a video frame's index / fps); None for a photo
    image: np.ndarray = field(repr=False)  # RGB uint8

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True)
class CaseHit:
    case_id: int
    outcome: str  # "raised", "updated" (match added to an existing case) or "unchanged"


@dataclass(frozen=True)
class SearchResult:
    matched: bool
    frame_time_s: float | None
    box: engine.Box  # as drawn
    face_box: engine.Box  # the face searched, in frame pixels
    found_by: str  # "detector" or "drawn_box"
    gallery_size: int
    cases: list[CaseHit]
    access_id: int


# Frames -------------------------------------------------------------------------------------


def _bad_file(exc: engine.EngineError) -> ApplicationError:
    return ApplicationError(exc.message, code=exc.code, fields={"evidence": [exc.message]})


def _time_error(message: str) -> ApplicationError:
    return ApplicationError(message, code=RecognitionErrorCode.TIME_OUT_OF_RANGE, fields={"frame_time_s": [message]})


def _frame_count(capture) -> int | None:
    count = capture.get(cv2.CAP_PROP_FRAME_COUNT)
    return int(count) if count and math.isfinite(count) and count > 0 else None


def media_info(evidence) -> MediaInfo:
    """Size and length of an exhibit, in the coordinates ``frame_at`` serves. 400 if undecodable."""
    try:
        with local_path(evidence.file) as path:
            if evidence.kind != "video":
                image = video.load_evidence_image(path)
                return MediaInfo(kind="image", width=image.shape[1], height=image.shape[0], duration_s=None, fps=None)
            capture = video.open_video(path)
            try:
                fps, count = video.native_fps(capture), _frame_count(capture)
                width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
                height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
            finally:
                capture.release()
    except engine.EngineError as exc:
        raise _bad_file(exc) from exc
    duration = round(count / fps, 3) if count else None
    return MediaInfo(kind="video", width=width, height=height, duration_s=duration, fps=round(fps, 3))


def frame_at(evidence, time_s: float | None) -> FrameImage:
    """The frame of an exhibit at ``time_s`` seconds (a photo: its one frame; time 0 or none).

    400 ``time_out_of_range`` past the end of the video (or past RECOGNITION_MAX_VIDEO_SECONDS),
    400 ``corrupt_video`` / ``unreadable_image`` / ``image_too_large`` for a file that cannot be used."""
    if time_s is not None and (not math.isfinite(time_s) or time_s < 0):
        raise _time_error("The time must be a number of seconds from 0.")
    try:
        with local_path(evidence.file) as path:
            if evidence.kind != "video":
                if time_s:
                    raise _time_error("A photo has one frame: leave the time out, or give 0.")
                return FrameImage(time_s=None, image=video.load_evidence_image(path))
            return _video_frame(path, time_s or 0.0)
    except engine.EngineError as exc:
        raise _bad_file(exc) from exc


def _video_frame(path: str, time_s: float) -> FrameImage:
    limit = settings.RECOGNITION_MAX_VIDEO_SECONDS
    if time_s > limit:
        raise _time_error(f"Only the first {limit} s of a video are searched.")
    capture = video.open_video(path)
    try:
        fps, count = video.native_fps(capture), _frame_count(capture)
        index = int(math.floor(time_s * fps + 1e-6))
        if count is not None and index >= count:
            raise _time_error(f"The video lasts {count / fps:.1f} s: choose a time before its end.")
        if index > SEQUENTIAL_FRAMES:
            capture.set(cv2.CAP_PROP_POS_FRAMES, index)
        else:
            for _ in range(index):
                if not capture.grab():
                    raise _time_error("The video ends before that time: choose an earlier one.")
        ok, bgr = capture.read()
    finally:
        capture.release()
    if not ok or bgr is None or not bgr.size:
        raise _time_error("No frame can be decoded at that time: choose an earlier one.")
    return FrameImage(time_s=round(index / fps, 3), image=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def frame_jpeg(frame: FrameImage, *, quality: int = 90) -> bytes:
    out = io.BytesIO()
    Image.fromarray(frame.image).save(out, format="JPEG", quality=quality)
    return out.getvalue()


# Input checks -------------------------------------------------------------------------------


def clean_justification(justification: str) -> str:
    return core_justification.clean_justification(
        justification, why="are searching this face", code=RecognitionErrorCode.JUSTIFICATION_TOO_SHORT
    )


def clean_box(box, frame: FrameImage) -> engine.Box:
    """[x, y, w, h] in frame pixels, wholly inside the frame, at least MIN_BOX_PX each way."""

    def refuse(message: str) -> ApplicationError:
        return ApplicationError(message, code=RecognitionErrorCode.INVALID_BOX, fields={"box": [message]})

    try:
        x, y, w, h = (int(round(float(v))) for v in box)
    except (TypeError, ValueError, OverflowError):
        raise refuse("The box is four numbers: x, y, width, height (pixels).") from None
    if w < MIN_BOX_PX or h < MIN_BOX_PX:
        raise refuse(f"The box is too small: draw it at least {MIN_BOX_PX} pixels each way round the face.")
    if x < 0 or y < 0 or x + w > frame.width or y + h > frame.height:
        raise refuse(f"The box lies outside the frame ({frame.width}x{frame.height} pixels).")
    return engine.Box(x=x, y=y, w=w, h=h)


# The search ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Located:
    chip: np.ndarray = field(repr=False)
    face_box: engine.Box  # frame pixels
    found_by: str


def _region(image: np.ndarray, box: engine.Box) -> tuple[np.ndarray, int, int, float]:
    """The box with a margin, cut from the frame and upsampled: (region, left, top, scale)."""
    side = max(box.w, box.h)
    margin = int(round(side * REGION_MARGIN))
    height, width = image.shape[:2]
    x1, y1 = max(0, box.x - margin), max(0, box.y - margin)
    x2, y2 = min(width, box.x + box.w + margin), min(height, box.y + box.h + margin)
    scale = min(MAX_UPSAMPLE, max(1.0, TARGET_BOX_PX / side))
    region = image[y1:y2, x1:x2]
    if scale > 1.0:
        region = cv2.resize(region, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(region), x1, y1, scale


def _cover(detection: engine.Box, drawn: engine.Box) -> float:
    """The share of a detection's area that lies inside the drawn box."""
    x1, y1 = max(detection.x, drawn.x), max(detection.y, drawn.y)
    x2 = min(detection.x + detection.w, drawn.x + drawn.w)
    y2 = min(detection.y + detection.h, drawn.y + drawn.h)
    area = detection.w * detection.h
    return max(0, x2 - x1) * max(0, y2 - y1) / area if area else 0.0


def locate(eng: engine.Engine, image: np.ndarray, box: engine.Box) -> _Located:
    """The face in the drawn box: the detector's face best inside it, else the box as drawn."""
    region, left, top, scale = _region(image, box)
    drawn = engine.Box(
        x=int(round((box.x - left) * scale)),
        y=int(round((box.y - top) * scale)),
        w=int(round(box.w * scale)),
        h=int(round(box.h * scale)),
    )
    detections = [d for d in eng.detect(region, max_side=DETECT_SIDE, upsample=1) if _cover(d.box, drawn) >= MIN_COVER]
    best = max(detections, key=lambda d: d.box.iou(drawn), default=None)
    detection = best or eng.landmarks_in(region, drawn)
    chip = eng.chip(region, detection)
    found = detection.box
    height, width = image.shape[:2]
    x, y = max(0, int(left + found.x / scale)), max(0, int(top + found.y / scale))
    face_box = engine.Box(
        x=x,
        y=y,
        w=max(1, min(width, int(math.ceil(left + (found.x + found.w) / scale))) - x),
        h=max(1, min(height, int(math.ceil(top + (found.y + found.h) / scale))) - y),
    )
    return _Located(chip=chip, face_box=face_box, found_by="detector" if best else "drawn_box")


def _matches(eng, located: _Located, frame: FrameImage, gallery_, threshold: float) -> dict[int, matching.Found]:
    """Offenders within the threshold of the located face; the crop is made only for a match."""
    if not len(gallery_):
        return {}  # nothing to match against: nothing is embedded
    vector = eng.embed_chips([located.chip])[0]
    within = gallery_.search(vector, k=settings.RECOGNITION_CANDIDATES, max_distance=threshold)
    del vector  # a face that matched nobody leaves nothing behind
    if not within:
        return {}
    crop = matching.crop_jpeg(frame.image, located.face_box)
    return {c.offender_id: matching.Found(c, frame.time_s, located.face_box, crop) for c in within}


def region_search(
    *, evidence, user, frame_time_s: float | None, box, justification: str, handoff: Handoff
) -> SearchResult:
    """Search the face an officer boxed on a frame of an exhibit (see the module's docstring)."""
    justification = clean_justification(justification)
    frame = frame_at(evidence, frame_time_s)
    drawn = clean_box(box, frame)
    eng = face_engine(cannot="a face cannot be searched")
    incident = evidence.incident
    force_id = incident.store.beat.force_id
    threshold = threshold_for(force_id=force_id)
    gallery_ = gallery.incident_gallery(force_id=force_id, at=incident.occurred_at, model_version=eng.model_version)
    located = locate(eng, frame.image, drawn)
    found = _matches(eng, located, frame, gallery_, threshold)
    with transaction.atomic():
        hits = _record(evidence, found, threshold=threshold, eng=eng, handoff=handoff)
        access_id = _log(evidence, user, justification, frame, drawn, located, len(gallery_), hits, handoff)
    return SearchResult(
        matched=bool(found),
        frame_time_s=frame.time_s,
        box=drawn,
        face_box=located.face_box,
        found_by=located.found_by,
        gallery_size=len(gallery_),
        cases=hits,
        access_id=access_id,
    )


def result_message(result: SearchResult) -> str:
    """The search's outcome in words (the API's ``message`` and the page's)."""
    if not result.matched:
        return "No match: nothing was kept (no crop, no face template). The search is in the access log."
    parts = [f"case {hit.case_id} {hit.outcome}" for hit in result.cases]
    return "Possible match: " + ", ".join(parts) + ". A reviewer must confirm it before anyone acts."


def _record(evidence, found: dict[int, matching.Found], *, threshold: float, eng, handoff: Handoff) -> list[CaseHit]:
    """Store the matches and raise their cases, as the automatic pass does. A person already
    matched in this file keeps that match (and its case) as it is: the officer is told the case."""
    if not found:
        return []
    already = set(
        PossibleMatch.objects.filter(evidence=evidence, offender_id__in=found).values_list("offender_id", flat=True)
    )
    stored = record_matches(
        evidence,
        {oid: f for oid, f in found.items() if oid not in already},
        threshold=threshold,
        model_name=eng.model_name,
        model_version=eng.model_version,
        handoff=handoff,
        extra={"source": PossibleMatch.Source.OFFICER},
    )
    refs = {match.offender_id: ref for match, ref in stored}
    hits = []
    for offender_id in sorted(found, key=lambda oid: found[oid].candidate.distance):
        ref = refs.get(offender_id)
        if ref is None:
            case_id = handoff.case_id_for(incident_id=evidence.incident_id, offender_id=offender_id)
            if case_id is not None:  # the earlier match raised it; cases are never deleted
                hits.append(CaseHit(case_id=case_id, outcome="unchanged"))
        else:
            hits.append(CaseHit(case_id=ref.case_id, outcome="raised" if ref.raised else "updated"))
    return hits


def _log(evidence, user, justification, frame, drawn, located, gallery_size: int, hits: list[CaseHit], handoff) -> int:
    at = "photo" if frame.time_s is None else f"{frame.time_s:.2f} s"
    result = (
        "possible match: " + ", ".join(f"case {h.case_id} {h.outcome}" for h in hits)
        if hits
        else "no match, nothing kept"
    )
    b, f = drawn, located.face_box
    detail = (
        f"officer-selected face, evidence {evidence.pk} at {at}, box [{b.x},{b.y},{b.w},{b.h}], "
        f"face [{f.x},{f.y},{f.w},{f.h}] by {located.found_by.replace('_', ' ')}, "
        f"{gallery_size} template(s): {result}"
    )
    return handoff.evidence_accessed(
        evidence=evidence,
        user=user,
        kind="search",
        justification=justification,
        detail=detail,
        case_id=hits[0].case_id if hits else None,
    )


def frame_view_log(*, evidence, user, frame: FrameImage, handoff: Handoff) -> int:
    """s.62: an officer looked at a frame of an exhibit to choose a face to search."""
    at = "photo" if frame.time_s is None else f"{frame.time_s:.2f} s"
    return handoff.evidence_accessed(
        evidence=evidence,
        user=user,
        kind="view_evidence",
        justification=f"Choosing a face to search in the CCTV of incident {evidence.incident.reference}",
        detail=f"frame of evidence {evidence.pk} ({evidence.original_name[:80]}) at {at}",
    )
