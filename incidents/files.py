"""Checks on an uploaded evidence file, before anything is stored.

The type comes from the bytes (the ``filetype`` package), never from the name; the name and the
claimed content type are only compared with it. Images are decoded by ``core.images.check_image`` (with
a pixel limit, against decompression bombs), the one image check, so a failure has the same code as for a
custody photo, including its shape (a side under the minimum, or a strip too narrow for a face: it would decode
and then fail in the worker on every retry); videos must open in OpenCV, with a picture within the same pixel
limit and shape (read from the container before any frame is decoded, then from the first frame), and give a
first frame. Each failure raises an
``ApplicationError`` whose message names the file and says what to do, on the field ``files``.
"""

import os
import re
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from core.exceptions import ApplicationError
from core.files import local_path
from core.images import ImageErrorCode, check_image, shape_problem
from incidents.errors import IncidentErrorCode

ACCEPTED_LABEL = "JPEG, PNG or WebP photos and MP4, MOV, AVI or MKV videos"


@dataclass(frozen=True)
class FileType:
    family: str  # what a claim must agree with (MP4 and MOV are one family: both ISO media files)
    kind: str  # "image" or "video"
    mime: str
    extension: str
    label: str


TYPES = {
    "image/jpeg": FileType("jpeg", "image", "image/jpeg", ".jpg", "JPEG image"),
    "image/png": FileType("png", "image", "image/png", ".png", "PNG image"),
    "image/webp": FileType("webp", "image", "image/webp", ".webp", "WebP image"),
    "video/mp4": FileType("isobmff", "video", "video/mp4", ".mp4", "MP4 video"),
    "video/quicktime": FileType("isobmff", "video", "video/quicktime", ".mov", "MOV video"),
    "video/x-msvideo": FileType("avi", "video", "video/x-msvideo", ".avi", "AVI video"),
    "video/x-matroska": FileType("mkv", "video", "video/x-matroska", ".mkv", "MKV video"),
}
# What a name or a declared content type claims, as a family.
EXTENSION_FAMILY = {
    ".jpg": "jpeg", ".jpeg": "jpeg", ".jpe": "jpeg", ".jfif": "jpeg", ".png": "png", ".webp": "webp",
    ".mp4": "isobmff", ".m4v": "isobmff", ".mov": "isobmff", ".qt": "isobmff", ".avi": "avi", ".mkv": "mkv",
}  # fmt: skip
MIME_FAMILY = {
    "image/jpeg": "jpeg", "image/jpg": "jpeg", "image/pjpeg": "jpeg", "image/png": "png", "image/webp": "webp",
    "video/mp4": "isobmff", "video/quicktime": "isobmff", "video/x-m4v": "isobmff", "video/x-msvideo": "avi",
    "video/avi": "avi", "video/msvideo": "avi", "video/x-matroska": "mkv", "video/matroska": "mkv",
}  # fmt: skip
UNCLAIMED_MIMES = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
FAMILY_LABEL = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP", "isobmff": "MP4/MOV", "avi": "AVI", "mkv": "MKV"}


def size_in_words(n: int) -> str:
    """A limit as a form states it: "25 MB", "1 GB"."""
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB".replace(".0 GB", " GB")
    return megabytes(n)


def upload_limits() -> dict:
    """The limits a form states in words and renders into ``data-`` attributes, for the upload script to check
    each chosen file's type and size before anything is sent (the server checks again, from the bytes)."""
    image_types = [mime for mime, found in TYPES.items() if found.kind == "image"]
    video_types = [mime for mime, found in TYPES.items() if found.kind == "video"]
    image_max, video_max = settings.INCIDENT_IMAGE_MAX_BYTES, settings.INCIDENT_VIDEO_MAX_BYTES
    max_files = settings.INCIDENT_MAX_FILES_PER_UPLOAD
    return {
        "image_max_bytes": image_max,
        "video_max_bytes": video_max,
        "max_files": max_files,
        "image_types": ",".join(image_types),
        "video_types": ",".join(video_types),
        "image_extensions": ",".join(e for e, f in EXTENSION_FAMILY.items() if f in ("jpeg", "png", "webp")),
        "video_extensions": ",".join(e for e, f in EXTENSION_FAMILY.items() if f in ("isobmff", "avi", "mkv")),
        "accept": ",".join([*TYPES, *EXTENSION_FAMILY]),
        "words": (
            f"Photos: JPEG, PNG or WebP, up to {size_in_words(image_max)} each. Videos: MP4, MOV, AVI or MKV, up "
            f"to {size_in_words(video_max)} each. Up to {max_files} files at a time."
        ),
    }


def bad_file(name: str, message: str, code: str) -> ApplicationError:
    return ApplicationError(f"{name}: {message}", code=code, fields={"files": [f"{name}: {message}"]})


def sanitise_name(name: str) -> str:
    """The last path component, in printable characters only, at most 200 characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[^\w .()\-+,]", "_", name).strip(" .")
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext[:16])] + ext[:16]
    return name or "unnamed"


def megabytes(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def detect(upload: UploadedFile, name: str) -> FileType:
    """The file's type from its first bytes; rejects empty, unknown and mislabelled files."""
    if not upload.size:
        raise bad_file(name, "the file is empty (0 bytes). Choose the file again.", IncidentErrorCode.EMPTY_FILE)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    found = TYPES.get(guess.mime) if guess else None
    if found is None:
        what = f"the file's contents are {guess.mime}" if guess else "we do not recognise this type of file"
        raise bad_file(name, f"{what}. We accept {ACCEPTED_LABEL}.", IncidentErrorCode.UNSUPPORTED_TYPE)
    _check_claims(upload, name, found)
    return found


def _check_claims(upload: UploadedFile, name: str, found: FileType) -> None:
    ext = os.path.splitext(name)[1].lower()
    claimed_mime = (upload.content_type or "").split(";")[0].strip().lower()
    claims = []
    if ext:
        claims.append((f"its name ends {ext}", EXTENSION_FAMILY.get(ext)))
    if claimed_mime not in UNCLAIMED_MIMES:
        claims.append((f"it was sent as {claimed_mime}", MIME_FAMILY.get(claimed_mime)))
    for said, family in claims:
        if family != found.family:
            raise bad_file(
                name,
                f"the file's contents are a {found.label} but {said}. Rename it or export it again.",
                IncidentErrorCode.TYPE_MISMATCH,
            )


def check_size(upload: UploadedFile, name: str, found: FileType) -> None:
    limit = settings.INCIDENT_IMAGE_MAX_BYTES if found.kind == "image" else settings.INCIDENT_VIDEO_MAX_BYTES
    if upload.size > limit:
        raise bad_file(
            name,
            f"this {found.kind} is {megabytes(upload.size)}; the limit for one {found.kind} is {megabytes(limit)}.",
            IncidentErrorCode.FILE_TOO_LARGE,
        )


def check_decodes(upload: UploadedFile, name: str, found: FileType) -> None:
    if found.kind == "image":
        _check_image(upload, name)
    else:
        _check_video(upload, name, found)


# The incident wording of the shared check's failures: lower case after the file's name, with what to do.
_IMAGE_ADVICE: dict[str, str] = {
    ImageErrorCode.UNREADABLE_IMAGE: "the image cannot be decoded (it may be damaged or cut short). Export it again.",
}


def _check_image(upload: UploadedFile, name: str) -> None:
    """``core.images.check_image`` (its code), worded for incidents: the message names the file."""
    try:
        check_image(
            upload,
            max_bytes=settings.INCIDENT_IMAGE_MAX_BYTES,
            max_pixels=settings.INCIDENT_IMAGE_MAX_PIXELS,
            field="files",
            noun="image",
        )
    except ApplicationError as exc:
        message = _IMAGE_ADVICE.get(exc.code) or exc.message[:1].lower() + exc.message[1:]
        raise bad_file(name, message, exc.code) from None


def _check_video(upload: UploadedFile, name: str, found: FileType) -> None:
    import cv2  # heavy: imported only when a video arrives

    with local_path(upload, suffix=found.extension) as path:
        capture = cv2.VideoCapture(path)
        try:
            if not capture.isOpened():
                raise bad_file(
                    name,
                    "the video cannot be opened (damaged, or a format we cannot play).",
                    IncidentErrorCode.VIDEO_UNREADABLE,
                )
            # The container's frame size, before any frame is decoded (0 when it does not say).
            _check_frame_size(
                name, int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
            )
            ok, frame = capture.read()
            if not ok or frame is None:
                raise bad_file(
                    name,
                    "no picture could be read from the start of the video. Export it again.",
                    IncidentErrorCode.VIDEO_NO_FRAME,
                )
            height, width = frame.shape[:2]
            _check_frame_size(name, width, height)
        finally:
            capture.release()


def _check_frame_size(name: str, width: int, height: int) -> None:
    """A video's picture: within the image pixel limit, and a shape a face can be found in."""
    if width <= 0 or height <= 0:
        return
    limit = settings.INCIDENT_IMAGE_MAX_PIXELS
    if width * height > limit:
        message = f"the video's picture is {width} × {height} pixels; the limit is {limit / 1e6:g} million pixels."
        raise bad_file(name, message, ImageErrorCode.IMAGE_TOO_MANY_PIXELS)
    if problem := shape_problem(width, height):
        message = f"the video's picture is {width} × {height} pixels: {problem}"
        raise bad_file(name, message, ImageErrorCode.IMAGE_UNUSABLE_SHAPE)


def inspect(upload: UploadedFile) -> tuple[str, FileType]:
    """All the checks, in order; returns the sanitised name and the detected type."""
    name = sanitise_name(upload.name)
    found = detect(upload, name)
    check_size(upload, name, found)
    check_decodes(upload, name, found)
    return name, found
