"""Settings shared by every environment: Django's core here, each other concern in ``components/``.

Values come from the environment (``config/env.py``, django-environ). The embedded default (no
environment set) is SQLite, a local media folder and Celery on kombu's filesystem transport, all
under ``var/``. ``DATABASE_URL`` and ``CELERY_BROKER_URL`` move the same code onto PostgreSQL and
Redis. Every setting is listed in ``.env.example``. Importing settings writes nothing to disk.

Layout (HackSoft's styleguide, cookiecutter-django's environments):
    base.py                  Django core: apps, middleware, templates, time zone; imports the rest
    components/database.py   SQLite or DATABASE_URL
    components/security.py   secret key, hosts, users, passwords, tokens, sessions, sign-in
    components/headers.py    security headers of responses
    components/storage.py    static files, media, S3
    components/api.py        REST framework, OpenAPI schema
    components/celery.py     broker, task limits, queues, periodic tasks
    components/incidents.py, orders.py, recognition.py, cases.py, notifications.py, dashboards.py
                             each app's own knobs
    components/logging.py    logging
    local.py, test.py, production.py   one per environment, each starting from this module
"""

from config.env import BASE_DIR, VAR_DIR, env  # noqa: F401 - BASE_DIR and VAR_DIR are settings too
from config.settings.components.api import *  # noqa: F403
from config.settings.components.cases import *  # noqa: F403
from config.settings.components.celery import *  # noqa: F403
from config.settings.components.dashboards import *  # noqa: F403
from config.settings.components.database import *  # noqa: F403
from config.settings.components.headers import *  # noqa: F403
from config.settings.components.incidents import *  # noqa: F403
from config.settings.components.logging import *  # noqa: F403
from config.settings.components.notifications import *  # noqa: F403
from config.settings.components.orders import *  # noqa: F403
from config.settings.components.people import *  # noqa: F403
from config.settings.components.recognition import *  # noqa: F403
from config.settings.components.security import *  # noqa: F403
from config.settings.components.storage import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    *AUTH_APPS,  # noqa: F405
    *HEADER_APPS,  # noqa: F405
    "core",
    "accounts",
    "incidents",
    "orders",
    "recognition",
    "cases",
    "notifications",
    "people",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    *HEADER_MIDDLEWARE,  # noqa: F405
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    *AUTH_MIDDLEWARE,  # noqa: F405
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ApplicationErrorMiddleware",
    *AUTH_LAST_MIDDLEWARE,  # noqa: F405
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Internationalisation: UK police force, UK local time (order dates are in UK local time).
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# Celery keeps Django's clock: periodic tasks run on UK time.
CELERY_TIMEZONE = TIME_ZONE
