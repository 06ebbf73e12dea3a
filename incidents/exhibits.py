"""Streaming an exhibit's file to the portal: whole, or the byte range a video player asks for (so it can be
sought), straight from storage without reading it all into memory. The viewing is audited by the caller."""

import re

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from core.storage import signed_redirect, signed_url
from incidents.models import Evidence

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one range of ``Range: bytes=a-b`` (or ``a-``, or ``-n``: the last n), clipped to the file; None when
    it is absent or not a single satisfiable range (the whole file is then sent)."""
    found = _RANGE.match(header.strip()) if header else None
    if not found or (found[1] == "" and found[2] == ""):
        return None
    if found[1] == "":
        start, end = max(0, size - int(found[2])), size - 1
    else:
        start = int(found[1])
        end = min(int(found[2]), size - 1) if found[2] else size - 1
    if start >= size or start > end:
        return None
    return start, end


def is_first_request(request) -> bool:
    """A viewing starts with a request for the whole file, or for its start: those are audited; a player's
    later range requests within the same viewing are not."""
    found = _byte_range(request.headers.get("Range", ""), 2**63)
    return found is None or found[0] == 0


def _chunks(handle, remaining: int):
    try:
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def stream(request, evidence: Evidence, *, download: bool) -> HttpResponse:
    """The file with its detected content type, shown in the page (``inline``) or saved (``attachment``); on S3
    a redirect to a short-lived signed link to the private object, which the player asks for its ranges."""
    if url := signed_url(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type, download=download
    ):
        return signed_redirect(url)
    size = evidence.size
    handle = default_storage.open(evidence.file.name, "rb")
    wanted = _byte_range(request.headers.get("Range", ""), size)
    if wanted is None:
        response: HttpResponse = FileResponse(
            handle, content_type=evidence.content_type, as_attachment=download, filename=evidence.original_name
        )
        response["Content-Length"] = str(size)
    else:
        start, end = wanted
        handle.seek(start)
        response = StreamingHttpResponse(_chunks(handle, end - start + 1), status=206)
        response["Content-Type"] = evidence.content_type
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
        kind = "attachment" if download else "inline"
        response["Content-Disposition"] = f'{kind}; filename="{evidence.original_name}"'
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    return response
