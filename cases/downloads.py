"""Files the cases API and pages send: a case's face images, a CCTV exhibit in byte ranges, the
evidence pack and the access log as CSV. HTTP responses only; what is logged is the caller's business
(``cases.services.case_access_log``), before it sends the file. On S3 an image or exhibit is not sent by the
app: the answer is a redirect to a short-lived signed link to its private object (``core.storage``)."""

import re

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase

from cases.models import Case, CaseAccess
from core import csv
from core.exceptions import ApplicationError, ErrorCode
from core.storage import signed_redirect, signed_url

RANGE_CHUNK = 8 * 1024 * 1024  # the most one ranged answer sends; players ask again for the rest
_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")
_BEYOND = 10**18  # what a position of more digits than this stands for: past the end of any file


def _position(digits: str) -> int:
    """A byte position from the header; one too long for ``int`` (Python refuses over 4,300 digits) or for
    any file is past the end of every file, not an error."""
    return int(digits) if len(digits) <= 18 else _BEYOND


def attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def evidence_pack_download(*, case: Case, pack) -> HttpResponseBase:
    """The pack's zip (streamed from its file: it holds the original exhibits) or, built without one, its PDF."""
    name = f"{case.reference or f'case-{case.pk}'}-evidence-pack"
    if pack.zip_file is None:
        return attachment(pack.pdf, "application/pdf", f"{name}.pdf")
    return FileResponse(pack.zip_file, as_attachment=True, filename=f"{name}.zip", content_type="application/zip")


def case_image_field(case: Case, which: str) -> FieldFile:
    """The stored face image of a case: ``cctv`` (the crop of the best match) or ``reference`` (its photo)."""
    match = case.best_match
    if which == "cctv" and match and match.crop:  # gone once a rejected match's retention ends
        return match.crop
    if which == "reference" and match and match.reference_photo and match.reference_photo.image:
        return match.reference_photo.image
    raise ApplicationError("No such image for this case.", code=ErrorCode.NOT_FOUND, status_code=404)


def image_response(field: FieldFile) -> HttpResponseBase:
    if url := signed_url(field, filename="face.jpg", content_type="image/jpeg"):
        return signed_redirect(url)
    return FileResponse(field.storage.open(str(field.name), "rb"), content_type="image/jpeg")


def byte_range(request, size: int) -> tuple[int, int] | None:
    """The (first, last) byte a ``Range: bytes=a-b`` header asks for, or None when there is none (or it is
    not one range of bytes: the whole file is sent). First past last means it cannot be satisfied (416)."""
    match = _RANGE.fullmatch(request.headers.get("Range", "").strip())
    if not match or not (match[1] or match[2]):
        return None
    if not match[1]:  # the last N bytes, at most a chunk of them (a player asks again for the rest)
        first = max(size - _position(match[2]), 0)
        return first, min(size - 1, first + RANGE_CHUNK - 1)
    first = _position(match[1])
    last = min(_position(match[2]) if match[2] else size - 1, size - 1, first + RANGE_CHUNK - 1)
    return first, last


def exhibit_response(evidence, wanted: tuple[int, int] | None) -> HttpResponseBase:
    """The exhibit whole (``wanted`` None) or the byte range asked for, so that a player can seek; on S3 a
    redirect to a signed link, which the player then asks for its ranges."""
    field = evidence.file
    url = signed_url(field, filename=evidence.original_name, content_type=evidence.content_type)
    if url and not (wanted and wanted[0] > wanted[1]):
        return signed_redirect(url)
    if wanted is None:
        whole = FileResponse(
            field.storage.open(field.name, "rb"), content_type=evidence.content_type, filename=evidence.original_name
        )
        whole["Accept-Ranges"] = "bytes"
        return whole
    first, last = wanted
    if first > last:
        return HttpResponse(status=416, headers={"Content-Range": f"bytes */{field.size}"})
    with field.storage.open(field.name, "rb") as handle:
        handle.seek(first)
        data = handle.read(last - first + 1)
    response = HttpResponse(data, status=206, content_type=evidence.content_type)
    response["Content-Range"] = f"bytes {first}-{first + len(data) - 1}/{field.size}"
    response["Accept-Ranges"] = "bytes"
    return response


ACCESS_LOG_CSV_HEADER = ["when", "user", "full name", "collar number", "kind", "case", "justification", "detail"]


def access_log_csv(qs) -> HttpResponse:
    """The s.62 access log as CSV, one row per entry: who by username, full name and collar number (empty for a
    user with none, and for the system's own rows). The page's export and the API's are this one file."""
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="retrace-access-log.csv"'
    writer = csv.writer(response)
    writer.writerow(ACCESS_LOG_CSV_HEADER)
    access: CaseAccess
    for access in qs.iterator():
        user = access.user
        writer.writerow(
            [
                access.created_at.isoformat(),
                user.username if user else "system",
                user.get_full_name() if user else "",
                user.collar_number if user else "",
                access.kind,
                access.case_id or "",
                access.justification,
                access.detail,
            ]
        )
    return response
