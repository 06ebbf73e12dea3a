"""Where to look for faces in each frame, and looking there on both cores.

Shop cameras are fixed and a 1080p shop floor shows faces of 30-80 px, which HOG (an 80 px window)
finds only in an enlarged picture, and enlarging a whole 1080p frame 2x costs about 0.7 s. So:

- **People first, faces second.** A background model of a small grey copy of each sampled frame
  (OpenCV's MOG2, about 2 ms) says what moved; each moving blob's upper part (head and shoulders) is
  cut from the full-resolution frame and enlarged 2x (``RECOGNITION_SMALL_FACE_SCALE``) for HOG. A busy
  frame costs a few small regions instead of a 2x frame.
- **Full scans** of the whole frame at that scale catch the people who do not move: on the first frame
  (no background yet), after a scene change (most of the picture changed: lights, a cut, a slideshow),
  and every ``RECOGNITION_FULL_SCAN_EVERY_S`` seconds. A photo is one full scan.
- A frame where nothing moved is not searched (``frames_skipped_still``).
- **Both cores.** Decoding and the background model run in one thread, HOG in a pool of
  ``RECOGNITION_DETECT_THREADS`` (dlib and OpenCV release the GIL while they work); the caller gets the
  frames back in order, with their faces, and tracks and embeds them in its own thread. At most a few
  frames are in flight, so memory does not grow with the length of a video.
"""

from __future__ import annotations

import math
import queue
import threading
from collections import deque
from collections.abc import Generator, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from recognition import engine

MOTION_WIDTH = 384  # px: the background model's copy of the frame (1080p / 5)
MOTION_MIN_AREA = 24  # px of that copy: smaller blobs are noise (a 24 px face's person is ~100)
SCENE_CHANGE_SHARE = 0.35  # more of the picture changed than this: look at all of it


@dataclass(frozen=True)
class Plan:
    """Regions of one frame to search, each with the scale HOG sees it at."""

    regions: tuple[tuple[engine.Box, float], ...]
    full: bool = False
    cut: bool = False  # most of the picture changed: whoever was there before may not be now

    @property
    def empty(self) -> bool:
        return not self.regions


def _scale_for(box: engine.Box, *, max_pixels: int) -> float:
    """The small-face scale, lowered for a region so large that it would pass ``max_pixels`` (a large
    region is a person close to the camera, whose face is large too)."""
    scale = settings.RECOGNITION_SMALL_FACE_SCALE
    area = max(box.w * box.h, 1)
    return min(scale, math.sqrt(max_pixels / area))


def full_plan(width: int, height: int, *, max_pixels: int, cut: bool = False) -> Plan:
    box = engine.Box(0, 0, width, height)
    return Plan(regions=((box, _scale_for(box, max_pixels=max_pixels)),), full=True, cut=cut)


class MotionRegions:
    """Boxes round what moved, from a MOG2 background model of a small grey copy of each frame."""

    def __init__(self) -> None:
        import cv2

        self._cv2 = cv2
        # 40 samples of history: at 2 frames/s a person who stops melts into the background in ~20 s.
        self._model = cv2.createBackgroundSubtractorMOG2(history=40, varThreshold=25, detectShadows=False)
        self._open = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
        self._join = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
        self.primed = False

    def changed(self, image: np.ndarray) -> tuple[list[tuple[engine.Box, float]], float]:
        """Head regions (full-resolution pixels) of each moving blob with the scale to search them at,
        and the share of the picture that changed."""
        cv2 = self._cv2
        height, width = image.shape[:2]
        factor = MOTION_WIDTH / width
        small = cv2.resize(image, (MOTION_WIDTH, max(1, round(height * factor))), interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        mask = self._model.apply(grey, learningRate=1.0 if not self.primed else -1)
        if not self.primed:
            self.primed = True
            return [], 1.0
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, self._open)
        share = float(np.count_nonzero(mask)) / mask.size
        mask = cv2.dilate(mask, self._join)  # a head and its body are one blob
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        regions = []
        for x, y, w, h, area in stats[1:count]:
            if area >= MOTION_MIN_AREA:
                box = _head_region(x / factor, y / factor, w / factor, h / factor, width, height)
                regions.append((box, _person_scale(h / factor)))
        return _merge(regions), share


def _face_scale(face_px: float) -> float:
    """How much to enlarge a region whose faces are about ``face_px`` for HOG to see them (80 px), from
    1 (no enlarging) to the small-face scale."""
    return max(1.0, min(settings.RECOGNITION_SMALL_FACE_SCALE, 80.0 / max(face_px, 1.0)))


def _person_scale(blob_height: float) -> float:
    """The scale for a moving person's head region: a standing person is 8 to 9 face boxes tall, so the
    face is taken as a tenth of the blob. Conservative for people cut off by the frame or a shelf
    (shorter blob, more enlarging)."""
    return _face_scale(blob_height / 10)


def _head_region(x: float, y: float, w: float, h: float, width: int, height: int) -> engine.Box:
    """The upper part of a moving blob, where a standing person's face is: as tall as the blob is wide
    (a person is about three faces wide at the shoulders, so that is head, neck and shoulders; more for
    a group), with a margin all round for a head that moved less than the body."""
    pad = max(12.0, 0.1 * w)
    x1, y1 = max(0, int(x - pad)), max(0, int(y - pad))
    x2, y2 = min(width, int(x + w + pad)), min(height, int(y + min(h, w) + pad))
    return engine.Box(x1, y1, x2 - x1, y2 - y1)


def _overlap(a: engine.Box, b: engine.Box) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def _merge(regions: list[tuple[engine.Box, float]]) -> list[tuple[engine.Box, float]]:
    """Overlapping regions become one (at the larger scale), so no pixel is searched twice."""
    regions = sorted(regions, key=lambda r: (r[0].x, r[0].y))
    changed = True
    while changed:
        changed = False
        merged: list[tuple[engine.Box, float]] = []
        for box, scale in regions:
            for i, (other, other_scale) in enumerate(merged):
                if _overlap(box, other):
                    x1, y1 = min(box.x, other.x), min(box.y, other.y)
                    x2, y2 = max(box.x + box.w, other.x + other.w), max(box.y + box.h, other.y + other.h)
                    merged[i] = (engine.Box(x1, y1, x2 - x1, y2 - y1), max(scale, other_scale))
                    changed = True
                    break
            else:
                merged.append((box, scale))
        regions = merged
    return regions


def _focus(region: engine.Box, faces: list[tuple[engine.Box, float]]) -> list[tuple[engine.Box, float]] | None:
    """Small windows round faces already dealt with (each a predicted box and how far off it may be),
    instead of a whole region of one person: None when the region may hold someone else (it is wider
    than one person round those faces)."""
    inside = [(f, pad) for f, pad in faces if _overlap(region, f)]
    if not inside or region.w > 4.5 * max(f.size for f, _ in inside) * len(inside):
        return None
    windows = []
    for face, pad in inside:
        x1, y1 = max(region.x, int(face.x - pad)), max(region.y, int(face.y - pad))
        x2 = min(region.x + region.w, int(face.x + face.w + pad))
        y2 = min(region.y + region.h, int(face.y + face.h + pad))
        if x2 > x1 and y2 > y1:
            windows.append((engine.Box(x1, y1, x2 - x1, y2 - y1), _face_scale(face.size)))
    return windows


class Planner:
    """Decides, frame by frame and in order, which regions to search."""

    def __init__(self) -> None:
        self.last_full_s: float | None = None

    def plan(self, frame, moved, done: list[tuple[engine.Box, float]]) -> Plan:
        """``moved``: the motion regions and changed share (None for a photo); ``done``: where the faces
        of people already embedded should be now, give or take a margin: only a small window round each
        is searched, to keep following them (a new face beside them still gets its whole region)."""
        height, width = frame.image.shape[:2]
        if moved is None:  # a photo: all of it
            return full_plan(width, height, max_pixels=settings.RECOGNITION_STILL_SCAN_MAX_PIXELS)
        moving, share = moved
        due = self.last_full_s is None or frame.time_s - self.last_full_s >= settings.RECOGNITION_FULL_SCAN_EVERY_S
        if due or share > SCENE_CHANGE_SHARE:
            self.last_full_s = frame.time_s
            cut = share > SCENE_CHANGE_SHARE
            return full_plan(width, height, max_pixels=settings.RECOGNITION_FRAME_SCAN_MAX_PIXELS, cut=cut)
        budget = settings.RECOGNITION_REGION_SCAN_MAX_PIXELS
        regions = []
        for box, scale in moving:
            windows = _focus(box, done)
            for part, part_scale in [(box, scale)] if windows is None else windows:
                regions.append((part, min(part_scale, _scale_for(part, max_pixels=budget))))
        return Plan(regions=tuple(regions))


def _parts(plan: Plan, n: int) -> list[list[tuple[engine.Box, float]]]:
    """The plan's regions shared among ``n`` threads by HOG's work (scaled area); a full scan is cut
    into overlapping horizontal bands, the overlap taller than any face it could miss."""
    regions = list(plan.regions)
    if plan.full and n > 1:
        ((box, scale),) = regions
        band, overlap = box.h // n, box.h // (2 * n)
        regions = []
        for i in range(n):
            y1, y2 = max(0, i * band - overlap), min(box.h, (i + 1) * band + overlap)
            regions.append((engine.Box(box.x, box.y + y1, box.w, y2 - y1), scale))
    parts: list[list] = [[] for _ in range(n)]
    loads = [0.0] * n
    for box, scale in sorted(regions, key=lambda r: -r[0].w * r[0].h * r[1] ** 2):
        i = loads.index(min(loads))
        parts[i].append((box, scale))
        loads[i] += box.w * box.h * scale**2
    return [p for p in parts if p]


def _detect_part(eng, image: np.ndarray, part) -> list[engine.Detection]:
    found: list[engine.Detection] = []
    for box, scale in part:
        found.extend(eng.detect_region(image, box, scale=scale))
    return found


def _suppress(found: list[engine.Detection]) -> list[engine.Detection]:
    """Where regions or bands overlap, one face found twice is kept once (the stronger box)."""
    kept: list[engine.Detection] = []
    for detection in sorted(found, key=lambda d: -d.score):
        if all(detection.box.iou(other.box) < 0.3 for other in kept):
            kept.append(detection)
    return kept


# Both cores ---------------------------------------------------------------------------------


class _Raised:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_END = object()


def _prefetched(items: Iterable, *, depth: int) -> Generator:
    """Run an iterator in its own thread, ``depth`` items ahead; its exceptions reach the caller."""
    out: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def pump() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                if not put(item):
                    break
            else:
                put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who decides
            put(_Raised(exc))
        finally:
            close = getattr(iterator, "close", None)
            if close:
                close()  # releases the video file in this thread

    thread = threading.Thread(target=pump, name="recognition-decode", daemon=True)
    thread.start()
    try:
        while True:
            item = out.get()
            if item is _END:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join(timeout=10)


@dataclass
class Scan:
    """One frame being searched: its plan, and the detection work in flight."""

    frame: object
    plan: Plan
    jobs: list

    def detections(self) -> list[engine.Detection]:
        found: list[engine.Detection] = []
        for job in self.jobs:
            found.extend(job.result())
        return _suppress(found)


class Scanner:
    """Frames decoded (and their motion found) a few ahead in one thread; the regions of the next
    ``RECOGNITION_DETECT_LOOKAHEAD`` frames searched by a pool of threads, while the caller tracks and
    embeds the faces of the frame before.

    The caller asks for the next frame once it has tracked the current one, passing where the faces it
    has finished with should be at a given time, so that their people cost a small window each, not a
    whole region."""

    def __init__(self, eng, frames: Iterable) -> None:
        self.eng = eng
        self.threads = max(1, settings.RECOGNITION_DETECT_THREADS)
        self.lookahead = max(1, settings.RECOGNITION_DETECT_LOOKAHEAD)
        self.planner = Planner()
        motion = MotionRegions()

        def with_motion():
            for frame in frames:
                yield frame, (None if frame.time_s is None else motion.changed(frame.image))

        self._frames = _prefetched(with_motion(), depth=self.threads + 2)
        self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="recognition-detect")
        self._inflight: deque[Scan] = deque()
        self._ended = False

    def _submit(self, done) -> None:
        item = next(self._frames, None)
        if item is None:
            self._ended = True
            return
        frame, moved = item
        plan = self.planner.plan(frame, moved, done(frame.time_s) if frame.time_s is not None else [])
        jobs = [self._pool.submit(_detect_part, self.eng, frame.image, part) for part in _parts(plan, self.threads)]
        self._inflight.append(Scan(frame=frame, plan=plan, jobs=jobs))

    def next(self, done=lambda t: []) -> Scan | None:
        """The next frame, its search under way; None at the end. ``done(t)``: (box, margin) of the
        finished faces at time t."""
        while not self._ended and len(self._inflight) < self.lookahead + 1:
            self._submit(done)
        return self._inflight.popleft() if self._inflight else None

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._frames.close()

    def __enter__(self) -> Scanner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
