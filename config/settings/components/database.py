"""The database: SQLite under var/ (the embedded default) or whatever DATABASE_URL names."""

from config.env import VAR_DIR, env

# https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-notes
# SQLite runs in WAL mode with a busy timeout so that the web server and the worker can
# both write; IMMEDIATE transactions take the write lock up front instead of failing later.
# Its folder is created when Django starts (core.apps), not here.
SQLITE_PATH = VAR_DIR / "retrace.sqlite3"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
_ENGINE = DATABASES["default"]["ENGINE"]

# PostgreSQL: psycopg's connection pool, one per process (Django 5.2 ``OPTIONS["pool"]``).
# https://docs.djangoproject.com/en/5.2/ref/databases/#connection-pool
# https://www.psycopg.org/psycopg3/docs/api/pool.html#psycopg_pool.ConnectionPool
# - max_size: the most connections a process opens. A request thread holds one from its first query
#   to the end of the request, so a web process needs at most as many as it has threads; the default
#   8 covers GUNICORN_THREADS up to 8. The database then sees at most
#   GUNICORN_WORKERS x DATABASE_POOL_MAX_SIZE from the web tier: deploy/gunicorn.conf.py's 2 workers
#   x 8 = 16 (4 workers x 8 threads x 8 = 32 at most on a bigger host), plus one per Celery worker
#   process (each prefork child opens its own pool after the fork; Celery's Django fixup closes
#   the pool inherited from the parent, and the child's own after each task). Keep the total under
#   PostgreSQL's max_connections (100 by default) less its superuser reserve.
# - min_size: connections kept open while idle (grown back in the background); the rest are closed
#   after 10 idle minutes.
# - timeout: seconds a thread waits for a free connection before the query fails with
#   django.db.OperationalError ("couldn't get a connection after ... sec"): a clear error, never a hang.
# Pooling requires CONN_MAX_AGE = 0: Django hands the connection back to the pool at the end of each
# request (or Celery task) instead of closing it.
#
# DATABASE_POOL=false: when PgBouncer in transaction mode fronts the database (deploy/compose.yaml),
# it pools already; Django then opens a plain connection per request (CONN_MAX_AGE=0 unless
# DATABASE_CONN_MAX_AGE says otherwise) and uses no server-side cursors, which a transaction-mode
# pooler cannot keep across transactions. psycopg 3 with Django already sends no prepared statements.
# https://docs.djangoproject.com/en/5.2/ref/databases/#transaction-pooling-and-server-side-cursors
DATABASE_POOL = env.bool("DATABASE_POOL", default=True)

if _ENGINE == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
        }
    )
elif "postgresql" in _ENGINE and DATABASE_POOL:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # the pool checks a connection before lending it
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=8),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if "postgresql" in _ENGINE:
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The embedded default is the SQLite one (make run); production names its database.
EMBEDDED_DEFAULT = _ENGINE == "django.db.backends.sqlite3"
