"""One JSON error shape for every API error: ``{"message": str, "code": str, "fields": {...}}``.

Follows HackSoft's styleguide: DRF's own exceptions, Django's ValidationError/Http404/
PermissionDenied and our ApplicationError all come out the same way. Two faults of the server's
surroundings are not 500s: the database unavailable (503 ``service_unavailable`` with ``Retry-After``:
the same request succeeds once it is back) and no room left on disk (507 ``storage_full``).
``fault_error`` names them, for this handler and for the pages (``core.middleware``).
"""

import errno
import logging
import os
import traceback

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from core.exceptions import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)


# How long a client waits before sending again a request the database could not serve (a restart or a
# fail-over takes seconds; the portal's uploader waits this long before it retries).
RETRY_AFTER_S = 15
# "No space left on device" and "disk quota exceeded": nothing can be written until someone makes room.
STORAGE_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
SERVICE_UNAVAILABLE_MESSAGE = (
    "The service is unavailable for a moment (its database cannot be reached). Nothing was changed: "
    f"send the same request again in {RETRY_AFTER_S} seconds."
)
STORAGE_FULL_MESSAGE = (
    "The server has no room left to store files, so nothing was kept. Try again later; if it keeps happening, "
    "tell your force."
)


def is_storage_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in STORAGE_FULL_ERRNOS


def fault_error(exc: BaseException) -> ApplicationError | None:
    """The 503 or 507 answer for a fault of the server's surroundings (database unreachable or failing over,
    disk full), or None for any other error. A 503 is sent with ``Retry-After`` (``retry_after_headers``)."""
    if isinstance(exc, ApplicationError):
        return exc if exc.status_code in (503, 507) else None
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("Database unavailable: %s", exc)
        return ApplicationError(SERVICE_UNAVAILABLE_MESSAGE, code=ErrorCode.SERVICE_UNAVAILABLE, status_code=503)
    if is_storage_full(exc):
        logger.error("No room left to store a file: %s", exc)
        return ApplicationError(STORAGE_FULL_MESSAGE, code=ErrorCode.STORAGE_FULL, status_code=507)
    return None


def retry_after_headers(status_code: int) -> dict[str, str]:
    return {"Retry-After": str(RETRY_AFTER_S)} if status_code == 503 else {}


def error_body(message: str, code: str, fields: dict | None = None) -> dict:
    return {"message": message, "code": str(code), "fields": fields or {}}


def _flatten(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_flatten(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(f"{k}: {_flatten(v)}" for k, v in detail.items())
    return str(detail)


def _field_messages(name: str, detail, out: dict[str, list[str]]) -> None:
    """Nested errors (a list item, a nested serializer) become their own dotted field, as the
    services name them (``prohibitions[0].stores``, ``files[1]``), never a Python repr."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or str(key).isdigit():
                _field_messages(f"{name}[{key}]", value, out)
            elif key == "non_field_errors":
                _field_messages(name, value, out)
            else:
                _field_messages(f"{name}.{key}" if name else str(key), value, out)
    elif isinstance(detail, list):
        for i, item in enumerate(detail):
            if isinstance(item, dict | list):
                # A list of nested serializers: one entry per item, empty when that item was fine.
                _field_messages(f"{name}[{i}]", item, out)
            else:
                _field_messages(name, item, out)
    else:
        out.setdefault(name, []).append(str(detail))


def _validation_body(exc: exceptions.ValidationError) -> dict:
    detail = exc.detail
    if isinstance(detail, dict):
        non_field = detail.get("non_field_errors")
        fields: dict[str, list[str]] = {}
        for key, value in detail.items():
            if key != "non_field_errors":
                _field_messages(str(key), value, fields)
        if non_field:
            message = _flatten(non_field)
        else:
            first = next(iter(fields.items()), None)
            message = f"Invalid input: {first[0]}: {first[1][0]}" if first else "Invalid input."
        return error_body(message, ErrorCode.INVALID, fields)
    return error_body(_flatten(detail), ErrorCode.INVALID)


PARSERS_FILE = os.path.join("rest_framework", "parsers.py")


def _raised_while_parsing(exc: BaseException) -> bool:
    return any(frame.f_code.co_filename.endswith(PARSERS_FILE) for frame, _ in traceback.walk_tb(exc.__traceback__))


def _refused_request(exc: SuspiciousOperation) -> Response:
    """Django's limits on a request body (DATA_UPLOAD_MAX_*) raise while DRF parses it; DRF lets them through."""
    if isinstance(exc, TooManyFieldsSent):
        message = f"Too many form fields: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} in one request."
    elif isinstance(exc, TooManyFilesSent):
        message = f"Too many files: at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES} in one request."
    elif isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return Response(
            error_body(f"The request body (not counting files) is larger than {limit} MB.", ErrorCode.PARSE_ERROR),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    else:
        message = "The request could not be read."
    return Response(error_body(message, ErrorCode.PARSE_ERROR), status=status.HTTP_400_BAD_REQUEST)


def api_exception_handler(exc, context):
    if isinstance(exc, SuspiciousOperation):
        return _refused_request(exc)
    if isinstance(exc, RecursionError) and _raised_while_parsing(exc):
        # json.loads of [[[[...]]]] nested thousands deep: the client's body, not our fault.
        exc = exceptions.ParseError("The request body is nested too deeply to read (JSON parse error).")
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    exc = fault_error(exc) or exc
    if isinstance(exc, ApplicationError):
        headers = retry_after_headers(exc.status_code)
        return Response(error_body(exc.message, exc.code, exc.fields), status=exc.status_code, headers=headers)

    response = exception_handler(exc, context)
    if response is None:
        # Unexpected: log it and still answer in the documented shape.
        logger.exception("Unhandled API error", exc_info=exc)
        return Response(
            error_body("Something went wrong on our side; it has been logged.", ErrorCode.SERVER_ERROR),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc)
        return response
    code = getattr(exc, "retrace_code", None) or exc.get_codes()
    response.data = error_body(_flatten(exc.detail), code if isinstance(code, str) else ErrorCode.INVALID)
    return response
