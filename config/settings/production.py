"""Production: every secret comes from the environment, with no default, and so do the database and
the broker: a missing DATABASE_URL or CELERY_BROKER_URL stops start-up instead of falling back to the
embedded default (SQLite and a folder broker under var/)."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import env


def _required(name: str, what: str, example: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Production needs {what}: set {name}, for example {name}={example} "
            "(the embedded default is for `make run` only)."
        )
    return value


_required("DATABASE_URL", "a PostgreSQL database", "postgres://retrace:PASSWORD@db.example:5432/retrace")
_required("CELERY_BROKER_URL", "a Redis broker for Celery", "redis://redis.example:6379/0")

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DEMO_LOGINS_ALLOWED = False
# HTTPS only. TLS ends at the proxy in front of gunicorn (deploy/nginx.conf), which must set
# X-Forwarded-Proto itself, overwriting any value a client sent: Django trusts it to tell HTTPS requests.
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A plain-HTTP request is redirected to HTTPS (the proxy does it first; this is the second line), except
# the health check, which the container's own probe asks over plain HTTP on 127.0.0.1.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Browsers remember to use HTTPS only (a year; 0 turns it off). Not for subdomains, nor the preload list
# (check --deploy's W005 and W021): those bind every other site on the force's domain, the operator's call.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# /api/schema/ and /api/docs/ for signed-in users only (open on the embedded default and in tests).
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)
