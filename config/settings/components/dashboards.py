"""Home pages: targets the counts are measured against."""

from config.env import env  # noqa: F401
