from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        create_sqlite_folders()
        create_upload_temp_folder()


def create_sqlite_folders() -> None:
    """SQLite creates its database file but not the folder it is in (var/ on a fresh clone, a test slot's
    folder): create those before the first connection. Settings only name them."""
    for database in settings.DATABASES.values():
        if database.get("ENGINE") != "django.db.backends.sqlite3":
            continue
        for name in (database.get("NAME"), (database.get("TEST") or {}).get("NAME")):
            if name and str(name) != ":memory:" and not str(name).startswith("file:"):
                Path(name).parent.mkdir(parents=True, exist_ok=True)


def create_upload_temp_folder() -> None:
    """Django's system checks refuse a FILE_UPLOAD_TEMP_DIR that does not exist (files.E001), before any
    upload could create it: make it at start-up (var/upload-tmp on a fresh clone)."""
    if settings.FILE_UPLOAD_TEMP_DIR:
        Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
