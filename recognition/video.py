"""Frames from evidence files: a photo is one frame; a video is sampled at a fixed rate.

OpenCV ``grab()``s every frame (demux and decode only) and ``retrieve()``s (colour-converts) only
the sampled ones, so nothing is converted that is not looked at. Every frame must still be decoded
(each depends on the one before): about 1.5 s of a 60 s 1080p clip, which is why ``scan`` decodes in
a thread of its own, beside detection.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings

from recognition.engine import EngineError, load_image
from recognition.errors import RecognitionErrorCode

FALLBACK_FPS = 25.0


@dataclass(frozen=True, eq=False)
class Frame:
    index: int  # frame number in the file (0 for a photo)
    time_s: float | None  # seconds into the video; None for a photo
    image: np.ndarray = field(repr=False)  # RGB uint8


@dataclass
class SamplingStats:
    frames_decoded: int = 0
    frames_sampled: int = 0
    media_seconds: float | None = None


def load_evidence_image(path: str) -> np.ndarray:
    """An evidence photo as every search sees it (more pixels than a reference photo, for small faces)."""
    return load_image(path, work_max_side=settings.RECOGNITION_EVIDENCE_WORK_MAX_SIDE)


def open_video(path: str):
    """An OpenCV capture of the file; EngineError ``corrupt_video`` when it cannot be opened."""
    import cv2

    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        raise EngineError(
            "The video cannot be opened: the file is damaged or not a video.", code=RecognitionErrorCode.CORRUPT_VIDEO
        )
    return capture


def native_fps(capture) -> float:
    """The frame rate the file says it has, or 25 when it says nothing sensible."""
    import cv2

    native = capture.get(cv2.CAP_PROP_FPS)
    return native if native and math.isfinite(native) and 1 <= native <= 240 else FALLBACK_FPS


def image_frames(path: str, stats: SamplingStats) -> Iterator[Frame]:
    image = load_evidence_image(path)
    stats.frames_decoded = stats.frames_sampled = 1
    yield Frame(index=0, time_s=None, image=image)


def video_frames(path: str, stats: SamplingStats, *, fps: float | None = None) -> Iterator[Frame]:
    """Sampled frames of a video, ``fps`` per second (default RECOGNITION_VIDEO_FPS).

    Raises EngineError ``corrupt_video`` when the file cannot be opened, ``no_frames`` when it holds
    no decodable frame, ``video_too_long`` beyond RECOGNITION_MAX_VIDEO_SECONDS."""
    import cv2

    fps = fps or settings.RECOGNITION_VIDEO_FPS
    capture = open_video(path)
    try:
        native = native_fps(capture)
        count = capture.get(cv2.CAP_PROP_FRAME_COUNT)
        if count and math.isfinite(count) and count / native > settings.RECOGNITION_MAX_VIDEO_SECONDS:
            raise EngineError(
                f"The video lasts {count / native:.0f} s, more than the {settings.RECOGNITION_MAX_VIDEO_SECONDS} s "
                "processed per file.",
                code=RecognitionErrorCode.VIDEO_TOO_LONG,
            )
        period, next_s, index = 1.0 / fps, 0.0, 0
        limit_frames = settings.RECOGNITION_MAX_VIDEO_SECONDS * native
        while capture.grab():
            stats.frames_decoded += 1
            if index > limit_frames:  # the header's frame count was missing or wrong
                raise EngineError(
                    f"The video lasts more than the {settings.RECOGNITION_MAX_VIDEO_SECONDS} s processed per file.",
                    code=RecognitionErrorCode.VIDEO_TOO_LONG,
                )
            if index / native + 1e-6 >= next_s:  # the first frame at or after each sampling instant
                next_s += period
                ok, bgr = capture.retrieve()
                if ok and bgr is not None and bgr.size:
                    stats.frames_sampled += 1
                    yield Frame(
                        index=index, time_s=round(index / native, 3), image=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                    )
            index += 1
        stats.media_seconds = round(index / native, 3)
        if stats.frames_sampled == 0:
            raise EngineError("The video holds no frame that can be decoded.", code=RecognitionErrorCode.NO_FRAMES)
    finally:
        capture.release()


def frames(path: str, kind: str, stats: SamplingStats) -> Iterator[Frame]:
    """Frames of an evidence file: ``kind`` is "image" or "video"."""
    return video_frames(path, stats) if kind == "video" else image_frames(path, stats)
