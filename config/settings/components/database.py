"""The database: SQLite under var/ (the embedded default) or whatever DATABASE_URL names."""

from config.env import VAR_DIR, env

# https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-notes
# SQLite runs in WAL mode with a busy timeout so that the web server and the worker can
# both write; IMMEDIATE transactions take the write lock up front instead of failing later.
# Its folder is created when Django starts (core.apps), not here.
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

# The embedded default is the SQLite one (make run); production names its database.
EMBEDDED_DEFAULT = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
