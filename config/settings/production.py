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
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
