"""Settings by concern, each module one concern, all assembled by ``config/settings/base.py``."""
