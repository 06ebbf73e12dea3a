"""The history of an offender or an order in the admin: each event in words (``orders.events.describe``),
with who, when, the old and new values and the reason."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.admin_scope import admin_allowed
from core.templatetags.retrace import uk_datetime
from orders.events import describe
from orders.models import OffenderEvent, OrderEvent


def _json_lines(values: dict) -> str:
    return format_html_join(mark_safe("<br>"), "{}: {}", ((k, v) for k, v in (values or {}).items())) or "-"


class _HistoryInline(admin.TabularInline):
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "what", "actor", "old_values", "new_values", "reason"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return admin_allowed(request.user)

    @admin.display(description="what happened")
    def what(self, event):
        return describe(event)

    @admin.display(description="old")
    def old_values(self, event):
        return _json_lines(event.old)

    @admin.display(description="new")
    def new_values(self, event):
        return _json_lines(event.new)


class OffenderEventInline(_HistoryInline):
    model = OffenderEvent
    verbose_name_plural = "History (who changed what, old and new values)"

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(kind=OffenderEvent.Kind.PHOTO_VIEWED)


PHOTO_VIEWS_SHOWN = 20


def photo_views_html(offender) -> str:
    """Who was served the person's reference photo images, and when (``photo_viewed``), newest first: apart from
    the history of changes, and saying how many there are when only the latest are listed."""
    if offender is None or not offender.pk:
        return "-"
    views = offender.events.filter(kind=OffenderEvent.Kind.PHOTO_VIEWED).select_related("actor")
    views = views.order_by("-created_at", "-pk")
    total = views.count()
    if not total:
        return "No reference photo has been viewed yet."
    shown = views[:PHOTO_VIEWS_SHOWN]
    head = f"{total} image{'s' if total != 1 else ''} served" + (
        f"; the latest {PHOTO_VIEWS_SHOWN} are listed" if total > PHOTO_VIEWS_SHOWN else ""
    )
    rows = format_html_join(
        "", "<li>{}, {}: {}</li>", ((uk_datetime(e.created_at), e.actor or "system", describe(e)) for e in shown)
    )
    return format_html("<p>{}</p><ul>{}</ul>", head, rows)


class OrderEventInline(_HistoryInline):
    model = OrderEvent
    readonly_fields = ["created_at", "what", "effective_on", "actor", "old_values", "new_values", "reason"]
    fields = readonly_fields
    verbose_name_plural = "History (made, served, varied, discharged, corrections)"
