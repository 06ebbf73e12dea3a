"""Notification emails: Django's email backend (console on the embedded default, SMTP in production).

https://docs.djangoproject.com/en/5.2/topics/email/
The embedded default prints each email to the worker's output. Production sets
EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the mail server below (the force's relay).
"""

from config.env import env

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds a connection to the mail server may hang before the send fails (and is retried later).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Retrace <retrace@localhost>")
# Errors mailed to admins by Django come from here too.
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The portal's address as officers reach it: the links in emails start with it.
NOTIFICATIONS_SITE_URL = env("NOTIFICATIONS_SITE_URL", default="http://127.0.0.1:8000")
# The daily digest of each officer's queue is sent at this hour (UK time, 0-23) by beat.
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=7)
# A mail server that fails: tried again after this many seconds, doubling each time up to the maximum,
# this many times; then the sweep (every 15 minutes) sends what is still unsent from the last
# NOTIFICATIONS_CATCH_UP_HOURS hours. Nothing is sent twice.
NOTIFICATIONS_RETRY_BACKOFF_S = env.float("NOTIFICATIONS_RETRY_BACKOFF_S", default=30.0)
NOTIFICATIONS_RETRY_BACKOFF_MAX_S = env.float("NOTIFICATIONS_RETRY_BACKOFF_MAX_S", default=1800.0)
NOTIFICATIONS_MAX_RETRIES = env.int("NOTIFICATIONS_MAX_RETRIES", default=8)
NOTIFICATIONS_CATCH_UP_HOURS = env.float("NOTIFICATIONS_CATCH_UP_HOURS", default=6.0)
