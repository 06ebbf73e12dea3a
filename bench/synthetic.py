"""CCTV-like clips made from still photographs, for tests and benchmarks (no downloaded video).

A fixed "shop" background at 720p; a person (a head-and-shoulders crop of a photo) walks across it
for a few seconds. Written with OpenCV's mp4v codec.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class ClipInfo:
    path: Path
    seconds: float
    fps: int
    width: int
    height: int
    face_from_s: float
    face_to_s: float


def _background(width: int, height: int) -> np.ndarray:
    rng = np.random.default_rng(7)
    y = np.linspace(60, 200, height, dtype=np.float32)[:, None]
    image = np.repeat(np.repeat(y, width, axis=1)[:, :, None], 3, axis=2)
    for shelf in range(4):  # shelves with "goods"
        top = 80 + shelf * 150
        image[top : top + 20, :, :] = (90, 70, 50)
        for x in range(0, width, 40):
            colour = rng.integers(40, 220, size=3)
            image[top - 50 : top, x + 5 : x + 35, :] = colour
    return image.astype(np.uint8)


def _person(photo_rgb: np.ndarray, face_box: tuple[int, int, int, int], face_px: int) -> np.ndarray:
    """Head and shoulders around ``face_box`` ([x, y, w, h]), scaled so the face is ``face_px`` wide."""
    import cv2

    x, y, w, h = face_box
    height, width = photo_rgb.shape[:2]
    x1, y1 = max(0, x - w // 2), max(0, y - h // 2)
    x2, y2 = min(width, x + w + w // 2), min(height, y + h + h)
    crop = photo_rgb[y1:y2, x1:x2]
    scale = face_px / max(w, 1)
    return cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def walking_clip(
    path: Path,
    *,
    photo_rgb: np.ndarray | None,
    face_box: tuple[int, int, int, int] | None = None,
    seconds: float = 60.0,
    fps: int = 25,
    size: tuple[int, int] = (1280, 720),
    face_from_s: float = 20.0,
    face_to_s: float = 26.0,
    face_px: int = 150,
) -> ClipInfo:
    """Write the clip; without a photo it is an empty shop (no face at all)."""
    import cv2

    width, height = size
    background = _background(width, height)
    person = _person(photo_rgb, face_box, face_px) if photo_rgb is not None else None
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    try:
        for index in range(int(seconds * fps)):
            t = index / fps
            frame = background.copy()
            if person is not None and face_from_s <= t < face_to_s:
                progress = (t - face_from_s) / (face_to_s - face_from_s)
                ph, pw = person.shape[:2]
                left = int(progress * (width - pw))
                top = max(0, min(height - ph, height // 5 + int(10 * np.sin(t * 6))))  # a walking bob
                frame[top : top + ph, left : left + pw] = person[: height - top, : width - left]
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    return ClipInfo(path, seconds, fps, width, height, face_from_s, face_to_s)


def stills_clip(path: Path, stills: list[np.ndarray], *, seconds_each: float = 1.0, fps: int = 10) -> ClipInfo:
    """A slideshow of photos (letter-boxed to 720p): a video made of still photographs."""
    import cv2

    width, height = 1280, 720
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    try:
        for still in stills:
            scale = min(width / still.shape[1], height / still.shape[0])
            resized = cv2.resize(still, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            frame = np.zeros((height, width, 3), dtype=np.uint8)
            top, left = (height - resized.shape[0]) // 2, (width - resized.shape[1]) // 2
            frame[top : top + resized.shape[0], left : left + resized.shape[1]] = resized
            bgr = cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)
            for _ in range(int(seconds_each * fps)):
                writer.write(bgr)
    finally:
        writer.release()
    seconds = len(stills) * seconds_each
    return ClipInfo(path, seconds, fps, width, height, 0.0, seconds)
