"""Notification emails: Django's email backend (console on the embedded default, SMTP in production)."""

from config.env import env  # noqa: F401
