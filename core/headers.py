"""Response headers the whole site shares (placed by ``config/settings/components/headers.py``)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control

NO_STORE = "no-store"


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every response except static files.

    API answers, case and incident pages, face images, CCTV exhibits, evidence packs and the admin carry
    personal data: no browser history, disk cache or shared proxy may keep a copy after the user has
    left. A response that already says ``no-store`` is left as it is; one that allowed caching is
    overruled. Static files (the portal's CSS and JS, served by WhiteNoise) keep their own caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path.startswith(self.static_prefix):
            return response
        current = response.get("Cache-Control", "")
        if NO_STORE not in [part.strip().lower() for part in current.split(",")]:
            if current:  # a view allowed caching (max-age, public): personal data, so it may not
                del response["Cache-Control"]
            patch_cache_control(response, no_store=True, private=True)
        return response
