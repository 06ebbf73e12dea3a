"""Static files and media (evidence files, custody photos, face crops): local folders or S3."""

from pathlib import Path

from config.env import BASE_DIR, VAR_DIR, env

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
# Uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE are spooled here while they arrive (created when first
# needed, by incidents.uploads.TemporaryFileUploadHandler). A web process killed mid-upload leaves its file;
# the orphan sweep (incidents.housekeeping) deletes those older than ORPHAN_FILE_MIN_AGE_HOURS.
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR", default=str(VAR_DIR / "upload-tmp"))
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "incidents.uploads.TemporaryFileUploadHandler",
]
# The orphan sweep deletes media files no row references (and half-written ".partial" exhibits), and
# Django's temporary upload files, once they are older than this.
ORPHAN_FILE_MIN_AGE_HOURS = env.int("ORPHAN_FILE_MIN_AGE_HOURS", default=24)
# A request answered without reading its body (an upload refused before it was read) has its body read and
# dropped when it is at most this large (by default the largest video an upload takes), so that the client
# gets the answer and the next request on the same connection gets its own; a larger body is not read, and
# gunicorn closes the connection (the client may then see a broken pipe instead of the refusal).
REQUEST_DRAIN_MAX_BYTES = env.int("REQUEST_DRAIN_MAX_BYTES", default=1024 * 1024 * 1024)
