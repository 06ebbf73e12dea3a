"""The embedded default for `make run`: SQLite, local media, filesystem broker (all from base.py).

Debug pages stay off even here: shop staff use this portal, and a debug page would show them
internals. Set DJANGO_DEBUG=true while developing.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
