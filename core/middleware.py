"""Portal pages answer a domain error (ApplicationError) with its status and message, never a 500.
The API has its own handler (core.exception_handlers) with the JSON error shape; Django's own error
pages (a URL under /api/ that matches no route, such as ``/api/orders/abc/``, or a request Django
refuses before any view runs) are turned into that shape here, so an API client never gets HTML."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

from core.exceptions import ApplicationError, ErrorCode

_API_PREFIX = "/api/"
_DJANGO_ERRORS = {
    400: ("Bad request: the server could not read it.", ErrorCode.INVALID),
    403: ("Forbidden.", ErrorCode.PERMISSION_DENIED),
    404: ("Not found: no such API address. Ids in addresses are whole numbers.", ErrorCode.NOT_FOUND),
    405: ("Method not allowed.", ErrorCode.METHOD_NOT_ALLOWED),
    413: ("The request is too large.", ErrorCode.INVALID),
    500: ("Something went wrong on our side; it has been logged.", ErrorCode.SERVER_ERROR),
}


class ApplicationErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _write_without_trailing_slash(request):
            # CommonMiddleware would answer 301 (the client then re-sends a GET and the body is lost)
            # or, with DEBUG on, raise RuntimeError. 308 keeps the method and the body.
            location = request.get_full_path(force_append_slash=True)
            body = {"message": f"API addresses end with a slash: use {location}", "code": "not_found", "fields": {}}
            return JsonResponse(body, status=308, headers={"Location": location})
        response = self.get_response(request)
        if request.path.startswith(_API_PREFIX) and response.status_code >= 400 and _is_html(response):
            message, code = _DJANGO_ERRORS.get(response.status_code, ("Request refused.", ErrorCode.INVALID))
            return JsonResponse({"message": message, "code": str(code), "fields": {}}, status=response.status_code)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, ApplicationError):
            context = {"message": exception.message, "code": exception.code, "fields": exception.fields}
            return render(request, "error.html", context, status=exception.status_code)
        return None


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
