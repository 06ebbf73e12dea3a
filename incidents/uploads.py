"""An upload handler that stops storing a file once it passes its size limit.

Without it, a 5 GB "video" would be written in full to a temporary file before the service
refused it. This handler goes first: it looks at each file's first bytes to know its kind
(image or video) and so its limit, and once a file passes that limit it drops the rest of its
bytes (reading them, so that the client still gets its 400 answer rather than a reset
connection). The file then arrives as an ``OversizeUpload``: its first bytes and its true size,
which the normal checks refuse with the usual "too large" message.

Every upload, here or in any other app, that is larger than ``FILE_UPLOAD_MAX_MEMORY_SIZE`` is spooled to
``FILE_UPLOAD_TEMP_DIR`` by ``TemporaryFileUploadHandler`` (``FILE_UPLOAD_HANDLERS``).
"""

import io
import os

import filetype
from django.conf import settings
from django.core.files import uploadhandler
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from incidents.files import TYPES


class OversizeUpload(UploadedFile):
    """A file that passed its size limit: only its first bytes were kept; ``size`` is the real size."""

    def __init__(self, *, head: bytes, name: str, content_type: str, size: int):
        super().__init__(io.BytesIO(head), name=name, content_type=content_type, size=size)


class EvidenceSizeLimitHandler(FileUploadHandler):
    HEAD_BYTES = 8192

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.head = b""
        self.limit: int | None = None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if len(self.head) < self.HEAD_BYTES:
            self.head += raw_data[: self.HEAD_BYTES - len(self.head)]
        if self.limit is None:
            guess = filetype.guess(self.head)
            found = TYPES.get(guess.mime) if guess else None
            is_image = found is None or found.kind == "image"  # unknown types are refused anyway
            self.limit = settings.INCIDENT_IMAGE_MAX_BYTES if is_image else settings.INCIDENT_VIDEO_MAX_BYTES
        if self.received > self.limit:
            return None  # past the limit: the next handlers (temporary file) get nothing more
        return raw_data

    def file_complete(self, file_size):
        if self.limit is not None and self.received > self.limit:
            return OversizeUpload(
                head=self.head, name=self.file_name, content_type=self.content_type, size=self.received
            )
        return None  # within the limit: the next handler's file stands


def limit_upload_sizes(request) -> None:
    """Put the size-limit handler first; call before anything reads ``request.POST``/``FILES``."""
    request.upload_handlers.insert(0, EvidenceSizeLimitHandler(request))


class TemporaryFileUploadHandler(uploadhandler.TemporaryFileUploadHandler):
    """Django's, writing to ``FILE_UPLOAD_TEMP_DIR``, which it creates when first needed (settings write
    nothing to disk). A write that fails (a full disk) deletes the file at once; a file left there by a web
    process killed mid-upload is deleted by the orphan sweep (``incidents.housekeeping``)."""

    def new_file(self, *args, **kwargs):
        if settings.FILE_UPLOAD_TEMP_DIR:
            os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        try:
            return super().receive_data_chunk(raw_data, start)
        except OSError:  # a full disk: the file cut short is deleted now, not when it is garbage-collected
            self.upload_interrupted()
            raise
