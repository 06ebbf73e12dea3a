"""Celery: the broker, task limits, queues and the periodic tasks (beat).

https://docs.celeryq.dev/en/stable/userguide/configuration.html
Embedded default: kombu's filesystem transport, folders under var/broker (no server to run). The
folders are created by ``config.celery`` when the Celery app is configured, not here.

Queues: ``recognition_urgent`` and ``recognition`` (face matching, long tasks: the evidence of a P1
incident or of a store an order in force prohibits goes to the first, ahead of the rest),
``housekeeping`` (the periodic sweeps and purges, so that a backlog of files never delays the sweep that
rescues them) and ``default``. A worker takes its queues strictly in the order of its ``--queues``: the
first that holds a message wins, so ``recognition_urgent`` comes before ``recognition``.
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

from config.env import VAR_DIR, env
from config.settings.components.dashboards import DASHBOARD_FIGURES_EVERY_MINUTES
from config.settings.components.notifications import NOTIFICATIONS_DIGEST_HOUR


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
# A hung broker (a Redis stopped with SIGSTOP, a half-open connection) must never hold an upload: every
# socket operation gives up after these seconds, and a send that fails is left to the sweep
# (recognition.queue, recognition.processing.evidence_requeue_stale). The worker's BRPOP polls every
# second, so the read timeout stays above that.
# https://docs.celeryq.dev/projects/kombu/en/stable/reference/kombu.transport.redis.html (transport options)
CELERY_BROKER_SOCKET_TIMEOUT = env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=3.0)
CELERY_BROKER_CONNECT_TIMEOUT = env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=2.0)
CELERY_BROKER_CONNECTION_TIMEOUT = CELERY_BROKER_CONNECT_TIMEOUT
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(CELERY_BROKER_FOLDER)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "socket_timeout": CELERY_BROKER_SOCKET_TIMEOUT,
        "socket_connect_timeout": CELERY_BROKER_CONNECT_TIMEOUT,
        "socket_keepalive": True,
        # Each BRPOP names the worker's queues in its --queues order and Redis pops from the first
        # that is not empty. kombu's default ("round_robin") moves the queue it just read to the end,
        # so the queues take turns and urgent files wait behind ordinary ones; "priority" keeps the order.
        # https://docs.celeryq.dev/projects/kombu/en/stable/reference/kombu.transport.redis.html
        "queue_order_strategy": "priority",
    }
# One try per send (no retry loop inside a web request): the work is already recorded as queued in the
# database, and the sweep sends whatever was not sent.
# https://docs.celeryq.dev/en/stable/userguide/calling.html#message-sending-retry
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": env.int("CELERY_PUBLISH_MAX_RETRIES", default=0),
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=660)
# A worker asked to stop (SIGTERM, remapped to a cold shutdown by REMAP_SIGTERM=SIGQUIT where workers are
# started: deploy/) lets its running tasks finish for this long, then hands them back to the broker and
# exits, instead of waiting for a long video to end. A file it gave back is run again from the start.
# https://docs.celeryq.dev/en/stable/userguide/workers.html#soft-shutdown
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env.float("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", default=10.0)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Routes: exact names first, then patterns in order (Celery's MapRoute). Housekeeping has its own queue:
# the sweeps rescue the recognition backlog, so they must never wait behind it. Any periodic task named
# ``<app>.housekeeping_<what>`` lands there too (e.g. incidents.housekeeping_orphans).
HOUSEKEEPING_QUEUE = "housekeeping"
RECOGNITION_QUEUE = "recognition"
RECOGNITION_URGENT_QUEUE = "recognition_urgent"
HOUSEKEEPING_TASKS = [
    "recognition.requeue_stale",
    "orders.tasks.orders_retention_task",
    "cases.tasks.cases_retention_task",
]
CELERY_TASK_ROUTES = {
    **{name: {"queue": HOUSEKEEPING_QUEUE} for name in HOUSEKEEPING_TASKS},
    "*.housekeeping_*": {"queue": HOUSEKEEPING_QUEUE},
    # Face matching has a queue of its own (long tasks; see the recognition settings for its limits), and
    # urgent evidence one that workers take first (recognition.queue.evidence_urgent decides).
    "recognition.evidence_process_urgent": {"queue": RECOGNITION_URGENT_QUEUE},
    "recognition.*": {"queue": RECOGNITION_QUEUE},
    # Emails to officers (a P1 incident has a 15-minute target) must never wait behind face matching either:
    # they are short, and go with the sweeps to the queue the housekeeping worker serves alone.
    "notifications.*": {"queue": HOUSEKEEPING_QUEUE},
}

# How often the recognition sweep runs: it sends files whose send failed (a broker down or hung when
# they were uploaded), re-queues files whose worker stopped beating, and re-sends lost messages.
RECOGNITION_SWEEP_EVERY_S = env.float("RECOGNITION_SWEEP_EVERY_S", default=30.0)

# Periodic tasks (run by `celery beat`, one process of its own: never `worker --beat`, see deploy/).
_HOUSEKEEPING = {"queue": HOUSEKEEPING_QUEUE}
CELERY_BEAT_SCHEDULE = {
    # Reference photos and templates of people whose last order ended long ago (ORDERS_RETENTION_DAYS).
    "orders-retention": {
        "task": "orders.tasks.orders_retention_task",
        "schedule": timedelta(hours=env.int("ORDERS_RETENTION_EVERY_HOURS", default=24)),
        "options": _HOUSEKEEPING,
    },
    # The recognition sweep (see RECOGNITION_SWEEP_EVERY_S). A sweep not started within its interval is
    # dropped: the next one does the same work.
    "recognition-requeue-stale": {
        "task": "recognition.requeue_stale",
        "schedule": timedelta(seconds=RECOGNITION_SWEEP_EVERY_S),
        "options": {**_HOUSEKEEPING, "expires": RECOGNITION_SWEEP_EVERY_S},
    },
    # Face crops of rejected matches (CASES_REJECTED_CROP_RETENTION_DAYS).
    "cases-retention": {
        "task": "cases.tasks.cases_retention_task",
        "schedule": timedelta(hours=24),
        "options": _HOUSEKEEPING,
    },
    # Half-written exhibits, unreferenced media and temporary uploads older than ORPHAN_FILE_MIN_AGE_HOURS.
    "incidents-housekeeping-orphans": {
        "task": "incidents.housekeeping_orphans",
        "schedule": timedelta(hours=6),
        "options": _HOUSEKEEPING,
    },
    # Each officer's digest of their queue, in the morning (UK time, NOTIFICATIONS_DIGEST_HOUR), before the
    # early shift's briefing. Not started within the hour: dropped (tomorrow's comes as usual).
    "notifications-daily-digest": {
        "task": "notifications.digest_send_all",
        "schedule": crontab(hour=NOTIFICATIONS_DIGEST_HOUR, minute=0),
        "options": {**_HOUSEKEEPING, "expires": 3600},
    },
    # Emails missed (a broker or mail server down for longer than the retries) from the last
    # NOTIFICATIONS_CATCH_UP_HOURS, sent once.
    "notifications-housekeeping-catch-up": {
        "task": "notifications.housekeeping_catch_up",
        "schedule": timedelta(minutes=15),
        "options": {**_HOUSEKEEPING, "expires": 15 * 60},
    },
    # The nightly review of persons of interest (PEOPLE_REVIEW_AFTER_DAYS, PEOPLE_REVIEW_GRACE_DAYS), at night
    # UK time. Not started within the hour: dropped (tomorrow's does the same work).
    "people-housekeeping-review": {
        "task": "people.housekeeping_review",
        "schedule": crontab(hour=2, minute=30),
        "options": {**_HOUSEKEEPING, "expires": 3600},
    },
    # The force admins' figures, built afresh for each force (DASHBOARD_FIGURES_EVERY_MINUTES). Not started
    # within the interval: dropped (the next one does the same work).
    "dashboards-housekeeping-figures": {
        "task": "dashboards.housekeeping_figures",
        "schedule": timedelta(minutes=DASHBOARD_FIGURES_EVERY_MINUTES),
        "options": {**_HOUSEKEEPING, "expires": DASHBOARD_FIGURES_EVERY_MINUTES * 60},
    },
    # Other housekeeping tasks go here with "options": _HOUSEKEEPING (and a name matching a route above).
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
