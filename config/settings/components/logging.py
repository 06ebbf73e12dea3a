"""Logging: plain lines on the console (the process manager or container runtime keeps them)."""

from config.env import env

# https://docs.djangoproject.com/en/5.2/topics/logging/
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refused request (4xx) writes one line, not a traceback (core/logs.py).
    "filters": {"one_line_for_refusals": {"()": "core.logs.OneLineForRefusals"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["one_line_for_refusals"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
