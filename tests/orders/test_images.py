"""The one check of an uploaded image (``core.images.check_image``), as reference photos use it: one code per
failure, a pixel limit read from the header before any decoding, and every byte of image data decoded."""

import datetime
import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from core.exceptions import ApplicationError
from core.images import check_image
from orders import services
from orders.models import Offender, OffenderEvent, ReferencePhoto
from tests.api_helpers import assert_error
from tests.conftest import client_for
from tests.orders.factories import OffenderFactory
from tests.orders.test_photos import _offender_form

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


# A real bomb, and pictures no face can be found in ----------------------------------


def png_of(width: int, height: int) -> bytes:
    """A real, complete PNG of ``width`` x ``height`` black pixels at one bit per pixel, every row present (a
    30,000 x 30,000 one is about 110 KB): what a decompression bomb or an extreme strip really is."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then the row's bits
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


BOMB = png_of(30_000, 30_000)


def test_a_real_30000_square_png_is_refused_from_its_header_with_its_size():
    """900 million pixels: Pillow's own bomb check raised before the size could be read, so the message could
    not say how large it was. The size is now read by the PNG reader, with no bomb check and no decoding."""
    with pytest.raises(ApplicationError) as exc:
        check_image(BOMB, max_bytes=10 * 1024 * 1024, max_pixels=60_000_000, noun="photo")
    assert exc.value.code == "image_too_many_pixels"
    assert exc.value.message == "The photo is too large (30000 × 30000); the limit is 60 million pixels."


@pytest.mark.parametrize(
    ("width", "height", "problem"),
    [
        (100_000, 1, "each side must be at least 32 pixels"),
        (1, 200_000, "each side must be at least 32 pixels"),
        (31, 400, "each side must be at least 32 pixels"),
        (2_100, 100, "the longer side may be at most 20 times the shorter"),
        (40, 1_000, "the longer side may be at most 20 times the shorter"),
    ],
)
def test_a_picture_no_face_can_be_found_in_is_refused_before_decoding(width, height, problem):
    """It decoded, was accepted, then failed in the worker (an OpenCV assertion) on every retry."""
    with pytest.raises(ApplicationError) as exc:
        check_image(png_of(width, height), **LIMITS, noun="photo")
    assert exc.value.code == "image_unusable_shape" and exc.value.status_code == 400
    assert exc.value.message.startswith(f"The photo is {width} × {height} pixels: ") and problem in exc.value.message
    assert exc.value.fields == {"image": [exc.value.message]}


@pytest.mark.parametrize(("width", "height"), [(32, 32), (640, 32), (32, 640), (1920, 1080)])
def test_the_smallest_and_narrowest_pictures_allowed_pass(width, height):
    assert check_image(png_of(width, height), max_bytes=1024 * 1024, max_pixels=50_000_000).width == width


def test_the_shape_limits_are_settings(settings):
    settings.IMAGE_MIN_SIDE_PX, settings.IMAGE_MAX_ASPECT_RATIO = 8, 100
    assert check_image(png_of(800, 8), **LIMITS).height == 8
    settings.IMAGE_MIN_SIDE_PX, settings.IMAGE_MAX_ASPECT_RATIO = 64, 2
    with pytest.raises(ApplicationError, match="at least 64 pixels"):
        check_image(encoded(size=(64, 48)), **LIMITS)
    with pytest.raises(ApplicationError, match="at most 2 times"):
        check_image(encoded(size=(200, 64)), **LIMITS)


def _photo_api(world, offender, data: bytes):
    image = SimpleUploadedFile("custody.png", data, content_type="image/png")
    body = {"image": image, "source": "Custody, Crewe suite", "taken_on": "2025-11-02"}
    return client_for(world.a.admin).post(f"/api/offenders/{offender.pk}/photos/", body, format="multipart")


def _photo_admin(world, data: bytes):
    client = Client()
    client.force_login(world.a.admin)
    photo = SimpleUploadedFile("custody.png", data, content_type="image/png")
    return client.post("/admin/orders/offender/add/", _offender_form(photo), follow=True)


def _nothing_kept(media_root) -> bool:
    files = [p for p in media_root.rglob("*") if p.is_file()]
    return not ReferencePhoto.objects.exists() and not OffenderEvent.objects.filter(kind="photo_added") and not files


@pytest.mark.django_db
def test_a_30000_square_reference_photo_is_a_400_through_the_api_and_nothing_is_kept(world, media_root):
    offender = OffenderFactory(force=world.a.force)
    body = assert_error(_photo_api(world, offender, BOMB), 400, "image")
    assert body["code"] == "image_too_many_pixels" and "30000 × 30000" in body["message"]
    assert _nothing_kept(media_root)


@pytest.mark.django_db
def test_a_30000_square_reference_photo_is_refused_on_the_admin_form_and_nothing_is_kept(world, media_root):
    r = _photo_admin(world, BOMB)
    assert r.status_code == 200 and 'class="errorlist' in r.content.decode()
    assert not Offender.objects.exists() and _nothing_kept(media_root)


@pytest.mark.django_db
@pytest.mark.parametrize(("width", "height"), [(100_000, 1), (1, 200_000)])
def test_a_strip_as_a_reference_photo_is_a_400_naming_why_and_nothing_is_kept(world, media_root, width, height):
    offender = OffenderFactory(force=world.a.force)
    body = assert_error(_photo_api(world, offender, png_of(width, height)), 400, "image")
    assert body["code"] == "image_unusable_shape" and f"{width} × {height} pixels" in body["message"]
    assert _nothing_kept(media_root)
    html = _photo_admin(world, png_of(width, height)).content.decode()
    assert f"Nothing was saved: The photo is {width} × {height} pixels: each side must be at least 32" in html
    assert Offender.objects.filter(family_name="Smith").count() == 0 and _nothing_kept(media_root)
