"""Reference photos (custody images): store, correct and remove them, with their files (audited).

Enrolling a stored photo's face, forgetting a removed photo's templates and the re-search a new photo
makes possible are recognition's: an entry point calls ``workflows.orders`` (same names, same
arguments), which calls these and hands over to recognition in the same transaction.
"""

import datetime
import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from core.images import check_image
from orders.errors import OrderErrorCode
from orders.events import (
    PHOTO_FIELDS,
    diff,
    photo_added_event,
    photo_changed_event,
    photo_removed_event,
    snapshot,
)
from orders.models import Offender, ReferencePhoto
from orders.services.common import UNSET, fail, one_line, require_force_admin, today


def _read_upload(image) -> bytes:
    if hasattr(image, "seek"):
        image.seek(0)
    content = image.read()
    return content if isinstance(content, bytes) else bytes(content)


def _check_taken_on(taken_on: datetime.date, offender: Offender) -> None:
    if not isinstance(taken_on, datetime.date):
        fail("Give the date the photo was taken.", OrderErrorCode.REQUIRED, "taken_on")
    if taken_on > today():
        fail("The photo cannot have been taken in the future.", OrderErrorCode.TAKEN_ON_FUTURE, "taken_on")
    if offender.date_of_birth and taken_on < offender.date_of_birth:
        message = "The photo cannot have been taken before the person was born."
        fail(message, OrderErrorCode.TAKEN_BEFORE_BIRTH, "taken_on")


def _check_source(source: str, message: str) -> str:
    source = one_line(source)
    if not source:
        fail(message, OrderErrorCode.REQUIRED, "source")
    return source


def reference_photo_add(*, offender: Offender, actor, image, source: str, taken_on: datetime.date) -> ReferencePhoto:
    """Check and store a reference photo: its file, its row and the audit row. A file that is not a usable
    image is refused before anything is stored; if the save fails, the file is deleted again."""
    require_force_admin(actor, offender.force_id)
    source = _check_source(source, "Say where the photo came from (e.g. 'Custody, Crewe suite').")
    _check_taken_on(taken_on, offender)
    content = _read_upload(image)
    # The pixel limit is the face engine's own: a larger photo could never be enrolled.
    max_pixels = settings.RECOGNITION_MAX_IMAGE_PIXELS
    checked = check_image(content, max_bytes=settings.ORDERS_PHOTO_MAX_BYTES, max_pixels=max_pixels, noun="photo")
    digest = hashlib.sha256(content).hexdigest()
    if ReferencePhoto.objects.filter(offender=offender, sha256=digest).exists():
        fail("This photo is already held for this person.", OrderErrorCode.DUPLICATE_PHOTO, "image", status_code=409)
    photo = ReferencePhoto(offender=offender, source=source, taken_on=taken_on, uploaded_by=actor, sha256=digest)
    try:
        with transaction.atomic():
            photo.image.save(f"photo.{checked.extension}", ContentFile(content), save=False)
            photo.save()
            photo_added_event(photo=photo, actor=actor)
    except BaseException:
        photo_file_discard(photo)
        raise
    return photo


def photo_file_discard(photo: ReferencePhoto) -> None:
    """Delete a photo's stored file now: its row is being rolled back (a refused enrolment, a failed save)."""
    if photo.image.name:
        photo.image.storage.delete(photo.image.name)


@transaction.atomic
def reference_photo_update(*, photo: ReferencePhoto, actor, source=UNSET, taken_on=UNSET) -> ReferencePhoto:
    """Correct a photo's source or date (the image itself is replaced by removing and adding)."""
    require_force_admin(actor, photo.offender.force_id)
    before = snapshot(photo, PHOTO_FIELDS)
    if source is not UNSET:
        photo.source = _check_source(source, "Say where the photo came from.")
    if taken_on is not UNSET:
        _check_taken_on(taken_on, photo.offender)
        photo.taken_on = taken_on
    old, new = diff(before, snapshot(photo, PHOTO_FIELDS))
    if new:
        photo.save(update_fields=["source", "taken_on", "updated_at"])
        photo_changed_event(photo=photo, actor=actor, old=old, new=new)
    return photo


@transaction.atomic
def reference_photo_remove(*, photo: ReferencePhoto, actor, reason: str = "") -> None:
    """Delete a photo and, once committed, its file. Its face templates go with the row (recognition's
    ``FaceTemplate.reference_photo`` cascades); ``workflows.orders.reference_photo_remove`` also tells
    recognition to forget them."""
    require_force_admin(actor, photo.offender.force_id)
    photo_removed_event(photo=photo, actor=actor, reason=reason)
    photo_delete(photo)


def photo_delete(photo: ReferencePhoto) -> None:
    """Delete the row now and the file once the transaction commits (its audit row is the caller's)."""
    name, storage = photo.image.name, photo.image.storage
    photo.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
