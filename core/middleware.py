"""Portal pages answer a domain error (ApplicationError) with its status and message, never a 500.
The API has its own handler (core.exception_handlers) with the JSON error shape; Django's own error
pages (a URL under /api/ that matches no route, such as ``/api/orders/abc/``, or a request Django
refuses before any view runs) are turned into that shape here, so an API client never gets HTML.

Faults of the server's surroundings (``core.exception_handlers.fault_error``) are not 500s here either: the
database unavailable is a plain 503 page with ``Retry-After`` (the portal's uploader waits and sends again),
no room on disk a 507 page. And a request refused before its body was read (an upload by someone not allowed
to upload) has that body read and dropped, up to ``REQUEST_DRAIN_MAX_BYTES``, so that the next request on the
same keep-alive connection gets its answer: gunicorn drains only 64 KB of an unread body, then closes the
connection without saying so."""

import logging
import sys

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.core.signals import got_request_exception
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from core.exception_handlers import error_body, fault_error, retry_after_headers
from core.exceptions import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)

_API_PREFIX = "/api/"
_DJANGO_ERRORS = {
    400: ("Bad request: the server could not read it.", ErrorCode.INVALID),
    403: ("Forbidden.", ErrorCode.PERMISSION_DENIED),
    404: ("Not found: no such API address. Ids in addresses are whole numbers.", ErrorCode.NOT_FOUND),
    405: ("Method not allowed.", ErrorCode.METHOD_NOT_ALLOWED),
    413: ("The request is too large.", ErrorCode.INVALID),
    500: ("Something went wrong on our side; it has been logged.", ErrorCode.SERVER_ERROR),
}
# The fault pages: plain, rendered without the request (no user, no session: the database may be down).
_FAULT_TEMPLATES = {503: "503.html", 507: "507.html"}
_DRAIN_CHUNK = 64 * 1024


class ApplicationErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _write_without_trailing_slash(request):
            # CommonMiddleware would answer 301 (the client then re-sends a GET and the body is lost)
            # or, with DEBUG on, raise RuntimeError. 308 keeps the method and the body.
            location = request.get_full_path(force_append_slash=True)
            body = {"message": f"API addresses end with a slash: use {location}", "code": "not_found", "fields": {}}
            drain_unread_body(request)
            return JsonResponse(body, status=308, headers={"Location": location})
        response = self.get_response(request)
        fault = getattr(request, "_retrace_fault", None)
        if fault is not None and response.status_code == 500:
            # Raised where process_exception does not see it (a later middleware): answered here all the same.
            response = fault_response(request, fault)
        elif request.path.startswith(_API_PREFIX) and response.status_code >= 400 and _is_html(response):
            message, code = _DJANGO_ERRORS.get(response.status_code, ("Request refused.", ErrorCode.INVALID))
            response = JsonResponse({"message": message, "code": str(code), "fields": {}}, status=response.status_code)
        drain_unread_body(request)
        return response

    def process_exception(self, request, exception):
        fault = fault_error(exception)
        if fault is not None:
            return fault_response(request, fault)
        if isinstance(exception, ApplicationError):
            context = {"message": exception.message, "code": exception.code, "fields": exception.fields}
            return render(request, "error.html", context, status=exception.status_code)
        return None


def fault_response(request, fault: ApplicationError) -> HttpResponse:
    """The 503/507 answer: the API's error shape under /api/, else a plain page."""
    headers = retry_after_headers(fault.status_code)
    if request.path.startswith(_API_PREFIX):
        return JsonResponse(error_body(fault.message, fault.code), status=fault.status_code, headers=headers)
    template = _FAULT_TEMPLATES.get(fault.status_code, "500.html")
    html = render_to_string(template, {"message": fault.message})
    return HttpResponse(html, status=fault.status_code, headers=headers)


def _note_fault(sender, request=None, **kwargs) -> None:
    """Django is about to answer 500 for an exception no view handler saw (raised by a middleware after this
    one): if it is a fault of the surroundings, ``ApplicationErrorMiddleware`` answers 503/507 instead."""
    exception = sys.exc_info()[1]
    if request is not None and exception is not None:
        fault = fault_error(exception)
        if fault is not None:
            request._retrace_fault = fault


got_request_exception.connect(_note_fault, dispatch_uid="core.middleware.note_fault")


def drain_unread_body(request) -> None:
    """Read and drop what is left of the request's body (none, when a view read it), up to
    ``REQUEST_DRAIN_MAX_BYTES``; a larger one is left to the server, which closes the connection."""
    stream = getattr(request, "_stream", None)
    if not isinstance(stream, LimitedStream):
        return  # read into memory already (request.body), or not a WSGI request
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if length <= 0 or length > settings.REQUEST_DRAIN_MAX_BYTES:
        return
    try:
        while stream.read(_DRAIN_CHUNK):
            pass
    except Exception as exc:  # noqa: BLE001 - the client went away: the answer stands, the connection closes
        logger.info("Could not read the rest of a refused request's body: %s", exc)


def _is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def _write_without_trailing_slash(request) -> bool:
    if not request.path.startswith(_API_PREFIX) or request.method in ("GET", "HEAD") or request.path.endswith("/"):
        return False
    try:
        resolve(request.path_info + "/")
    except Resolver404:
        return False
    return True
