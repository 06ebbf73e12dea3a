"""Settings shared by every environment. Values come from the environment (django-environ).

The embedded default (no environment set) is SQLite, a local media folder and Celery on
kombu's filesystem transport, all under ``var/``. ``DATABASE_URL`` and ``CELERY_BROKER_URL``
move the same code onto PostgreSQL and Redis. Every setting is listed in ``.env.example``.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
if os.environ.get("DJANGO_SETTINGS_MODULE") != "config.settings.test":  # tests never read a developer's .env
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env("RETRACE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-embedded-default-key-do-not-use-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

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
    "core",
    "accounts",
    "incidents",
    "orders",
    "recognition",
    "cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ApplicationErrorMiddleware",
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

# Database ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-notes
# SQLite runs in WAL mode with a busy timeout so that the web server and the worker can
# both write; IMMEDIATE transactions take the write lock up front instead of failing later.
SQLITE_PATH = VAR_DIR / "retrace.sqlite3"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Demo accounts made by `seed_demo` may sign in only on the embedded default (SQLite).
EMBEDDED_DEFAULT = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
DEMO_LOGINS_ALLOWED = env.bool("RETRACE_DEMO_LOGINS_ALLOWED", default=EMBEDDED_DEFAULT)

# Users and authentication --------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.RetraceModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# API tokens expire; a client asks for a new one at /api/auth/token/.
API_TOKEN_TTL = timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=12))
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE_SECONDS", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True

# Internationalisation: UK police force, UK local time (order dates are in UK local time).
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static and media files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
STORAGE_BACKEND = env("STORAGE_BACKEND", default="local")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET_NAME"),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "region_name": env("S3_REGION_NAME", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Django REST Framework -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.HasRole"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["core.filters.ScopedFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.exception_handlers.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Retrace API",
    "DESCRIPTION": (
        "Retailer incident reporting and CBO-breach cases for UK policing.\n\n"
        "Authenticate with `Authorization: Token <key>` (from `POST /api/auth/token/`) or a session.\n\n"
        'Every error has one shape: `{"message": str, "code": str, "fields": {field: [str]}}`; '
        "`fields` is empty unless the error concerns particular fields. Lists are paginated "
        "(`?page=N`, `?page_size=N` up to 200)."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.add_error_responses",
        "core.schema.add_error_codes",
    ],
}

# Celery --------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# Embedded default: kombu's filesystem transport, folders under var/ (no server to run).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("out", "processed", "control"):
        (CELERY_BROKER_FOLDER / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "out"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "out"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        # The exchange tables: without this kombu writes them to ./control, in the working tree.
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=660)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Incidents -----------------------------------------------------------------------------
# Evidence files: size limits per kind, and a pixel limit that refuses decompression bombs.
INCIDENT_IMAGE_MAX_BYTES = env.int("INCIDENT_IMAGE_MAX_BYTES", default=25 * 1024 * 1024)
INCIDENT_VIDEO_MAX_BYTES = env.int("INCIDENT_VIDEO_MAX_BYTES", default=1024 * 1024 * 1024)
INCIDENT_IMAGE_MAX_PIXELS = env.int("INCIDENT_IMAGE_MAX_PIXELS", default=50_000_000)
INCIDENT_MAX_FILES_PER_UPLOAD = env.int("INCIDENT_MAX_FILES_PER_UPLOAD", default=20)
# Distinct OpenAPI enum names for the incident choice sets (other apps also have a "status").
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "IncidentStatusEnum": "incidents.models.Incident.Status",
        "IncidentCategoryEnum": "incidents.models.Incident.Category",
        "IncidentPriorityEnum": "incidents.models.Incident.Priority",
        "EvidenceKindEnum": "incidents.models.Evidence.Kind",
    }
)

# Orders --------------------------------------------------------------------------------
# Reference photos (custody images) larger than this are refused.
ORDERS_PHOTO_MAX_BYTES = env.int("ORDERS_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
# Reference photos and face templates of people whose last order ended more than this many
# days ago are deleted by the nightly retention task (gallery membership is checked at query time).
ORDERS_RETENTION_DAYS = env.int("ORDERS_RETENTION_DAYS", default=30)
CELERY_BEAT_SCHEDULE["orders-retention"] = {
    "task": "orders.tasks.orders_retention_task",
    "schedule": timedelta(hours=env.int("ORDERS_RETENTION_EVERY_HOURS", default=24)),
}
# Distinct OpenAPI enum names for the orders' "kind" fields (other apps have a "kind" too).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "OrderKindEnum": "orders.models.Order.Kind",
        "ProhibitionKindEnum": "orders.models.Prohibition.Kind",
        "OrderEventKindEnum": "orders.models.OrderEvent.Kind",
        "OffenderEventKindEnum": "orders.models.OffenderEvent.Kind",
    }
)

# Face recognition ----------------------------------------------------------------------
# DeepFace reads its weights from $DEEPFACE_HOME/.deepface/weights; nothing is downloaded.
DEEPFACE_HOME = Path(env("DEEPFACE_HOME", default=str(VAR_DIR)))
# Default match threshold (cosine distance, Dlib model); a force admin may set their own.
# Calibrated with `manage.py evaluate_recognition` on ../shared/datasets/faces.
RECOGNITION_DEFAULT_THRESHOLD = env.float("RECOGNITION_DEFAULT_THRESHOLD", default=0.07)
RECOGNITION_VIDEO_FPS = env.float("RECOGNITION_VIDEO_FPS", default=2.0)  # frames sampled per second
RECOGNITION_MAX_VIDEO_SECONDS = env.int("RECOGNITION_MAX_VIDEO_SECONDS", default=4 * 3600)
RECOGNITION_DETECT_MAX_SIDE = env.int("RECOGNITION_DETECT_MAX_SIDE", default=640)  # px, HOG input
RECOGNITION_DETECT_UPSAMPLE = env.int("RECOGNITION_DETECT_UPSAMPLE", default=0)
RECOGNITION_WORK_MAX_SIDE = env.int("RECOGNITION_WORK_MAX_SIDE", default=1600)  # px, reference photos
# Evidence photos keep more pixels, so that a 40 px face in a large still is still 40 px.
RECOGNITION_EVIDENCE_WORK_MAX_SIDE = env.int("RECOGNITION_EVIDENCE_WORK_MAX_SIDE", default=4096)
RECOGNITION_MAX_IMAGE_PIXELS = env.int("RECOGNITION_MAX_IMAGE_PIXELS", default=60_000_000)
# Small faces in evidence (recognition/scan.py): moving people's head regions, and full scans of the
# frame, are enlarged this much for HOG (80 px window): at 2.0 faces from about 36 px are found.
RECOGNITION_SMALL_FACE_SCALE = env.float("RECOGNITION_SMALL_FACE_SCALE", default=2.0)
# A video's whole frame is scanned on its first frame, after a scene change and every this many seconds
# (people who never move); in between, only what moved.
RECOGNITION_FULL_SCAN_EVERY_S = env.float("RECOGNITION_FULL_SCAN_EVERY_S", default=20.0)
# Pixels HOG sees at most (after enlarging) for a video frame's full scan, one moving region, a photo.
RECOGNITION_FRAME_SCAN_MAX_PIXELS = env.int("RECOGNITION_FRAME_SCAN_MAX_PIXELS", default=1920 * 1080 * 4)
RECOGNITION_REGION_SCAN_MAX_PIXELS = env.int("RECOGNITION_REGION_SCAN_MAX_PIXELS", default=1_500_000)
RECOGNITION_STILL_SCAN_MAX_PIXELS = env.int("RECOGNITION_STILL_SCAN_MAX_PIXELS", default=25_000_000)
# Detection threads per file (dlib and OpenCV release the GIL); decoding has a thread of its own.
RECOGNITION_DETECT_THREADS = env.int("RECOGNITION_DETECT_THREADS", default=2)
# Embed faces in a child process forked from the worker (dlib holds the GIL while it embeds, which
# would stop the detection threads): the video pipeline then uses both cores.
RECOGNITION_EMBED_IN_CHILD = env.bool("RECOGNITION_EMBED_IN_CHILD", default=True)
# Sampled frames searched ahead of the one being tracked and embedded (more keeps both cores busy; fewer
# lets people already embedded cost only a small window, where they were predicted to be).
RECOGNITION_DETECT_LOOKAHEAD = env.int("RECOGNITION_DETECT_LOOKAHEAD", default=2)
RECOGNITION_MIN_FACE_PX = env.int("RECOGNITION_MIN_FACE_PX", default=32)  # evidence faces smaller are dropped
RECOGNITION_ENROL_MIN_FACE_PX = env.int("RECOGNITION_ENROL_MIN_FACE_PX", default=80)
# Laplacian variance of the aligned chip at 64x64 (the same for the same blur relative to the face, at
# any face size): below 15, faces did not match in calibration (engine.sharpness).
RECOGNITION_MIN_SHARPNESS = env.float("RECOGNITION_MIN_SHARPNESS", default=15.0)
RECOGNITION_EMBEDS_PER_TRACK = env.int("RECOGNITION_EMBEDS_PER_TRACK", default=2)
RECOGNITION_CANDIDATES = env.int("RECOGNITION_CANDIDATES", default=3)  # best candidates kept per face
# A 4-hour video takes about 30 min on two cores; the limits are per file.
RECOGNITION_TASK_SOFT_TIME_LIMIT = env.int("RECOGNITION_TASK_SOFT_TIME_LIMIT", default=3000)
# Files queued this long (a lost message) are sent again; "running" files after the time limit too,
# up to RECOGNITION_MAX_ATTEMPTS attempts (then failed, retryable by an admin).
RECOGNITION_REQUEUE_AFTER_S = env.int("RECOGNITION_REQUEUE_AFTER_S", default=6 * 3600)
RECOGNITION_MAX_ATTEMPTS = env.int("RECOGNITION_MAX_ATTEMPTS", default=3)
CELERY_TASK_ROUTES = {"recognition.*": {"queue": "recognition"}}
CELERY_BEAT_SCHEDULE["recognition-requeue-stale"] = {
    "task": "recognition.requeue_stale",
    "schedule": timedelta(minutes=15),
}

# Cases ---------------------------------------------------------------------------------
# The CCTV face crop of a rejected match ("not the same person") is deleted this many days after
# the rejection; the verdict and similarity stay (MatchFeedback) for threshold calibration.
CASES_REJECTED_CROP_RETENTION_DAYS = env.int("CASES_REJECTED_CROP_RETENTION_DAYS", default=30)
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "CaseStatusEnum": "cases.models.Case.Status",
        "CaseDecisionStageEnum": "cases.models.CaseDecision.Stage",
        "CaseDecisionOutcomeEnum": "cases.models.CaseDecision.Outcome",
        "CaseAccessKindEnum": "cases.models.CaseAccess.Kind",
    }
)
CELERY_BEAT_SCHEDULE["cases-retention"] = {
    "task": "cases.tasks.cases_retention_task",
    "schedule": timedelta(hours=24),
}

# Logging -------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
