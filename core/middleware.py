"""Portal pages answer a domain error (ApplicationError) with its status and message, never a 500.
The API has its own handler (core.exception_handlers) with the JSON error shape."""

from django.shortcuts import render

from core.exceptions import ApplicationError


class ApplicationErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ApplicationError):
            context = {"message": exception.message, "code": exception.code, "fields": exception.fields}
            return render(request, "error.html", context, status=exception.status_code)
        return None
