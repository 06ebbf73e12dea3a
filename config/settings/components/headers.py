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
"""

from csp.constants import NONE, SELF

from config.env import env

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
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
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
