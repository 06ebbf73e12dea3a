"""Security headers of responses (Content-Security-Policy, caching of personal data) and who may read the
API's own description.

- Content-Security-Policy (django-csp 4.0): everything from this origin only, and no inline script or
  style anywhere (the portal's scripts and styles are static files; a ``javascript:`` link or a ``style``
  attribute would be refused by the browser), images also from data: URIs. Swagger UI's page is served
  without inline script or style too (``config/urls.py``).
  https://django-csp.readthedocs.io/en/latest/configuration.html
- ``Cache-Control: no-store`` on every response but static files (``core.headers``): API answers, case
  and incident pages, face images, exhibits and the admin carry personal data that no browser or shared
  cache may keep.
- HSTS and the redirect to HTTPS are production's (``config/settings/production.py``).
- Map tiles: with ``MAP_TILE_URL`` set (``components/orders.py``), images are also allowed from the tile
  server's origin (a ``{s}`` subdomain placeholder becomes ``*``); with none (the default) the maps fetch
  nothing from elsewhere and the policy names no other origin.
- Media on S3 (``STORAGE_BACKEND=s3``): images and video also from the object store's origin
  (``MEDIA_ORIGINS``), where the signed links point; none on local storage.
"""

from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env
from config.settings.components.orders import MAP_TILE_URL
from config.settings.components.storage import MEDIA_ORIGINS


def tile_origin(url: str) -> str | None:
    """The origin a tile URL template fetches from (``https://{s}.tiles.example/{z}/{x}/{y}.png`` gives
    ``https://*.tiles.example``), or None when no URL is set."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.netloc.replace("{s}", "*")
    if parts.scheme not in ("https", "http") or not host or "{" in host or "@" in host:
        raise ImproperlyConfigured(
            f"MAP_TILE_URL must be an http(s) URL such as https://tiles.example.police.uk/{{z}}/{{x}}/{{y}}.png, "
            f"not {url!r}."
        )
    return f"{parts.scheme}://{host}"


TILE_ORIGINS = [origin] if (origin := tile_origin(MAP_TILE_URL)) else []

# Apps and middleware this concern adds (base.py places them).
HEADER_APPS: list[str] = ["csp"]
HEADER_MIDDLEWARE: list[str] = [  # right after Django's SecurityMiddleware
    "csp.middleware.CSPMiddleware",
    "core.headers.NoStoreMiddleware",
]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: images: the pages' empty favicon (base.html) and Swagger UI's icons. An image cannot run
        # script, and a data: URI fetches nothing, so this lets no content in from elsewhere.
        # Media on S3: a face image or exhibit is a redirect to a signed link on the object store's origin.
        "img-src": [SELF, "data:", *TILE_ORIGINS, *MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF, *MEDIA_ORIGINS],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# /api/schema/ and /api/docs/: open to anyone on the embedded default and in tests (the schema is
# committed as openapi.yaml, and `make run` listens on loopback); production requires sign-in, so that a
# deployed service does not hand its attack surface to strangers.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=True)
