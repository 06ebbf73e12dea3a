"""The checks on one evidence file, without storage or the database."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.exceptions import ApplicationError
from core.images import check_image
from incidents import files
from tests.incidents.conftest import (
    bomb_png,
    broken_mp4,
    frameless_mkv,
    image_bytes,
    pdf_bytes,
    truncated_jpeg,
    upload,
    video_bytes,
)


def code_of(f: SimpleUploadedFile) -> str:
    with pytest.raises(ApplicationError) as err:
        files.inspect(f)
    assert err.value.message.startswith(files.sanitise_name(f.name) + ": ")
    assert err.value.fields == {"files": [err.value.message]}
    return err.value.code


@pytest.mark.parametrize(
    ("name", "fmt", "content_type", "mime", "kind"),
    [
        ("till.jpg", "JPEG", "image/jpeg", "image/jpeg", "image"),
        ("till.JPEG", "JPEG", "application/octet-stream", "image/jpeg", "image"),
        ("door", "PNG", "", "image/png", "image"),
        ("door.png", "PNG", "image/png", "image/png", "image"),
        ("aisle.webp", "WEBP", "image/webp", "image/webp", "image"),
    ],
)
def test_accepted_images(name, fmt, content_type, mime, kind):
    name_out, found = files.inspect(upload(name, image_bytes(fmt), content_type))
    assert (found.mime, found.kind) == (mime, kind)
    assert name_out == name


@pytest.mark.parametrize(
    ("ext", "fourcc", "mime"),
    [
        (".mp4", "mp4v", "video/mp4"),
        (".mov", "mp4v", "video/quicktime"),
        (".avi", "MJPG", "video/x-msvideo"),
        (".mkv", "MJPG", "video/x-matroska"),
    ],
)
def test_accepted_videos(tmp_path, ext, fourcc, mime):
    _, found = files.inspect(upload(f"cctv{ext}", video_bytes(tmp_path, ext=ext, fourcc=fourcc)))
    assert (found.mime, found.kind) == (mime, "video")


@pytest.mark.parametrize("claimed", ["video/x-matroska", "video/matroska"])
def test_mkv_accepted_under_either_matroska_type_browsers_send(tmp_path, claimed):
    # Chromium sends .mkv as video/matroska, others as video/x-matroska.
    _, found = files.inspect(upload("cctv.mkv", video_bytes(tmp_path, ext=".mkv", fourcc="MJPG"), claimed))
    assert (found.mime, found.kind) == ("video/x-matroska", "video")


def test_mov_and_mp4_names_are_interchangeable(tmp_path):
    _, found = files.inspect(upload("cctv.mov", video_bytes(tmp_path), "video/quicktime"))
    assert found.mime == "video/mp4"


def test_empty_file():
    assert code_of(upload("empty.jpg", b"", "image/jpeg")) == "empty_file"


@pytest.mark.parametrize("data", [pdf_bytes(), b"just some text\n" * 10, b"\x00" * 100])
def test_unknown_types(data):
    assert code_of(upload("thing.bin", data)) == "unsupported_type"


def test_unknown_type_message_names_what_we_accept():
    with pytest.raises(ApplicationError) as err:
        files.inspect(upload("report.pdf", pdf_bytes(), "application/pdf"))
    assert err.value.message == (
        "report.pdf: the file's contents are application/pdf. "
        "We accept JPEG, PNG or WebP photos and MP4, MOV, AVI or MKV videos."
    )


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("photo.jpg", "image/png"),  # bytes are PNG... see below
        ("photo.jpg", "application/octet-stream"),
        ("photo.png", "image/jpeg"),
        ("photo.mp4", "application/octet-stream"),
        ("photo.exe", "application/octet-stream"),
        ("photo", "video/mp4"),
    ],
)
def test_bytes_that_do_not_match_the_claimed_type(name, content_type):
    assert code_of(upload(name, image_bytes("PNG"), content_type)) == "type_mismatch"


def test_mismatch_message():
    with pytest.raises(ApplicationError) as err:
        files.inspect(upload("photo.jpg", image_bytes("PNG"), "image/jpeg"))
    assert "contents are a PNG image but its name ends .jpg" in err.value.message


def test_image_over_size_limit(settings):
    settings.INCIDENT_IMAGE_MAX_BYTES = 100
    with pytest.raises(ApplicationError) as err:
        files.inspect(upload("big.jpg", image_bytes("JPEG"), "image/jpeg"))
    assert err.value.code == "file_too_large"
    assert err.value.message.endswith("bytes; the limit for one image is 100 bytes.")


def test_default_limits(settings):
    assert settings.INCIDENT_IMAGE_MAX_BYTES == 25 * 1024 * 1024
    assert settings.INCIDENT_VIDEO_MAX_BYTES == 1024 * 1024 * 1024
    assert files.megabytes(settings.INCIDENT_IMAGE_MAX_BYTES) == "25 MB"
    assert files.megabytes(settings.INCIDENT_VIDEO_MAX_BYTES) == "1024 MB"
    assert files.megabytes(30 * 1024 * 1024 + 200_000) == "30.2 MB"


def test_video_over_size_limit(settings, tmp_path):
    settings.INCIDENT_VIDEO_MAX_BYTES = 1000
    settings.INCIDENT_IMAGE_MAX_BYTES = 10**9
    assert code_of(upload("big.mp4", video_bytes(tmp_path), "video/mp4")) == "file_too_large"
    # the image limit does not apply to videos, nor the video limit to images
    settings.INCIDENT_VIDEO_MAX_BYTES, settings.INCIDENT_IMAGE_MAX_BYTES = 10**9, 1000
    files.inspect(upload("ok.mp4", video_bytes(tmp_path), "video/mp4"))


def test_image_that_does_not_decode():
    # core.images.check_image's code (as for a custody photo), incidents' words naming the file
    assert code_of(upload("cut.jpg", truncated_jpeg(), "image/jpeg")) == "unreadable_image"
    with pytest.raises(ApplicationError) as err:
        files.inspect(upload("cut.jpg", truncated_jpeg(), "image/jpeg"))
    assert (
        err.value.message == "cut.jpg: the image cannot be decoded (it may be damaged or cut short). Export it again."
    )


def test_png_with_corrupt_data():
    data = bytearray(image_bytes("PNG", size=(200, 200)))
    data[60:90] = b"\xff" * 30
    assert code_of(upload("bad.png", bytes(data), "image/png")) == "unreadable_image"


def test_decompression_bomb():
    assert code_of(upload("bomb.png", bomb_png(), "image/png")) == "image_too_many_pixels"


def test_pixel_limit_is_a_setting(settings):
    settings.INCIDENT_IMAGE_MAX_PIXELS = 64 * 48 - 1
    with pytest.raises(ApplicationError) as err:
        files.inspect(upload("a.jpg", image_bytes("JPEG"), "image/jpeg"))
    assert err.value.code == "image_too_many_pixels"
    assert err.value.message == "a.jpg: the image is too large (64 × 48); the limit is 0.003071 million pixels."


@pytest.mark.parametrize(
    ("name", "data", "max_pixels"),
    [
        ("cut.jpg", truncated_jpeg(), 50_000_000),
        ("bomb.png", bomb_png(), 50_000_000),
        ("big.jpg", image_bytes("JPEG"), 64 * 48 - 1),
    ],
)
def test_an_image_fails_with_the_shared_checks_code(settings, name, data, max_pixels):
    """The same failure has the same code for a still from CCTV as for a custody photo (core.images)."""
    settings.INCIDENT_IMAGE_MAX_PIXELS = max_pixels
    with pytest.raises(ApplicationError) as shared:
        check_image(data, max_bytes=10**9, max_pixels=max_pixels)
    assert code_of(upload(name, data)) == shared.value.code


def test_the_image_check_is_core_images(monkeypatch, settings):
    calls = []

    def fake_check(data, **kwargs):
        calls.append(kwargs)

    monkeypatch.setattr(files, "check_image", fake_check)
    files.inspect(upload("till.jpg", image_bytes("JPEG"), "image/jpeg"))
    assert calls == [
        {
            "max_bytes": settings.INCIDENT_IMAGE_MAX_BYTES,
            "max_pixels": settings.INCIDENT_IMAGE_MAX_PIXELS,
            "field": "files",
            "noun": "image",
        }
    ]


def test_video_opencv_cannot_open(tmp_path):
    assert code_of(upload("broken.mp4", broken_mp4(tmp_path), "video/mp4")) == "video_unreadable"


def test_video_without_a_first_frame(tmp_path):
    assert code_of(upload("stub.mkv", frameless_mkv(tmp_path), "video/x-matroska")) == "video_no_frame"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("C:\\Users\\till\\cam 1.jpg", "cam 1.jpg"),
        ("a\x00b\x1f<script>.png", "ab_script_.png"),
        ("", "unnamed"),
        ("...", "unnamed"),
        ("x" * 300 + ".jpg", "x" * 196 + ".jpg"),
    ],
)
def test_names_are_sanitised(raw, clean):
    assert files.sanitise_name(raw) == clean


def test_videos_are_read_from_a_local_path_made_by_core_files(monkeypatch, tmp_path):
    import core.files

    assert files.local_path is core.files.local_path  # one copy, for uploads and stored files alike
    seen = []
    real = core.files.local_path

    def spy(file, **kwargs):
        seen.append(kwargs)
        return real(file, **kwargs)

    monkeypatch.setattr(files, "local_path", spy)
    files.inspect(upload("cctv.mkv", video_bytes(tmp_path, ext=".mkv", fourcc="MJPG")))
    assert seen == [{"suffix": ".mkv"}]  # OpenCV picks its demuxer by the extension of the bytes' type


# Pictures that decode but can never be processed ---------------------------------------


def strip_png(width: int, height: int) -> bytes:
    from tests.orders.test_images import png_of

    return png_of(width, height)


def shaped_video(tmp_dir, width: int, height: int, ext: str = ".avi", fourcc: str = "MJPG") -> bytes:
    import cv2
    import numpy as np

    path = tmp_dir / f"shaped-{width}x{height}{ext}"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 5.0, (width, height))
    for _ in range(3):
        writer.write(np.zeros((height, width, 3), dtype=np.uint8))
    writer.release()
    return path.read_bytes()


@pytest.mark.parametrize(
    ("width", "height", "problem"),
    [
        (100_000, 1, "each side must be at least 32 pixels for a face to be found in it."),
        (1, 200_000, "each side must be at least 32 pixels for a face to be found in it."),
        (2_100, 100, "too narrow for a face to be found in it (the longer side may be at most 20 times the shorter)."),
    ],
)
def test_an_image_no_face_can_be_found_in_is_refused_naming_the_file(width, height, problem):
    """Accepted before, then failed in the worker with an OpenCV assertion on every retry."""
    with pytest.raises(ApplicationError) as err:
        files.inspect(upload("till-strip.png", strip_png(width, height), "image/png"))
    assert err.value.code == "image_unusable_shape" and err.value.status_code == 400
    assert err.value.message.startswith(f"till-strip.png: the image is {width} × {height} pixels: {problem}")


@pytest.mark.parametrize(
    ("width", "height", "ext", "fourcc", "problem"),
    [
        (2000, 40, ".avi", "MJPG", "at most 20 times the shorter"),
        (2000, 40, ".mp4", "mp4v", "at most 20 times the shorter"),
        (24, 24, ".avi", "MJPG", "at least 32 pixels"),
        (16, 320, ".mkv", "MJPG", "at least 32 pixels"),
    ],
)
def test_a_video_whose_picture_no_face_can_be_found_in_is_refused(tmp_path, width, height, ext, fourcc, problem):
    with pytest.raises(ApplicationError) as err:
        files.inspect(upload(f"cam{ext}", shaped_video(tmp_path, width, height, ext, fourcc)))
    assert err.value.code == "image_unusable_shape"
    assert err.value.message.startswith(f"cam{ext}: the video's picture is {width} × {height} pixels: ")
    assert problem in err.value.message


def test_a_video_over_the_pixel_limit_is_refused_before_its_first_frame_is_decoded(settings, tmp_path, monkeypatch):
    import cv2

    settings.INCIDENT_IMAGE_MAX_PIXELS = 64 * 48 - 1
    decoded = []
    real = cv2.VideoCapture

    class Capture:
        def __init__(self, path):
            self._capture = real(path)

        def __getattr__(self, name):
            if name == "read":
                decoded.append(name)
            return getattr(self._capture, name)

    monkeypatch.setattr(cv2, "VideoCapture", Capture)
    with pytest.raises(ApplicationError) as err:
        files.inspect(upload("cctv.mp4", video_bytes(tmp_path), "video/mp4"))
    assert err.value.code == "image_too_many_pixels" and decoded == []
    assert err.value.message == "cctv.mp4: the video's picture is 64 × 48 pixels; the limit is 0.003071 million pixels."


@pytest.mark.django_db
@pytest.mark.parametrize(("width", "height"), [(100_000, 1), (1, 200_000)])
def test_a_strip_uploaded_as_evidence_is_a_400_naming_the_file_and_nothing_is_kept(world, media_root, width, height):
    from incidents.models import Evidence
    from tests.api_helpers import assert_error
    from tests.conftest import client_for
    from tests.incidents.conftest import stored_files
    from tests.incidents.factories import IncidentFactory

    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    files_sent = [upload("door.jpg", image_bytes("JPEG"), "image/jpeg"), upload("strip.png", strip_png(width, height))]
    r = client_for(world.a.worker).post(f"/api/incidents/{incident.pk}/evidence/", {"files": files_sent}, "multipart")
    body = assert_error(r, 400, "files")
    assert body["code"] == "image_unusable_shape" and body["message"].startswith("strip.png: the image is")
    assert not Evidence.objects.exists() and stored_files(media_root) == []
