"""Media on an object store (S3): what differs from a local folder, in one place.

On local storage a download is streamed by the app. On S3 the objects are private (``default_acl``
"private": an unsigned request for one is refused), and an officer's download, once the caller has checked
their access and logged it, is a redirect to a signed link that names this one object, says how the browser
should show it, and expires after ``S3_SIGNED_URL_SECONDS``. A video player then seeks with byte ranges
against the object store itself.
"""

import shutil
from typing import IO

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import content_disposition_header

COPY_CHUNK = 1024 * 1024


def is_object_store(storage) -> bool:
    """Whether ``storage`` is S3 (django-storages' ``S3Storage``), where files have no local path."""
    from storages.backends.s3 import S3Storage

    return isinstance(storage, S3Storage)


def signed_url(field, *, filename: str, content_type: str, download: bool = False) -> str | None:
    """A short-lived signed GET link to ``field``'s object, shown ``inline`` (or saved, with ``download``) as
    ``filename`` of ``content_type``; None on local storage (the app streams the file itself)."""
    storage = field.storage
    if not is_object_store(storage):
        return None
    parameters = {
        "ResponseContentType": content_type,
        "ResponseContentDisposition": content_disposition_header(download, filename),
        "ResponseCacheControl": "private, no-store",
    }
    return storage.url(field.name, parameters=parameters, expire=settings.S3_SIGNED_URL_SECONDS)


def signed_redirect(url: str) -> HttpResponseRedirect:
    """The answer that sends the browser to a signed link; not to be cached, since the link expires."""
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def copy_stored(field, out: IO[bytes]) -> None:
    """Write ``field``'s stored bytes into ``out``, in bounded chunks: from S3 by a (ranged, multipart)
    download straight into ``out``, with no second temporary copy; else through ``storage.open``."""
    storage = field.storage
    if is_object_store(storage):
        with storage.open(field.name, "rb") as stored:  # an S3File: its object, not yet downloaded
            stored.obj.download_fileobj(out, Config=storage.transfer_config)
        return
    with storage.open(field.name, "rb") as stored:
        shutil.copyfileobj(stored, out, COPY_CHUNK)
