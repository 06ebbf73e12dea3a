"""The orphan sweep: files that no row refers to, left behind by a web process killed or restarted mid-upload.

An upload writes each exhibit under a temporary name (``….partial``, ``incidents.services``) and renames it
once it is hashed and its row saved; Django spools a large upload to ``FILE_UPLOAD_TEMP_DIR`` while it
arrives. A process killed mid-upload leaves one or both behind, and a failure between the rename and the
commit (or in another app's write) leaves a file that no row names. This sweep deletes, once they are older
than ``ORPHAN_FILE_MIN_AGE_HOURS`` (so that nothing still being written or committed is touched):

- in media, half-written exhibits (``.partial``) and every file that no file field of any model refers to
  (evidence, reference photos, match crops: read from the models, so a new file field is covered too);
- in ``FILE_UPLOAD_TEMP_DIR``, Django's temporary upload files (``*.upload*``).

Each deletion is logged with its reason. Media holds only files that rows refer to: anything else written
there is an orphan to this sweep.
"""

import logging
import os
import posixpath
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

from incidents.services import PARTIAL_SUFFIX

logger = logging.getLogger(__name__)

# Django names its temporary upload files tmp<random>.upload<the upload's extension>.
UPLOAD_TEMP_MARKER = ".upload"


@dataclass
class SweepResult:
    partial: list[str] = field(default_factory=list)  # half-written exhibits (media names)
    unreferenced: list[str] = field(default_factory=list)  # media files no row refers to
    upload_temp: list[str] = field(default_factory=list)  # Django's temporary upload files (paths)

    def counts(self) -> dict[str, int]:
        return {
            "partial": len(self.partial),
            "unreferenced": len(self.unreferenced),
            "upload_temp": len(self.upload_temp),
        }


def orphans_sweep(*, now: datetime | None = None) -> SweepResult:
    """Delete the orphan files older than ``ORPHAN_FILE_MIN_AGE_HOURS``; a file a row refers to is never deleted."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.ORPHAN_FILE_MIN_AGE_HOURS)
    result = SweepResult()
    _sweep_media(cutoff, result)
    _sweep_upload_temp(cutoff, result)
    if any(result.counts().values()):
        logger.info("Orphan sweep: %s", result.counts())
    return result


def referenced_media_names() -> set[str]:
    """Every stored file name a row refers to, through any file field of any model (all rows, whatever the
    model's default manager hides)."""
    names: set[str] = set()
    for model in apps.get_models():
        for file_field in model._meta.concrete_fields:
            if isinstance(file_field, models.FileField) and file_field.model is model:
                rows = model._base_manager.exclude(**{file_field.attname: ""}).exclude(
                    **{f"{file_field.attname}__isnull": True}
                )
                names.update(rows.values_list(file_field.attname, flat=True).iterator())
    return names


def _sweep_media(cutoff: datetime, result: SweepResult) -> None:
    referenced = referenced_media_names()
    for name in _stored_names(""):
        if name in referenced:
            continue
        modified = default_storage.get_modified_time(name)
        if timezone.is_naive(modified):
            modified = timezone.make_aware(modified)
        if modified >= cutoff:
            continue
        partial = name.endswith(PARTIAL_SUFFIX)
        reason = "half-written exhibit" if partial else "no row refers to it"
        if _delete(name, reason, modified):
            (result.partial if partial else result.unreferenced).append(name)


def _stored_names(folder: str) -> Iterator[str]:
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:  # no media folder yet
        return
    for name in files:
        yield posixpath.join(folder, name) if folder else name
    for sub in folders:
        yield from _stored_names(posixpath.join(folder, sub) if folder else sub)


def _delete(name: str, reason: str, modified: datetime) -> bool:
    try:
        default_storage.delete(name)
    except OSError as exc:
        logger.warning("Orphan sweep could not delete %s (%s): %s", name, reason, exc)
        return False
    logger.info("Orphan sweep deleted %s (%s; last written %s)", name, reason, modified.isoformat())
    return True


def _sweep_upload_temp(cutoff: datetime, result: SweepResult) -> None:
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir())
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if UPLOAD_TEMP_MARKER not in path.name or not path.is_file():
            continue
        modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        if modified >= cutoff:
            continue
        try:
            os.unlink(path)
        except OSError as exc:
            logger.warning("Orphan sweep could not delete %s (temporary upload file): %s", path, exc)
            continue
        logger.info("Orphan sweep deleted %s (temporary upload file; last written %s)", path, modified.isoformat())
        result.upload_temp.append(str(path))
