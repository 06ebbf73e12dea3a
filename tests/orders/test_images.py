"""The one check of an uploaded image (``core.images.check_image``), as reference photos use it: one code per
failure, a pixel limit read from the header before any decoding, and every byte of image data decoded."""

import datetime
import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.exceptions import ApplicationError
from core.images import check_image
from orders import services
from orders.models import OffenderEvent, ReferencePhoto
from tests.orders.factories import OffenderFactory

LIMITS = dict(max_bytes=1024 * 1024, max_pixels=1_000_000)


def encoded(size=(64, 48), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 160, 200)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "mime", "extension"),
    [("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")],
)
def test_an_image_passes_with_its_type_and_size(fmt, mime, extension):
    checked = check_image(encoded(fmt=fmt), **LIMITS)
    assert (checked.mime, checked.extension, checked.width, checked.height) == (mime, extension, 64, 48)


def test_one_of_several_files_is_named_in_the_message():
    with pytest.raises(ApplicationError) as exc:
        check_image(b"", **LIMITS, field="files", name="till-3.jpg")
    assert exc.value.message == "till-3.jpg: The image file is empty."
    assert exc.value.fields == {"files": ["till-3.jpg: The image file is empty."]}


def test_a_file_is_checked_and_left_at_its_start():
    upload = SimpleUploadedFile("x.png", encoded(), content_type="image/png")
    upload.read(10)
    assert check_image(upload, **LIMITS).width == 64
    assert upload.tell() == 0


@pytest.mark.parametrize(
    ("content", "limits", "code"),
    [
        (b"", {}, "empty_file"),
        (encoded(), {"max_bytes": 100}, "file_too_large"),
        (b"%PDF-1.4 not an image" + b"\x00" * 64, {}, "unsupported_image_type"),
        (encoded(fmt="GIF"), {}, "unsupported_image_type"),
        (encoded(fmt="JPEG")[:-400], {}, "unreadable_image"),  # cut short: only decoding every byte finds it
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, {}, "unreadable_image"),
        (encoded(size=(1001, 1000)), {}, "image_too_many_pixels"),
    ],
    ids=["empty", "too large", "a pdf", "a gif", "truncated jpeg", "broken png", "too many pixels"],
)
def test_each_failure_has_one_code_and_says_so_on_the_field(content, limits, code):
    with pytest.raises(ApplicationError) as exc:
        check_image(content, **(LIMITS | limits), field="image", noun="photo")
    assert exc.value.code == code and exc.value.status_code == 400
    assert exc.value.fields == {"image": [exc.value.message]} and exc.value.message.startswith("The photo")


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` (what a decompression bomb looks like at first)."""
    data = bytearray(encoded(size=(1, 1)))
    ihdr = 8 + 4  # signature, then the IHDR chunk's length
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(data[ihdr : ihdr + 17])))
    return bytes(data)


@pytest.mark.parametrize(("width", "height"), [(8000, 8000), (20000, 20000)])
def test_a_decompression_bomb_is_refused_from_its_header(width, height):
    """64 and 400 million pixels claimed by a file of a few bytes: refused before any decoding (the second is
    over Pillow's own bomb limit, which is caught and answered the same way)."""
    with pytest.raises(ApplicationError) as exc:
        check_image(png_claiming(width, height), max_bytes=10 * 1024 * 1024, max_pixels=50_000_000)
    assert exc.value.code == "image_too_many_pixels" and "the limit is 50 million pixels" in exc.value.message


@pytest.mark.django_db
def test_a_reference_photo_over_the_pixel_limit_is_refused_and_nothing_kept(world, settings):
    settings.RECOGNITION_MAX_IMAGE_PIXELS = 10_000
    offender = OffenderFactory(force=world.a.force)
    upload = SimpleUploadedFile("big.png", encoded(size=(101, 100)), content_type="image/png")
    with pytest.raises(ApplicationError) as exc:
        services.reference_photo_add(offender=offender, actor=world.a.admin, image=upload, source="Custody",
                                     taken_on=datetime.date(2025, 1, 1))  # fmt: skip
    assert exc.value.code == "image_too_many_pixels" and "image" in exc.value.fields
    assert not ReferencePhoto.objects.exists() and not OffenderEvent.objects.exists()
