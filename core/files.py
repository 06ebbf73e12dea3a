"""Files on local disk for libraries that need a path (OpenCV): the one way to get one."""

import contextlib
import os
import tempfile
from collections.abc import Iterator

from core.storage import copy_stored


@contextlib.contextmanager
def local_path(file, *, suffix: str | None = None) -> Iterator[str]:
    """A path on local disk holding ``file``'s bytes, for as long as the block runs.

    ``file`` is a stored file (a ``FieldFile``: the file itself on local storage, else a temporary copy
    of it from remote storage such as S3) or an upload (its temporary file when Django spooled it to
    disk, else a temporary copy of its bytes). ``suffix`` names the copy's extension (OpenCV picks a
    demuxer by it); by default the file's own."""
    path = _existing_path(file)
    if path:
        yield path
        return
    if suffix is None:
        suffix = os.path.splitext(file.name or "")[1]
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        _copy(file, tmp)
        tmp.flush()
        yield tmp.name


def _existing_path(file) -> str | None:
    if hasattr(file, "temporary_file_path"):  # an upload Django wrote to disk
        file.file.flush()
        return file.temporary_file_path()
    if hasattr(file, "chunks") and not hasattr(file, "storage"):  # an upload held in memory
        return None
    try:
        return file.path  # a stored file on local storage
    except (NotImplementedError, AttributeError, ValueError):  # remote storage (S3)
        return None


def _copy(file, tmp) -> None:
    if not hasattr(file, "storage"):  # an upload: copy its bytes and leave it readable from the start
        for chunk in file.chunks():
            tmp.write(chunk)
        file.seek(0)
        return
    copy_stored(file, tmp)  # from S3: downloaded straight into the temporary file, never whole into memory
