"""Logging filters.

A refused request (any 4xx) is a normal answer to a person's mistake, not a fault of the server: Django
logs it with the exception that refused it (``django.request``, ``django.security.*``), which prints a
whole traceback for a 403 or a bad upload. ``OneLineForRefusals`` keeps the one warning line (method,
path, status, the reason) and drops the traceback; 5xx records keep theirs.
"""

import logging


class OneLineForRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        refused = status is not None and 400 <= status < 500
        if refused or record.name.startswith("django.security."):
            if record.exc_info and record.exc_info[1] is not None:
                reason = str(record.exc_info[1]).splitlines()[0][:200] if str(record.exc_info[1]) else ""
                if reason:
                    record.msg = f"{record.getMessage()} ({reason})"
                    record.args = ()
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
