"""Where settings come from: the environment (django-environ), and the folders they are relative to.

Every settings module imports ``env`` from here (HackSoft's ``config/env.py``). Nothing here touches
the disk: the folders named by settings are created where they are first needed (``core.apps`` for the
SQLite folder, ``config.celery`` for the broker's folders).
"""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if os.environ.get("DJANGO_SETTINGS_MODULE") != "config.settings.test":  # tests never read a developer's .env
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The embedded default keeps all its state here: SQLite file, media, broker folders, model weights.
VAR_DIR = Path(env("RETRACE_VAR_DIR", default=str(BASE_DIR / "var")))
