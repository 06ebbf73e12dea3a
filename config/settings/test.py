"""Settings for pytest. DATABASE_URL / CELERY_BROKER_URL move the suite onto PostgreSQL and Redis."""

from config.settings.base import *  # noqa: F403
from config.settings.base import CELERY_BROKER_URL, DATABASES, VAR_DIR, env
from config.settings.components.celery import filesystem_broker_options

DEBUG = False
# Tests run on PostgreSQL and Redis too: with a key of their own, as the public embedded-default key is refused
# there (accounts.apps). Never used outside tests.
SECRET_KEY = "test-only-secret-key-never-used-outside-tests"
# Tasks run in-process in unit tests; the worker tests start a real worker process.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# RETRACE_TEST_SLOT keeps concurrent test runs on one machine apart (media, SQLite file, broker).
TEST_DIR = VAR_DIR / f"test-{env('RETRACE_TEST_SLOT', default='main')}"
MEDIA_ROOT = TEST_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so that a worker process started by a test can share it. Its folder is
    # created when Django starts (core.apps).
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_DIR / "test.sqlite3")}
DEMO_LOGINS_ALLOWED = env.bool("RETRACE_DEMO_LOGINS_ALLOWED", default=True)
# Tests use their own broker folder so they never take tasks queued by `make run`.
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(TEST_DIR / "broker")
# Tests read the badge counts afresh after each change; the cache itself has its own test
# (tests/dashboards/test_counts.py).
DASHBOARD_BADGE_CACHE_SECONDS = 0
# Tests build the force admin's figures on every visit; keeping them has its own tests
# (tests/dashboards/test_kept.py).
DASHBOARD_FIGURES_MAX_AGE_MINUTES = 0
