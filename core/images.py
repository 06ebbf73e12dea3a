"""One check for an uploaded image, before anything is stored: a custody photo (orders) or a still
from CCTV (incidents).

In order: not empty; not over ``max_bytes``; a JPEG, PNG or WebP by its contents (the ``filetype``
package reads the first bytes, never the name); not over ``max_pixels`` (read from the header by the
format's own reader, before Pillow's decompression-bomb check and before any decoding, so that a bomb is
refused cheaply and the message gives its size); a shape a face can be found in (each side at least
``IMAGE_MIN_SIDE_PX``, the longer side at most ``IMAGE_MAX_ASPECT_RATIO`` times the shorter: a 100,000 x 1
strip decodes but the face engine fails on it every time); and it decodes: its structure and checksums
(``verify``) and every byte of its image data (``load``; a JPEG is decoded at an eighth of its size, which
reads the same bytes). Each failure is an ``ApplicationError`` with one code, whoever asks, and the message
on ``field``.
"""

import io
import warnings
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from PIL import Image, ImageFile, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

from core.exceptions import ApplicationError, ErrorCodes

IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
HEAD_BYTES = 8192
# Each type's own header reader: it reads the size without Pillow's decompression-bomb check (``Image.open``
# raises on a bomb before anyone can read its size) and decodes nothing.
HEADER_READERS: dict[str, type[ImageFile.ImageFile]] = {
    "image/jpeg": JpegImagePlugin.JpegImageFile,
    "image/png": PngImagePlugin.PngImageFile,
    "image/webp": WebPImagePlugin.WebPImageFile,
}


class ImageErrorCode(ErrorCodes):
    """Codes of ``check_image`` (the same for every upload of an image)."""

    EMPTY_FILE = "empty_file", "The file is empty (0 bytes)."
    FILE_TOO_LARGE = "file_too_large", "The file is larger than the limit for its kind."
    UNSUPPORTED_IMAGE_TYPE = "unsupported_image_type", "The file's contents are not a JPEG, PNG or WebP image."
    UNREADABLE_IMAGE = "unreadable_image", "The image cannot be decoded (damaged or cut short)."
    IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels", "The image has more pixels than the limit (width x height)."
    IMAGE_UNUSABLE_SHAPE = (
        "image_unusable_shape",
        "The image (or a video's picture) is too small or too narrow for a face to be found in it: a side under "
        "the minimum, or the longer side more times the shorter than the limit.",
    )


@dataclass(frozen=True)
class CheckedImage:
    mime: str
    extension: str  # without the dot: "jpg", "png" or "webp"
    width: int
    height: int


def check_image(
    data: bytes | IO[bytes],
    *,
    max_bytes: int,
    max_pixels: int,
    field: str = "image",
    noun: str = "image",
    name: str = "",
) -> CheckedImage:
    """Check an uploaded image (its bytes, or a file positioned anywhere); raise ``ApplicationError`` with
    one ``ImageErrorCode`` per failure, its message ("The {noun} ...", after "{name}: " when one of several
    files is named) on ``field``. The file is left at its start."""
    fp = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    refuse = _Refusal(field=field, name=name)
    size = _size(fp)
    if not size:
        raise refuse(f"The {noun} file is empty.", ImageErrorCode.EMPTY_FILE)
    if size > max_bytes:
        limit = f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes} bytes"
        raise refuse(f"The {noun} is larger than {limit}.", ImageErrorCode.FILE_TOO_LARGE)
    fp.seek(0)
    kind = filetype.guess(fp.read(HEAD_BYTES))
    fp.seek(0)
    if kind is None or kind.mime not in IMAGE_TYPES:
        raise refuse(f"The {noun} must be a JPEG, PNG or WebP image.", ImageErrorCode.UNSUPPORTED_IMAGE_TYPE)
    width, height = _header_size(fp, kind.mime, noun=noun, refuse=refuse)
    if width * height > max_pixels:
        raise _too_many_pixels(refuse, noun, max_pixels, width, height)
    if problem := shape_problem(width, height):
        raise refuse(f"The {noun} is {width} × {height} pixels: {problem}", ImageErrorCode.IMAGE_UNUSABLE_SHAPE)
    _decode(fp, max_pixels=max_pixels, noun=noun, refuse=refuse)
    return CheckedImage(mime=kind.mime, extension=IMAGE_TYPES[kind.mime], width=width, height=height)


@dataclass(frozen=True)
class _Refusal:
    """Makes the error of one failure: the message on the field, after the file's name if there is one."""

    field: str
    name: str

    def __call__(self, message: str, code: str) -> ApplicationError:
        message = f"{self.name}: {message}" if self.name else message
        return ApplicationError(message, code=code, fields={self.field: [message]})


def _size(fp: IO[bytes]) -> int:
    size = getattr(fp, "size", None)
    if size is None:
        size = fp.seek(0, io.SEEK_END)
        fp.seek(0)
    return size


def shape_problem(width: int, height: int) -> str:
    """What makes a picture of ``width`` x ``height`` unusable for finding a face ("" if nothing): a side
    under ``IMAGE_MIN_SIDE_PX``, or the longer side over ``IMAGE_MAX_ASPECT_RATIO`` times the shorter.
    Used for images here and for a video's frames (``incidents.files``)."""
    min_side, max_ratio = settings.IMAGE_MIN_SIDE_PX, settings.IMAGE_MAX_ASPECT_RATIO
    if min(width, height) < min_side:
        return f"each side must be at least {min_side} pixels for a face to be found in it."
    if max(width, height) > max_ratio * min(width, height):
        return (
            f"too narrow for a face to be found in it (the longer side may be at most {max_ratio:g} times the "
            "shorter). Send the whole picture, not a strip of it."
        )
    return ""


def _header_size(fp: IO[bytes], mime: str, *, noun: str, refuse: _Refusal) -> tuple[int, int]:
    """Width and height from the file's header, read by its type's own reader: no bomb check, no decoding."""
    try:
        with HEADER_READERS[mime](fp) as img:
            return img.size
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for a broken header
        message = f"The {noun} file is damaged or unreadable ({exc.__class__.__name__})."
        raise refuse(message, ImageErrorCode.UNREADABLE_IMAGE) from None
    finally:
        fp.seek(0)


def _decode(fp: IO[bytes], *, max_pixels: int, noun: str, refuse: _Refusal) -> tuple[int, int]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fp) as img:
                width, height = img.size
                if width * height > max_pixels:
                    raise _too_many_pixels(refuse, noun, max_pixels, width, height)
                img.verify()  # structure and checksums
            fp.seek(0)
            with Image.open(fp) as img:
                img.draft("RGB", (max(1, width // 8), max(1, height // 8)))  # JPEG: decode small, same bytes
                img.load()  # every byte of image data decodes
    except ApplicationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(refuse, noun, max_pixels) from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for a broken file
        message = f"The {noun} file is damaged or unreadable ({exc.__class__.__name__})."
        raise refuse(message, ImageErrorCode.UNREADABLE_IMAGE) from None
    finally:
        fp.seek(0)
    return width, height


def _too_many_pixels(refuse: _Refusal, noun: str, limit: int, width: int = 0, height: int = 0) -> ApplicationError:
    size = f" ({width} × {height})" if width else ""
    return refuse(
        f"The {noun} is too large{size}; the limit is {limit / 1e6:g} million pixels.",
        ImageErrorCode.IMAGE_TOO_MANY_PIXELS,
    )
