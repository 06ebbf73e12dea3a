"""Celery: the broker, task limits, queues and the periodic tasks (beat).

https://docs.celeryq.dev/en/stable/userguide/configuration.html
Embedded default: kombu's filesystem transport, folders under var/broker (no server to run). The
folders are created by ``config.celery`` when the Celery app is configured, not here.
"""

from datetime import timedelta
from pathlib import Path

from config.env import VAR_DIR, env


def filesystem_broker_options(folder: Path) -> dict:
    """kombu's filesystem transport with every folder it writes under ``folder``."""
    return {
        "data_folder_in": str(folder / "out"),
        "data_folder_out": str(folder / "out"),
        "processed_folder": str(folder / "processed"),
        # The exchange tables: without this kombu writes them to ./control, in the working tree.
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(CELERY_BROKER_FOLDER)
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
# Face matching has a queue of its own (long tasks; see the recognition settings for its limits).
CELERY_TASK_ROUTES = {"recognition.*": {"queue": "recognition"}}

# Periodic tasks (run by `celery beat`).
CELERY_BEAT_SCHEDULE = {
    # Reference photos and templates of people whose last order ended long ago (ORDERS_RETENTION_DAYS).
    "orders-retention": {
        "task": "orders.tasks.orders_retention_task",
        "schedule": timedelta(hours=env.int("ORDERS_RETENTION_EVERY_HOURS", default=24)),
    },
    # The safety net: files whose message was lost, or whose worker died, are sent again.
    "recognition-requeue-stale": {
        "task": "recognition.requeue_stale",
        "schedule": timedelta(minutes=15),
    },
    # Face crops of rejected matches (CASES_REJECTED_CROP_RETENTION_DAYS).
    "cases-retention": {
        "task": "cases.tasks.cases_retention_task",
        "schedule": timedelta(hours=24),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
