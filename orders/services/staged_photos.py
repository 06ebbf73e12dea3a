"""A reference photo chosen on a form that was sent back for an error elsewhere (a missing source, a wrong
PNC ID) is kept for a short while, so that nobody has to choose the file again: the form carries only an
unguessable token, and the file waits under ``staged_photos/<user id>/`` in the media storage (shared by
every web process, local or S3). Only its uploader can use or see it; it goes when the photo is saved or
given up, and anything older than ``STAGED_PHOTO_LIFETIME`` is never read again and is deleted whenever the
same person stages another, and by the nightly retention task (``staged_photos_purge``) for everyone.

A staged file is not a reference photo: it has no row, no template and is never searched."""

import datetime
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from core.images import check_image

STAGED_DIR = "staged_photos"
STAGED_PHOTO_LIFETIME = datetime.timedelta(hours=1)
_TOKEN = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


@dataclass(frozen=True)
class StagedPhoto:
    token: str  # "<32 hex digits>.<extension>": the file's name in the uploader's folder
    content: bytes

    def as_upload(self) -> ContentFile:
        return ContentFile(self.content, name=f"photo.{self.token.rsplit('.', 1)[1]}")


def _folder(user) -> str:
    return f"{STAGED_DIR}/{int(user.pk)}"


def photo_stage(*, user, upload) -> str:
    """Keep a chosen photo for ``user`` and return its token. A file that is not a usable image is refused
    (``ApplicationError`` on ``image``) and nothing is kept: there is nothing worth keeping."""
    upload.seek(0)
    content = upload.read()
    checked = check_image(
        content,
        max_bytes=settings.ORDERS_PHOTO_MAX_BYTES,
        max_pixels=settings.RECOGNITION_MAX_IMAGE_PIXELS,
        noun="photo",
    )
    upload.seek(0)
    _sweep(user)
    token = f"{uuid.uuid4().hex}.{checked.extension}"
    default_storage.save(f"{_folder(user)}/{token}", ContentFile(content))
    return token


def photo_staged(*, user, token: str) -> StagedPhoto | None:
    """The photo ``user`` staged under ``token``, or None (unknown, someone else's, expired, malformed)."""
    if not token or not _TOKEN.match(token):
        return None
    name = f"{_folder(user)}/{token}"
    if not default_storage.exists(name) or _expired(name):
        return None
    with default_storage.open(name, "rb") as fp:
        return StagedPhoto(token=token, content=fp.read())


def photo_unstage(*, user, token: str) -> None:
    if token and _TOKEN.match(token):
        name = f"{_folder(user)}/{token}"
        if default_storage.exists(name):
            default_storage.delete(name)


def _expired(name: str, now: datetime.datetime | None = None) -> bool:
    try:
        return (now or timezone.now()) - default_storage.get_modified_time(name) > STAGED_PHOTO_LIFETIME
    except (NotImplementedError, OSError):
        return False


def _sweep(user) -> None:
    """Delete the user's staged photos older than the lifetime."""
    folder = _folder(user)
    try:
        _dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    for name in files:
        if _expired(f"{folder}/{name}"):
            default_storage.delete(f"{folder}/{name}")


def staged_photos_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete every staged photo past its lifetime (a form given up): returns how many were deleted."""
    try:
        folders, _files = default_storage.listdir(STAGED_DIR)
    except (FileNotFoundError, NotImplementedError, OSError):
        return 0
    deleted = 0
    for folder in folders:
        try:
            _dirs, files = default_storage.listdir(f"{STAGED_DIR}/{folder}")
        except (FileNotFoundError, OSError):
            continue
        for name in files:
            path = f"{STAGED_DIR}/{folder}/{name}"
            if _expired(path, now):
                default_storage.delete(path)
                deleted += 1
    return deleted
