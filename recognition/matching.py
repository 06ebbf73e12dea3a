"""Face matching, pure: frames in, an ``Outcome`` out (the best face per offender and the counts).

Detection (``scan``), tracking, embedding and the gallery search, with no database and no storage:
``recognition.processing`` claims a file, gives its frames to ``match_frames`` and stores what comes
out; the benchmarks call ``match_frames`` directly.

Privacy (DESIGN.md): a face that matches nobody is dropped as soon as it has been searched: nothing
of it is returned, so nothing of it can be written.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

from django.conf import settings
from PIL import Image

from recognition import engine, gallery, scan

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
            found = chosen.get(i)
            if found is None:
                track = Track(box=box, last_seen_s=t)
                self.active.append(track)
                self.started += 1
            else:
                track = found
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
        for candidate in gallery_.search(vector, k=settings.RECOGNITION_CANDIDATES, max_distance=threshold):
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
