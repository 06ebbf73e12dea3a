"""Fixtures for the incidents tests: small valid (and invalid) image and video files made here."""

import errno
import io
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    return buf.getvalue()


def video_bytes(tmp_dir: Path, *, ext: str = ".mp4", fourcc: str = "mp4v", frames: int = 5, seed: int = 0) -> bytes:
    import cv2

    path = tmp_dir / f"clip-{seed}{ext}"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 5.0, (64, 48))
    assert writer.isOpened(), f"OpenCV cannot write {ext} with {fourcc}"
    rng = np.random.default_rng(seed)
    for _ in range(frames):
        writer.write(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    writer.release()
    return path.read_bytes()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def jpeg() -> bytes:
    return image_bytes("JPEG")


@pytest.fixture
def png() -> bytes:
    return image_bytes("PNG", color=(10, 200, 10))


@pytest.fixture
def mp4(tmp_path) -> bytes:
    return video_bytes(tmp_path)


@pytest.fixture
def media_root(settings, tmp_path):
    """A fresh media folder per test, so that 'no file left behind' can be checked exactly."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _written(media_root: Path | None) -> dict:
    from incidents.models import Evidence, Incident, IncidentEvent

    return {
        "incidents": list(Incident.objects.values_list("pk", "status", "updated_at").order_by("pk")),
        "evidence": Evidence.objects.count(),
        "events": IncidentEvent.objects.count(),
        "files": stored_files(media_root) if media_root is not None else None,
    }


@contextmanager
def nothing_written(media_root: Path | None = None):
    """Asserts that the block wrote nothing: no incident row added or changed, no evidence or incident event
    row, and (given the media folder) no file left in storage. For refusals, beside their status code."""
    before = _written(media_root)
    yield
    assert _written(media_root) == before


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def truncated_jpeg() -> bytes:
    data = image_bytes("JPEG", size=(640, 480))
    return data[: len(data) // 3]


def bomb_png() -> bytes:
    """20000 × 20000 pixels (400 million) in a few kilobytes: a decompression bomb."""
    buf = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buf, format="PNG")
    return buf.getvalue()


def broken_mp4(tmp_dir: Path) -> bytes:
    """Starts like an MP4 (so its type is detected) but OpenCV cannot open it."""
    return video_bytes(tmp_dir)[:2000]


def frameless_mkv(tmp_dir: Path) -> bytes:
    """An MKV whose headers open in OpenCV but which stops before its first frame."""
    return video_bytes(tmp_dir, ext=".mkv", fourcc="MJPG")[:1000]


@pytest.fixture(autouse=True)
def enqueued(monkeypatch):
    """Face matching is the recognition app's business: here we only record what was enqueued."""
    calls: list[int] = []

    def sent(task_name, *args):
        calls.append(args[0])

    monkeypatch.setattr("recognition.queue.send", sent)
    return calls


class _Filling:
    """What ``FullDiskStorage`` hands to FileSystemStorage's write loop: the upload's chunks, cut where the disk
    fills up, then the error a full disk gives (after the bytes that fitted were written, as a real one does)."""

    def __init__(self, content, storage_class):
        self._content = content
        self._class = storage_class

    def chunks(self, chunk_size=None):
        for chunk in self._content.chunks():
            room = self._class.room
            if len(chunk) > room:
                if room:
                    yield chunk[:room]
                self._class.room = 0
                raise OSError(self._class.errno, os.strerror(self._class.errno))
            self._class.room -= len(chunk)
            yield chunk


class FullDiskStorage(FileSystemStorage):
    """The media folder on a disk with ``room`` bytes free: a write past it fails part-way with ``errno``
    (ENOSPC), leaving the bytes that fitted on disk, as Django's FileSystemStorage does on a real full disk.
    ``names`` lists every name a write was started under."""

    room = 0
    errno = errno.ENOSPC
    names: list[str] = []

    def _save(self, name, content):
        type(self).names.append(name)
        return super()._save(name, _Filling(content, type(self)))


@pytest.fixture
def full_disk(settings, media_root):
    """Media on a disk with no room (set ``full_disk.room`` for some); restored after the test."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.incidents.conftest.FullDiskStorage"}}
    FullDiskStorage.room, FullDiskStorage.errno, FullDiskStorage.names = 0, errno.ENOSPC, []
    yield FullDiskStorage
    FullDiskStorage.room, FullDiskStorage.errno, FullDiskStorage.names = 0, errno.ENOSPC, []
