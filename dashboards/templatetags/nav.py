"""The navigation's links: each marks the current page and carries its badge.

``{% nav_link "case-queue" "Cases" "cases_waiting" %}`` renders
``<a href="/cases/" aria-current="page">Cases <span class="badge-count" data-badge="cases_waiting">...``
"""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from dashboards import selectors

register = template.Library()

# How a badge reads to a screen reader after its number ("Cases 3 waiting").
BADGE_WORDS = {
    "p1_waiting": ("P1 ", " not taken on"),
    "cases_waiting": ("", " waiting"),
    "files_failed": ("", " failed"),
}


def _counts(context) -> dict[str, int]:
    """The user's counts, worked out once per request however many links ask."""
    request = context.get("request")
    if request is None:
        return {}
    if not hasattr(request, "_retrace_counts"):
        user = getattr(request, "user", None)
        request._retrace_counts = selectors.badge_counts(user) if user is not None else {}
    return request._retrace_counts


@register.simple_tag(takes_context=True)
def nav_link(context, name: str, label: str, count_key: str = "") -> str:
    url = reverse(name)  # a wrong name fails loudly, on every page's test
    request = context.get("request")
    path = request.path if request is not None else ""
    current = ""
    if path == url:
        current = ' aria-current="page"'
    elif url != "/" and path.startswith(url) and path[len(url) : len(url) + 1].isdigit():
        current = ' aria-current="true"'  # a page within the list's section (an incident, a case)
    return format_html('<a href="{}"{}>{}{}</a>', url, mark_safe(current), label, badge(context, count_key))  # noqa: S308


@register.simple_tag(takes_context=True)
def badge(context, count_key: str) -> str:
    """A count badge, hidden while the count is 0 (``counts.js`` shows and updates it)."""
    counts = _counts(context)
    if not count_key or count_key not in counts:
        return ""
    n = counts[count_key]
    before, after = BADGE_WORDS.get(count_key, ("", ""))
    urgent = " p1" if count_key == "p1_waiting" else ""
    return format_html(
        ' <span class="badge-count{}" data-badge="{}"{}>{}<span data-count="{}">{}</span>'
        '<span class="visually-hidden">{}</span></span>',
        urgent,
        count_key,
        mark_safe(" hidden") if not n else "",
        before,
        count_key,
        n,
        after,
    )


@register.simple_tag(takes_context=True)
def counts_poll(context) -> str:
    """Attributes for <body> that start ``counts.js`` for a user with counts to refresh."""
    if not _counts(context):
        return ""
    return format_html(
        ' data-counts-url="{}" data-counts-poll="{}"',
        reverse("dashboards-counts"),
        settings.DASHBOARD_COUNTS_POLL_SECONDS,
    )
