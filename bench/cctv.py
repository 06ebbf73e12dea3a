"""Synthetic shop CCTV for the benchmarks: one scene description, rendered at any resolution and face size.

A fixed camera looks at a shop: a textured background (wall, shelves of goods, floor), mild sensor
noise and lighting flicker. People walk in and out: each is a head-and-shoulders crop of a dataset
photograph (an elliptical head, feathered) on a simple body (neck, torso and legs in clothing colours,
about 3 face-widths wide and 6-7 face-heights tall, cut off by the frame's bottom edge when near the
camera). They cross in various directions at walking speed (1-1.5 m/s, converted to pixels with the
face size: a face is about 16 cm wide, so 40 px faces are 250 px/m, the EN 62676-4 identification
density), some pause, several are on screen at once, some are slightly out of focus or motion-blurred.
The clip is written with OpenCV's MPEG-4 Part 2 encoder (``mp4v``); H.264 (``avc1``) is used instead
when this OpenCV build can encode it (the PyPI wheels usually cannot).

The scene knows where every face is at every instant (``Scene.face_box``), so a benchmark can tell
which walker a match came from. The photo crop is scaled so that the face box dlib HOG reports on the
source photo becomes ``face_px`` wide: pass ``boxes`` measured with the engine (``measure_faces``).

Copied and extended from bench/synthetic.py (the simpler clips the tests use).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FACE_WIDTH_M = 0.16  # a face box is about 16 cm wide: 40 px -> 250 px/m
EXPOSURE_S = 0.01  # shutter time for motion blur (indoor CCTV: 1/100 s)


@dataclass(frozen=True)
class Walker:
    """One person crossing the scene. Positions are fractions of the frame; speeds are in m/s."""

    photo: str  # file name in the faces dataset
    label: int | None  # offender id when enrolled, None for a distractor
    enter_s: float  # when the walker starts (just outside the frame)
    from_left: bool  # walks left to right when True
    lane: float  # head top, fraction of the frame height, at entry
    drift: float  # vertical movement per horizontal unit (tan of the direction)
    speed_mps: float
    pause_at: float | None = None  # fraction of the frame width where the walker stops, if any
    pause_s: float = 0.0
    blur: str = ""  # "", "gauss" (slightly out of focus) or "motion"
    scale: float = 1.0  # this walker's face size relative to the clip's face size
    shirt: tuple[int, int, int] = (90, 60, 40)  # BGR
    trousers: tuple[int, int, int] = (50, 40, 35)  # BGR


@dataclass
class Scene:
    walkers: list[Walker]
    seconds: float
    seed: int = 0
    people_from_s: float = 0.0

    # geometry ---------------------------------------------------------------------------

    @staticmethod
    def px_per_m(face_px: int) -> float:
        return face_px / FACE_WIDTH_M

    @staticmethod
    def sprite_size(face_px: int) -> tuple[int, int]:
        """(width, height) of a person's sprite: 3.2 face widths by 7 face heights."""
        return int(round(3.2 * face_px)), int(round(7.0 * face_px))

    @staticmethod
    def face_of(w: Walker, face_px: int) -> int:
        return int(round(face_px * w.scale))

    def position(self, w: Walker, t: float, size: tuple[int, int], face_px: int) -> tuple[float, float] | None:
        """Top-left of the walker's sprite at time ``t``; None when not yet in or already gone."""
        width, height = size
        face_px = self.face_of(w, face_px)
        sw, sh = self.sprite_size(face_px)
        if t < w.enter_s:
            return None
        speed = w.speed_mps * self.px_per_m(face_px)
        travelled = speed * (t - w.enter_s)
        if w.pause_at is not None:
            pause_dist = w.pause_at * width + sw  # from the entry point (one sprite outside the frame)
            if travelled > pause_dist:
                travelled = max(pause_dist, travelled - speed * w.pause_s)
        if travelled > width + 2 * sw:
            return None
        x = -sw + travelled if w.from_left else width - travelled
        y = min(max(w.lane * height + w.drift * travelled, 0.0), height - 1.9 * face_px)  # the face stays in
        y += 0.04 * face_px * math.sin(2 * math.pi * 1.8 * (t - w.enter_s))  # walking bob (steps)
        return x, y

    def face_box(self, w: Walker, t: float, size: tuple[int, int], face_px: int) -> tuple[int, int, int, int] | None:
        """Where the walker's face box ([x, y, w, h]) is at time ``t``, if the face is inside the frame."""
        pos = self.position(w, t, size, face_px)
        if pos is None:
            return None
        face_px = self.face_of(w, face_px)
        sw, _ = self.sprite_size(face_px)
        head_top = 0.55 * face_px  # the face box starts this far below the sprite's top (see _head)
        x = int(pos[0] + sw / 2 - face_px / 2)
        y = int(pos[1] + head_top)
        if x + face_px <= 0 or y + face_px <= 0 or x >= size[0] or y >= size[1]:
            return None
        return (x, y, face_px, face_px)

    def end_s(self, size: tuple[int, int], face_px: int, *, step: float = 0.5) -> float:
        """When the last walker has left the frame (at most ``self.seconds`` after the last entry)."""
        t = max(w.enter_s for w in self.walkers) if self.walkers else 0.0
        limit = t + self.seconds
        while t < limit and any(self.position(w, t, size, face_px) is not None for w in self.walkers):
            t += step
        return round(t, 1)

    def moving(self, w: Walker, t: float, size: tuple[int, int], face_px: int) -> bool:
        a, b = self.position(w, t, size, face_px), self.position(w, t + 0.04, size, face_px)
        return a is not None and b is not None and abs(a[0] - b[0]) > 0.5


# background ---------------------------------------------------------------------------------


def background(size: tuple[int, int], seed: int = 7) -> np.ndarray:
    """A shop seen by a fixed camera (BGR): wall, four shelves of goods, a floor, textured; drawn at
    1920x1080 and resized so that every resolution shows the same scene."""
    import cv2

    rng = np.random.default_rng(seed)
    W, H = 1920, 1080
    img = np.zeros((H, W, 3), np.float32)
    wall = np.linspace(150, 185, H, dtype=np.float32)[:, None, None] * np.array([1.0, 1.02, 1.05], np.float32)
    img[:] = wall
    floor_y = int(H * 0.72)
    img[floor_y:] = np.array([95, 105, 115], np.float32)
    for x in range(0, W, 120):  # floor tiles
        cv2.line(img, (x, floor_y), (int(W / 2 + (x - W / 2) * 1.8), H), (80, 90, 100), 2)
    for y in (floor_y + 40, floor_y + 110, floor_y + 200):
        cv2.line(img, (0, y), (W, y), (80, 90, 100), 2)
    for unit in range(6):  # shelving units along the back wall
        x0 = 40 + unit * 320
        cv2.rectangle(img, (x0, 120), (x0 + 280, floor_y), (70, 80, 95), -1)
        for shelf in range(5):
            top = 170 + shelf * 105
            cv2.rectangle(img, (x0, top + 80), (x0 + 280, top + 92), (120, 125, 135), -1)
            x = x0 + 6
            while x < x0 + 270:  # goods: boxes and bottles of random colours and sizes
                w = int(rng.integers(12, 40))
                h = int(rng.integers(30, 78))
                colour = tuple(int(c) for c in rng.integers(30, 240, 3))
                cv2.rectangle(img, (x, top + 80 - h), (min(x + w, x0 + 274), top + 80), colour, -1)
                if rng.random() < 0.5:  # a label
                    cv2.rectangle(
                        img, (x + 2, top + 80 - h // 2), (min(x + w - 2, x0 + 272), top + 70), (230, 230, 230), -1
                    )
                x += w + int(rng.integers(2, 6))
    cv2.rectangle(img, (0, 0), (W, 60), (200, 200, 205), -1)  # ceiling light strip
    img += rng.normal(0, 4, (H, W, 1)).astype(np.float32)  # texture
    img = cv2.GaussianBlur(img, (3, 3), 0.8)
    img = np.clip(img, 0, 255).astype(np.uint8)
    if size != (W, H):
        img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    return img


class _Noise:
    """Precomputed sensor noise frames (signed noise split into an added and a subtracted part)."""

    def __init__(self, size: tuple[int, int], seed: int, count: int = 6, sigma: float = 2.5) -> None:
        rng = np.random.default_rng(seed)
        self.frames = []
        for _ in range(count):
            n = rng.normal(0, sigma, (size[1], size[0], 1)).astype(np.float32)
            n = np.repeat(n, 3, axis=2)
            self.frames.append((np.clip(n, 0, 255).astype(np.uint8), np.clip(-n, 0, 255).astype(np.uint8)))

    def apply(self, frame: np.ndarray, index: int) -> None:
        import cv2

        plus, minus = self.frames[index % len(self.frames)]
        cv2.add(frame, plus, dst=frame)
        cv2.subtract(frame, minus, dst=frame)


# people -------------------------------------------------------------------------------------


def measure_faces(names: list[str], faces_dir: Path) -> dict[str, tuple[int, int, int, int]]:
    """The dlib HOG face box of each photo, as the engine reports it (needs Django set up)."""
    from recognition import engine

    eng = engine.get_engine()
    boxes = {}
    for name in names:
        detections = eng.detect_image(engine.load_image(faces_dir / name))
        box = max(detections, key=lambda d: d.box.w).box
        boxes[name] = (box.x, box.y, box.w, box.h)
    return boxes


def _head(photo_rgb: np.ndarray, box: tuple[int, int, int, int], face_px: int) -> tuple[np.ndarray, np.ndarray]:
    """The head (BGR) and its feathered elliptical alpha, scaled so the face box is ``face_px`` wide.
    The face box's top-left lands at (1.1, 0.55) face widths from the crop's top-left."""
    import cv2

    x, y, w, h = box
    scale = face_px / w
    # source crop: 3.2 face widths by 2 face heights around the face box (hair, ears, chin, neck)
    cx1, cy1 = x - 1.1 * w, y - 0.55 * h
    cx2, cy2 = x + 2.1 * w, y + 1.45 * h
    src = cv2.cvtColor(photo_rgb, cv2.COLOR_RGB2BGR)
    pad = int(2 * max(w, h))
    src = cv2.copyMakeBorder(src, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    crop = src[int(cy1) + pad : int(cy2) + pad, int(cx1) + pad : int(cx2) + pad]
    out_w, out_h = int(round(3.2 * face_px)), int(round(2.0 * face_px))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    head = cv2.resize(crop, (out_w, out_h), interpolation=interp)
    alpha = np.zeros((out_h, out_w), np.uint8)
    centre = (int(out_w / 2), int(0.55 * face_px + 0.42 * face_px))
    axes = (int(0.82 * face_px), int(0.98 * face_px))
    cv2.ellipse(alpha, centre, axes, 0, 0, 360, 255, -1)
    k = max(3, int(face_px * 0.12) | 1)
    alpha = cv2.GaussianBlur(alpha, (k, k), 0)
    return head, alpha


def person_sprite(photo_rgb: np.ndarray, box, face_px: int, walker: Walker) -> tuple[np.ndarray, np.ndarray]:
    """A whole person (BGR sprite and alpha): head from the photo over a neck, torso and legs."""
    import cv2

    sw, sh = Scene.sprite_size(face_px)
    sprite = np.zeros((sh, sw, 3), np.uint8)
    alpha = np.zeros((sh, sw), np.uint8)
    f = face_px
    head, head_alpha = _head(photo_rgb, box, f)
    cx = sw // 2
    skin = tuple(
        int(c) for c in np.median(head[int(0.9 * f) : int(1.3 * f), cx - f // 4 : cx + f // 4].reshape(-1, 3), 0)
    )
    neck_top, shoulders = int(1.3 * f), int(1.75 * f)
    cv2.rectangle(sprite, (cx - int(0.28 * f), neck_top), (cx + int(0.28 * f), shoulders + f // 4), skin, -1)
    cv2.rectangle(alpha, (cx - int(0.28 * f), neck_top), (cx + int(0.28 * f), shoulders + f // 4), 255, -1)
    torso_bottom = int(4.2 * f)
    for canvas, colour in ((sprite, walker.shirt), (alpha, 255)):
        cv2.ellipse(canvas, (cx, shoulders + int(0.35 * f)), (int(1.5 * f), int(0.45 * f)), 0, 180, 360, colour, -1)
        cv2.rectangle(
            canvas, (cx - int(1.5 * f), shoulders + int(0.35 * f)), (cx + int(1.4 * f), torso_bottom), colour, -1
        )
    for side in (-1, 1):  # legs
        x0 = cx + (int(0.1 * f) if side > 0 else -int(1.0 * f))
        cv2.rectangle(sprite, (x0, torso_bottom), (x0 + int(0.9 * f), sh - 1), walker.trousers, -1)
        cv2.rectangle(alpha, (x0, torso_bottom), (x0 + int(0.9 * f), sh - 1), 255, -1)
    # shading on the clothes, so the body is not one flat colour
    shade = np.linspace(1.1, 0.8, sw, dtype=np.float32)[None, :, None]
    sprite = np.clip(sprite.astype(np.float32) * shade, 0, 255).astype(np.uint8)
    # the head goes on top
    hh, hw = head.shape[:2]
    a = head_alpha.astype(np.float32)[:, :, None] / 255
    region = sprite[:hh, :hw].astype(np.float32)
    sprite[:hh, :hw] = (head.astype(np.float32) * a + region * (1 - a)).astype(np.uint8)
    alpha[:hh, :hw] = np.maximum(alpha[:hh, :hw], head_alpha)
    if walker.blur == "gauss":
        sprite = cv2.GaussianBlur(sprite, (0, 0), 0.9)
    return sprite, alpha


def _motion_blur(sprite: np.ndarray, length: int) -> np.ndarray:
    import cv2

    if length < 2:
        return sprite
    kernel = np.full((1, length), 1.0 / length, np.float32)
    return cv2.filter2D(sprite, -1, kernel)


def _paste(frame: np.ndarray, sprite: np.ndarray, alpha: np.ndarray, x: int, y: int) -> None:
    height, width = frame.shape[:2]
    sh, sw = sprite.shape[:2]
    x1, y1, x2, y2 = max(0, x), max(0, y), min(width, x + sw), min(height, y + sh)
    if x1 >= x2 or y1 >= y2:
        return
    s = sprite[y1 - y : y2 - y, x1 - x : x2 - x].astype(np.uint16)
    a = alpha[y1 - y : y2 - y, x1 - x : x2 - x].astype(np.uint16)[:, :, None]
    roi = frame[y1:y2, x1:x2]
    roi[:] = ((s * a + roi.astype(np.uint16) * (255 - a)) // 255).astype(np.uint8)


# rendering ----------------------------------------------------------------------------------


@dataclass
class Rendered:
    path: Path
    seconds: float
    fps: int
    size: tuple[int, int]
    face_px: int
    codec: str
    render_s: float = 0.0
    walkers_in_view: dict = field(default_factory=dict)  # photo index -> seconds with the face inside


def _writer(path: Path, fps: int, size: tuple[int, int]):
    import cv2

    for codec in ("avc1", "mp4v"):
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), fps, size)
        if writer.isOpened():
            return writer, codec
        writer.release()
    raise RuntimeError("OpenCV cannot write MPEG-4 here")


def render(
    scene: Scene,
    path: Path,
    *,
    size: tuple[int, int],
    face_px: int,
    photos: dict[str, np.ndarray],
    boxes: dict[str, tuple[int, int, int, int]],
    fps: int = 25,
    seconds: float | None = None,
    repeat_s: float | None = None,
) -> Rendered:
    """Write the scene at ``size`` with faces ``face_px`` wide. ``repeat_s``: the people's timeline
    repeats with this period (a long clip made quickly: the same people keep coming back)."""
    import time

    import cv2

    started = time.perf_counter()
    seconds = scene.seconds if seconds is None else seconds
    bg = background(size, seed=scene.seed + 7)
    noise = _Noise(size, seed=scene.seed + 11)
    sprites = {}
    for i, w in enumerate(scene.walkers):
        own_px = scene.face_of(w, face_px)
        sprite, alpha = person_sprite(photos[w.photo], boxes[w.photo], own_px, w)
        blurred = sprite
        if w.blur == "motion":
            blurred = _motion_blur(sprite, int(round(w.speed_mps * scene.px_per_m(own_px) * EXPOSURE_S)))
        sprites[i] = (sprite, blurred, alpha)
    writer, codec = _writer(path, fps, size)
    frame = np.empty_like(bg)
    in_view = dict.fromkeys(range(len(scene.walkers)), 0.0)
    try:
        for index in range(int(round(seconds * fps))):
            t = index / fps
            tp = t % repeat_s if repeat_s else t
            np.copyto(frame, bg)
            flicker = 3.0 * math.sin(2 * math.pi * 0.7 * t) + 1.5 * math.sin(2 * math.pi * 5.3 * t)
            if flicker >= 0:
                cv2.add(frame, (flicker, flicker, flicker, 0), dst=frame)
            else:
                cv2.subtract(frame, (-flicker, -flicker, -flicker, 0), dst=frame)
            visible = []
            for i, w in enumerate(scene.walkers):
                pos = scene.position(w, tp, size, face_px)
                if pos is not None:
                    visible.append((pos[1], i, pos))
                    if scene.face_box(w, tp, size, face_px) is not None:
                        in_view[i] += 1 / fps
            for _, i, pos in sorted(visible):  # farther (higher in the frame) first
                sharp, blurred, alpha = sprites[i]
                sprite = blurred if scene.moving(scene.walkers[i], tp, size, face_px) else sharp
                _paste(frame, sprite, alpha, int(pos[0]), int(pos[1]))
            noise.apply(frame, index)
            writer.write(frame)
    finally:
        writer.release()
    return Rendered(
        path=path,
        seconds=seconds,
        fps=fps,
        size=size,
        face_px=face_px,
        codec=codec,
        render_s=round(time.perf_counter() - started, 2),
        walkers_in_view={i: round(s, 1) for i, s in in_view.items()},
    )


# scenes -------------------------------------------------------------------------------------

SHIRTS = [(40, 40, 160), (150, 60, 30), (60, 120, 60), (30, 30, 30), (180, 180, 180), (40, 110, 200), (120, 40, 110)]
TROUSERS = [(60, 40, 30), (30, 30, 30), (90, 90, 90), (120, 70, 40)]


def crossing_scene(
    people: list[tuple[str, int | None]],
    *,
    every_s: float,
    seed: int = 0,
    start_s: float = 1.0,
    tail_s: float = 2.0,
    seconds: float | None = None,
    scales: tuple[float, float] = (1.0, 1.0),
) -> Scene:
    """People (photo, offender id or None) entering one after another every ``every_s`` seconds
    (jittered), from alternating sides, at 1-1.5 m/s, in lanes so that faces rarely overlap; one in
    three pauses for 1.5-3 s, one in three is slightly out of focus, one in three is motion-blurred.
    ``scales``: the range of each walker's face size relative to the clip's (nearer and farther people)."""
    rng = np.random.default_rng(seed)
    walkers = []
    lanes = [0.10, 0.38, 0.22, 0.50, 0.16, 0.44, 0.30]
    for i, (photo, label) in enumerate(people):
        pause = i % 3 == 1
        walkers.append(
            Walker(
                photo=photo,
                label=label,
                enter_s=round(start_s + i * every_s + float(rng.uniform(-0.3, 0.3)) * every_s, 2),
                from_left=bool(i % 2 == 0),
                lane=lanes[i % len(lanes)],
                drift=float(rng.uniform(-0.12, 0.12)),
                speed_mps=round(float(rng.uniform(1.0, 1.5)), 2),
                pause_at=round(float(rng.uniform(0.3, 0.6)), 2) if pause else None,
                pause_s=round(float(rng.uniform(1.5, 3.0)), 1) if pause else 0.0,
                blur=("", "gauss", "motion")[(i + i // 3) % 3],
                scale=round(float(rng.uniform(*scales)), 2),
                shirt=SHIRTS[int(rng.integers(len(SHIRTS)))],
                trousers=TROUSERS[int(rng.integers(len(TROUSERS)))],
            )
        )
    last = max(w.enter_s for w in walkers)
    return Scene(walkers=walkers, seconds=seconds or round(last + every_s + tail_s, 1), seed=seed)
