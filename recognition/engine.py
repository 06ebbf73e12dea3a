"""The face engine: the ONLY module that imports deepface or dlib.

DeepFace is the library: its model registry (``deepface.modules.modeling.build_model``) loads dlib's
HOG face detector, the 5-point landmark predictor and the Dlib ResNet (128-d) recogniser from
``$DEEPFACE_HOME/.deepface/weights`` (copied there by ``manage.py install_face_weights``; nothing is
downloaded). We call those model objects directly rather than ``DeepFace.represent``'s defaults,
because the defaults cost 3-5x the floor on two cores:

- ``align=True`` pads the whole image by 50% on every side before detecting (4x the pixels);
- the image is detected at full resolution (a 2500 px photo takes 15x longer than at 640 px);
- each face is embedded from an eye-rotated, letter-boxed crop, one call per face.

Here each image is detected once, scaled so its longest side is ``detect_max_side``; the landmarks
are found on the full-resolution working image; each face becomes dlib's 5-point aligned 150x150
chip (the alignment the ResNet was trained on, which is also more accurate: 100% on master.csv);
chips are embedded in one batch and returned as L2-normalised float32 vectors, so a cosine
distance is one dot product. Callers get frozen dataclasses, never raw dicts.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

from recognition.errors import RecognitionErrorCode
from recognition.weights import WEIGHT_FILES, check_weights, weights_dir

MODEL_NAME = "Dlib"
CHIP_SIZE = 150
CHIP_PADDING = 0.25
SHARPNESS_SIDE = 64


class EngineError(Exception):
    """A file the engine cannot use; ``code`` is stable (``RecognitionErrorCode``: unreadable_image, ...)."""

    def __init__(self, message: str, *, code: RecognitionErrorCode) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def size(self) -> int:
        return min(self.w, self.h)

    def iou(self, other: Box) -> float:
        x1, y1 = max(self.x, other.x), max(self.y, other.y)
        x2, y2 = min(self.x + self.w, other.x + other.w), min(self.y + self.h, other.y + other.h)
        inter = max(0, x2 - x1) * max(0, y2 - y1)
        union = self.w * self.h + other.w * other.h - inter
        return inter / union if union else 0.0


@dataclass(frozen=True)
class Detection:
    """One face found in an image: box and 5 landmarks in the image's own pixel coordinates."""

    box: Box
    score: float
    landmarks: tuple[tuple[int, int], ...]


@dataclass(frozen=True, eq=False)
class Face:
    """A detected face with its aligned chip's sharpness and (unless dropped) its embedding."""

    detection: Detection
    sharpness: float
    embedding: np.ndarray = field(repr=False)  # float32, shape (128,), unit length


@dataclass(frozen=True)
class Comparison:
    distance: float  # cosine distance, 0 = identical
    similarity: float  # 1 - distance
    threshold: float
    verified: bool


def cosine_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine distance of two unit vectors (the engine's embeddings are unit length)."""
    return float(1.0 - np.dot(a, b))


def compare(a: np.ndarray, b: np.ndarray, *, threshold: float) -> Comparison:
    distance = cosine_distance(a, b)
    return Comparison(distance=distance, similarity=1.0 - distance, threshold=threshold, verified=distance <= threshold)


# Images -------------------------------------------------------------------------------------


def load_image(source: str | Path | bytes, *, max_pixels: int | None = None, work_max_side: int | None = None):
    """Decode an image file to an RGB uint8 array, honouring EXIF orientation.

    The header is read first: an image over ``max_pixels`` is refused without decoding. A large
    JPEG is decoded at a reduced scale (libjpeg's DCT scaling) straight to about ``work_max_side``.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    max_pixels = max_pixels or settings.RECOGNITION_MAX_IMAGE_PIXELS
    work_max_side = work_max_side or settings.RECOGNITION_WORK_MAX_SIDE
    fp = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with Image.open(fp) as img:
            width, height = img.size
            if width * height > max_pixels:
                raise EngineError(
                    f"Image is {width}x{height} pixels, more than the {max_pixels:,} allowed.",
                    code=RecognitionErrorCode.IMAGE_TOO_LARGE,
                )
            if max(width, height) > work_max_side:
                img.draft("RGB", (work_max_side, work_max_side))
            rgb = ImageOps.exif_transpose(img).convert("RGB")
            if max(rgb.size) > work_max_side:
                rgb.thumbnail((work_max_side, work_max_side), Image.Resampling.BILINEAR)
            return np.asarray(rgb)
    except EngineError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise EngineError(
            f"The file is not a readable image ({exc.__class__.__name__}).", code=RecognitionErrorCode.UNREADABLE_IMAGE
        ) from exc


# The engine ---------------------------------------------------------------------------------


class Engine:
    """The loaded models. Build it with ``get_engine()`` (once per process)."""

    model_name = MODEL_NAME

    def __init__(self) -> None:
        check_weights()
        # DeepFace reads $DEEPFACE_HOME when it builds a model; set it before the first import.
        os.environ["DEEPFACE_HOME"] = str(settings.DEEPFACE_HOME)
        os.environ.setdefault("DEEPFACE_LOG_LEVEL", "40")  # its info/warnings are printed to stdout
        import dlib
        from deepface.modules import modeling

        self._dlib = dlib
        detector = modeling.build_model(task="face_detector", model_name="dlib")
        recogniser = modeling.build_model(task="facial_recognition", model_name="Dlib")
        self._free_hogs = [detector.model["face_detector"]]  # list.pop/append are atomic under the GIL
        self._landmarks = detector.model["sp"]
        self._resnet = recogniser.model.model  # dlib.face_recognition_model_v1
        self.model_version = current_model_version()
        self._embedder: Embedder | None = None

    # detection ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _hog_detector(self):
        """A HOG detector for this call alone: dlib's object detectors are not safe to share between
        threads (its docs), and they release the GIL, so concurrent calls each take one from a free
        list (making one costs 0.3 s, so they are kept for the life of the process)."""
        try:
            detector = self._free_hogs.pop()
        except IndexError:
            detector = self._dlib.get_frontal_face_detector()
        try:
            yield detector
        finally:
            self._free_hogs.append(detector)

    def _detection(self, image: np.ndarray, left: float, top: float, right: float, bottom: float, score: float):
        """A HOG box mapped to ``image``'s coordinates, with its landmarks found there."""
        height, width = image.shape[:2]
        full = self._dlib.rectangle(int(left), int(top), int(right), int(bottom))
        shape = self._landmarks(image, full)  # the shape predictor is safe to share between threads
        x, y = max(0, full.left()), max(0, full.top())
        box = Box(x=x, y=y, w=min(full.right(), width) - x, h=min(full.bottom(), height) - y)
        points = tuple((shape.part(i).x, shape.part(i).y) for i in range(shape.num_parts))
        return Detection(box=box, score=float(score), landmarks=points)

    def detect(self, image: np.ndarray, *, max_side: int | None = None, upsample: int | None = None) -> list[Detection]:
        """Faces in an RGB image: HOG on a copy scaled to ``max_side``, landmarks at full size."""
        import cv2

        max_side = max_side or settings.RECOGNITION_DETECT_MAX_SIDE
        upsample = settings.RECOGNITION_DETECT_UPSAMPLE if upsample is None else upsample
        height, width = image.shape[:2]
        scale = min(1.0, max_side / max(height, width))
        small = image if scale == 1.0 else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        with self._hog_detector() as hog:
            rects, scores, _ = hog.run(small, upsample, 0.0)
        return [
            self._detection(image, r.left() / scale, r.top() / scale, r.right() / scale, r.bottom() / scale, score)
            for r, score in zip(rects, scores, strict=False)
        ]

    def detect_region(self, image: np.ndarray, region: Box, *, scale: float) -> list[Detection]:
        """Faces inside ``region`` of a full-resolution image, the region resized by ``scale`` for HOG.

        HOG's window is 80 px: at scale 1 it finds faces from about 70 px, at 2 from about 36 px (the
        CCTV standard's identification size is 40 px). Boxes and landmarks are in ``image``'s own
        coordinates, so the chip is cut from the original pixels."""
        import cv2

        crop = image[region.y : region.y + region.h, region.x : region.x + region.w]
        if not crop.size:
            return []
        if scale != 1.0:
            interpolation = cv2.INTER_LINEAR if scale > 1 else cv2.INTER_AREA
            crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=interpolation)
        with self._hog_detector() as hog:
            rects, scores, _ = hog.run(crop, 0, 0.0)
        return [
            self._detection(
                image,
                region.x + r.left() / scale,
                region.y + r.top() / scale,
                region.x + r.right() / scale,
                region.y + r.bottom() / scale,
                score,
            )
            for r, score in zip(rects, scores, strict=False)
        ]

    def landmarks_in(self, image: np.ndarray, box: Box) -> Detection:
        """The 5 landmarks of a face that a person boxed by hand (no detector run): ``score`` is 0."""
        return self._detection(image, box.x, box.y, box.x + box.w, box.y + box.h, 0.0)

    def detect_image(self, image: np.ndarray) -> list[Detection]:
        """A still photo: detect at the usual scale; only if nothing is found, look again upsampled."""
        found = self.detect(image)
        if not found and settings.RECOGNITION_DETECT_UPSAMPLE < 1:
            found = self.detect(image, upsample=1)
        return found

    # alignment and embedding -------------------------------------------------------------

    def chip(self, image: np.ndarray, detection: Detection) -> np.ndarray:
        """dlib's 5-point aligned 150x150 RGB chip: what the ResNet was trained on."""
        box = detection.box
        rect = self._dlib.rectangle(box.x, box.y, box.x + box.w, box.y + box.h)
        shape = self._dlib.full_object_detection(rect, [self._dlib.point(x, y) for x, y in detection.landmarks])
        return self._dlib.get_face_chip(image, shape, size=CHIP_SIZE, padding=CHIP_PADDING)

    @staticmethod
    def sharpness(chip: np.ndarray) -> float:
        """Variance of the Laplacian of the chip's grey image at 64x64: low means blurred.

        At a fixed size the figure is the same for the same blur relative to the face, whatever the face's
        size in the picture (measured: a blur of 4% of the face's width reads 7-17 at 40, 60 or 120 px,
        and no such face matched; at 2.5% about half still match, reading 11-40), so one threshold drops
        what cannot match at every size. At the chip's own 150 px, small faces read as blurred merely for
        having been enlarged, and moderately blurred large faces that still match were dropped."""
        import cv2

        grey = cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY)
        grey = cv2.resize(grey, (SHARPNESS_SIDE, SHARPNESS_SIDE), interpolation=cv2.INTER_AREA)
        return float(cv2.Laplacian(grey, cv2.CV_64F).var())

    def embed_chips(self, chips: list[np.ndarray]) -> np.ndarray:
        """Embed aligned chips in one batch call: (n, 128) float32, each row unit length."""
        if not chips:
            return np.zeros((0, 128), dtype=np.float32)
        vectors = np.asarray(self._resnet.compute_face_descriptor(list(chips)), dtype=np.float32)
        return normalise(vectors)

    def embedder(self) -> Embedder:
        """This process's embedding child (started on first use: call it before starting threads)."""
        embedder = self._embedder
        if embedder is None or not embedder.usable():
            embedder = self._embedder = Embedder(self)
        return embedder

    def faces(self, image: np.ndarray, detections: list[Detection] | None = None) -> list[Face]:
        """Detect (unless given) and embed every face of an image."""
        detections = self.detect_image(image) if detections is None else detections
        chips = [self.chip(image, d) for d in detections]
        vectors = self.embed_chips(chips)
        return [
            Face(detection=d, sharpness=self.sharpness(c), embedding=v)
            for d, c, v in zip(detections, chips, vectors, strict=True)
        ]


class Embedder:
    """The ResNet in a forked child process, for the video pipeline.

    dlib holds the GIL while it embeds (about 80 ms a face), which stops the detection and decoding
    threads for as long; in a child of its own, embedding runs beside them on the other core. The child
    is forked from the loaded engine (it shares the model's memory), reads chips from a pipe and
    answers vectors, keeps nothing, and exits when the pipe closes. If it cannot be used (it died, or
    a call was interrupted mid-answer), the engine embeds in process and a new child is made next time."""

    def __init__(self, engine: Engine) -> None:
        import multiprocessing

        self._engine = engine
        self._pid = os.getpid()
        self._conn = self._process = None
        try:
            context = multiprocessing.get_context("fork")
            self._conn, child = context.Pipe()
            self._process = context.Process(
                target=_embed_serve, args=(engine, child, self._conn), name="recognition-embed", daemon=True
            )
            self._process.start()
            child.close()
        except (OSError, AssertionError, ValueError):  # no fork here (or a daemonic parent): embed in process
            self._conn = self._process = None

    def usable(self) -> bool:
        return self._pid == os.getpid() and self._process is not None and self._process.is_alive()

    def embed(self, chips: list[np.ndarray]) -> np.ndarray:
        if not chips:
            return np.zeros((0, 128), dtype=np.float32)
        conn = self._conn
        if conn is None or not self.usable():
            return self._engine.embed_chips(chips)
        try:
            conn.send(np.stack(chips))
            vectors = conn.recv()
        except BaseException:
            self.close()  # an answer may still be on its way: this pipe can no longer be trusted
            raise
        return vectors

    def close(self) -> None:
        if self._process is not None and self._pid == os.getpid():
            if self._conn is not None:
                self._conn.close()
            self._process.join(timeout=1)
            if self._process.is_alive():
                self._process.kill()
        self._conn = self._process = None


def _embed_serve(engine: Engine, conn, parent_end) -> None:
    """The embedding child: chips in, unit vectors out, until the pipe closes."""
    parent_end.close()
    while True:
        try:
            chips = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(engine.embed_chips(list(chips)))


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def _weights_digest() -> str:
    """Short digest of the recogniser's weight file: a different file means a different model."""
    path = weights_dir() / WEIGHT_FILES[0]
    stat = path.stat()
    return hashlib.sha256(f"{path.name}:{stat.st_size}".encode()).hexdigest()[:8]


_engine: Engine | None = None
_lock = threading.Lock()


def get_engine() -> Engine:
    """The process's engine, loaded on first use (about 0.5 s, ~110 MB)."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                _engine = Engine()
    return _engine


def current_model_version() -> str:
    """The version string templates are stored with, computed without loading the models (the web
    process uses it): DeepFace's version, the recogniser's weight file, and our alignment."""
    from importlib.metadata import version

    return f"deepface-{version('deepface')}/dlib-resnet-v1-{_weights_digest()}/chip{CHIP_SIZE}-5pt"
