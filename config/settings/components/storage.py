"""Static files and media (evidence files, custody photos, face crops): local folders or S3."""

from pathlib import Path

from config.env import BASE_DIR, VAR_DIR, env

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Uploads larger than this are spooled to disk while they arrive (Django), and so is an S3 object read back.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
STORAGE_BACKEND = env("STORAGE_BACKEND", default="local")
# How long a signed download link to a private S3 object works. Exhibits and face images are never public: an
# officer's download (audited first) is redirected to a link that expires this many seconds after it is made.
S3_SIGNED_URL_SECONDS = env.int("S3_SIGNED_URL_SECONDS", default=300)
# Uploads to S3 go in parts of this size (S3's smallest is 5 MiB), at most S3_MAX_CONCURRENCY at a time. The
# memory an upload takes is bounded by these, whatever the size of the video: about (1.2 x concurrency + 2.5)
# parts (40 MiB with the defaults, measured with tracemalloc by tests/storage/test_s3_streaming.py).
S3_MULTIPART_CHUNK_BYTES = env.int("S3_MULTIPART_CHUNK_BYTES", default=8 * 1024 * 1024)
S3_MAX_CONCURRENCY = env.int("S3_MAX_CONCURRENCY", default=2)


def s3_storage(*, bucket_name: str, endpoint_url=None, region_name=None, access_key=None, secret_key=None) -> dict:
    """The ``STORAGES["default"]`` entry for a private S3 bucket: objects written private, read back through
    signed requests, uploaded in bounded multipart chunks and spooled to disk when read."""
    from boto3.s3.transfer import TransferConfig

    transfer = TransferConfig(
        multipart_threshold=S3_MULTIPART_CHUNK_BYTES,
        multipart_chunksize=S3_MULTIPART_CHUNK_BYTES,
        max_concurrency=S3_MAX_CONCURRENCY,
    )
    # s3transfer reads up to this many parts ahead of the uploading threads (10 by default): one per thread.
    transfer.max_in_memory_upload_chunks = S3_MAX_CONCURRENCY
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket_name,
            "endpoint_url": endpoint_url,
            "region_name": region_name,
            "access_key": access_key,
            "secret_key": secret_key,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": S3_SIGNED_URL_SECONDS,
            "signature_version": "s3v4",
            "file_overwrite": False,
            "transfer_config": transfer,
            # An object opened for reading is downloaded to a temporary file past this size, not into memory.
            "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,
        },
    }


def s3_origins(*, bucket_name: str, endpoint_url=None, region_name=None) -> list[str]:
    """Where signed links point, path-style or virtual-hosted: the pages' Content-Security-Policy lets images
    and video load from these (a download redirected to a link is checked against ``img-src``/``media-src``)."""
    if endpoint_url:
        scheme, _, host = endpoint_url.rstrip("/").partition("://")
        return [f"{scheme}://{host.split('/')[0]}", f"{scheme}://{bucket_name}.{host.split('/')[0]}"]
    hosts = ["s3.amazonaws.com", *([f"s3.{region_name}.amazonaws.com"] if region_name else [])]
    return [f"https://{prefix}{host}" for host in hosts for prefix in ("", f"{bucket_name}.")]


# Origins the browser fetches media from besides this site: none on local storage.
MEDIA_ORIGINS: list[str] = []
if STORAGE_BACKEND == "s3":
    _s3_location = {
        "bucket_name": env("S3_BUCKET_NAME"),
        "endpoint_url": env("S3_ENDPOINT_URL", default=None),
        "region_name": env("S3_REGION_NAME", default=None),
    }
    _default_storage = s3_storage(
        **_s3_location,
        access_key=env("S3_ACCESS_KEY_ID", default=None),
        secret_key=env("S3_SECRET_ACCESS_KEY", default=None),
    )
    MEDIA_ORIGINS = s3_origins(**_s3_location)
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
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
