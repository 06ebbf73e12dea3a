"""Template filters shared by every page: times as people say them.

``{{ incident.created_at|ago }}`` reads "4 hours ago"; ``{{ seconds|duration }}`` reads "2 days";
``{{ when|uk_datetime }}`` reads "6 Dec 2026, 14:05 GMT". One unit only, rounded down, as people say it.
"""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone

register = template.Library()

_UNITS = (
    (365 * 86400, "year"),
    (30 * 86400, "month"),
    (7 * 86400, "week"),
    (86400, "day"),
    (3600, "hour"),
    (60, "minute"),
)


def spoken_duration(seconds: float) -> str:
    """'4 hours', '2 days', '1 minute', 'under a minute'."""
    seconds = abs(int(seconds))
    for size, name in _UNITS:
        if seconds >= size:
            count = seconds // size
            return f"{count} {name}{'' if count == 1 else 's'}"
    return "under a minute"


@register.filter
def duration(value) -> str:
    """A timedelta or a number of seconds as people say it."""
    if value is None or value == "":
        return ""
    if isinstance(value, timedelta):
        value = value.total_seconds()
    return spoken_duration(float(value))


@register.filter
def ago(value: datetime | None) -> str:
    """'4 hours ago', 'just now', or 'in 2 days' for a time still to come."""
    if not value:
        return ""
    delta = (timezone.now() - value).total_seconds()
    if abs(delta) < 60:
        return "just now"
    text = spoken_duration(delta)
    return f"{text} ago" if delta > 0 else f"in {text}"


@register.filter
def uk_datetime(value: datetime | None) -> str:
    """One date style everywhere: '6 Dec 2026, 14:05 GMT' in the service's time zone."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


@register.filter
def row_count(paginator) -> str:
    """A list's count as the pager says it: "230", or "more than 10,000" where counting stopped
    (core.pagination.BoundedPaginator)."""
    if getattr(paginator, "count_is_exact", True):
        return str(paginator.count)
    return f"more than {paginator.count:,}"
