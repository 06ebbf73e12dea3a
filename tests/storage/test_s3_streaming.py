"""A large video goes to S3 as it came: from the temporary file Django spooled the upload to, by multipart
upload in bounded chunks, hashed on the way (the file is read once), never held whole in memory."""

import hashlib
import math
import os
import tracemalloc

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import TemporaryUploadedFile

from bench.bench_incidents import make_video
from incidents import services
from tests.cases.factories import incident_at

pytestmark = pytest.mark.django_db
VIDEO_MB = 200
MiB = 1024 * 1024


class CountingFile:
    """The upload's temporary file, counting the bytes read from it (to show it is read once)."""

    def __init__(self, file):
        self._file = file
        self.bytes_read = 0

    def read(self, *args):
        data = self._file.read(*args)
        self.bytes_read += len(data)
        return data

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __iter__(self):
        return iter(self._file)


def spooled_upload(path, tmp_dir) -> TemporaryUploadedFile:
    """What ``TemporaryFileUploadHandler`` hands the view for a large file: a ``TemporaryUploadedFile`` in
    FILE_UPLOAD_TEMP_DIR holding the bytes received (copied here from ``path`` in 1 MiB chunks)."""
    size = path.stat().st_size
    upload = TemporaryUploadedFile("shop-cctv.mp4", "video/mp4", size, None)
    with open(path, "rb") as src:
        while chunk := src.read(MiB):
            upload.write(chunk)
    upload.seek(0)
    return upload


def sha256_of(read, chunk=MiB) -> str:
    digest = hashlib.sha256()
    while data := read(chunk):
        digest.update(data)
    return digest.hexdigest()


def test_large_video_streams_to_s3_in_parts_hashed_once_in_bounded_memory(world, bucket, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR)
    video = tmp_path / "cctv.mp4"
    size = make_video(video, VIDEO_MB)
    with open(video, "rb") as fh:
        expected = sha256_of(fh.read)
    upload = spooled_upload(video, tmp_path)
    counting = CountingFile(upload.file)
    upload.file = counting
    incident = incident_at(world.a.store, world.a.worker)

    tracemalloc.start()
    try:
        (evidence,) = services.evidence_add(incident=incident, files=[upload], uploaded_by=world.a.worker)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    upload.close()

    assert evidence.size == size and evidence.sha256 == expected
    assert counting.bytes_read < size + MiB  # read once: checks take its first bytes, the hash its stream
    assert peak < size / 4, f"peak {peak / MiB:.1f} MiB for a {size / MiB:.0f} MiB video"
    chunk = django_settings.S3_MULTIPART_CHUNK_BYTES
    assert peak < (2 * django_settings.S3_MAX_CONCURRENCY + 2) * chunk  # the parts in flight, and little else
    head = bucket.client.head_object(Bucket=bucket.name, Key=evidence.file.name)
    assert head["ContentLength"] == size
    assert head["ETag"].strip('"').endswith(f"-{math.ceil(size / chunk)}")  # a multipart upload, part by part
    body = bucket.client.get_object(Bucket=bucket.name, Key=evidence.file.name)["Body"]
    assert sha256_of(body.read) == expected
