"""Orders: reference photos (custody images) and how long they are kept.

The retention task's schedule (ORDERS_RETENTION_EVERY_HOURS) is with the other periodic tasks in
``celery.py``.
"""

from config.env import env

# Reference photos larger than this are refused.
ORDERS_PHOTO_MAX_BYTES = env.int("ORDERS_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
# Reference photos and face templates of people whose last order ended more than this many
# days ago are deleted by the nightly retention task (gallery membership is checked at query time).
ORDERS_RETENTION_DAYS = env.int("ORDERS_RETENTION_DAYS", default=30)
