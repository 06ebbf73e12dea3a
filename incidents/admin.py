"""Incidents in the admin: read-only for force admins (their force only). The status moves only by the
actions, which call ``incidents.services.incident_status_set``: the same rules as the incident page (a
closed incident stays closed; closing asks for the reason), audited. Evidence files are exhibits and
cannot be edited or removed here."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from accounts.admin_scope import ForceScopedAdmin, ForceScopedInline
from core.exceptions import ApplicationError
from incidents import events, selectors, services
from incidents.models import Evidence, Incident, IncidentEvent


class EvidenceInline(ForceScopedInline, admin.TabularInline):
    """Shown to force admins (not by Django model permissions), read-only."""

    model = Evidence
    fields = ["original_name", "kind", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IncidentEventInline(ForceScopedInline, admin.TabularInline):
    """The incident's history, worded by ``incidents.events.describe`` (as in the evidence pack's log); shown to
    force admins, read-only."""

    model = IncidentEvent
    fields = readonly_fields = ["created_at", "actor", "what"]
    extra = 0
    can_delete = False
    verbose_name = "event"
    verbose_name_plural = "history"

    @admin.display(description="What happened")
    def what(self, event: IncidentEvent) -> str:
        return events.describe(event)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ForceScopedAdmin):
    list_display = ["reference", "occurred_at", "store", "category", "priority", "status"]
    list_filter = ["status", "priority", "category"]
    search_fields = ["reference", "store__name", "description"]
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in Incident._meta.fields if f.name != "id"]
    inlines = [EvidenceInline, IncidentEventInline]
    actions = ["mark_with_police", "mark_closed"]

    def scope(self, request, qs):
        return qs.filter(pk__in=selectors.incidents_for(request.user).values("pk"))

    def has_add_permission(self, request):
        return False  # incidents are reported by shop staff, through the portal or the API

    def has_change_permission(self, request, obj=None):
        return False  # the status too: it moves only by the actions below, through the service

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        incident = self.get_object(request, object_id)  # None outside the admin's force
        if request.method == "GET" and incident is not None and response.status_code == 200:
            services.incident_view_record(incident=incident, viewer=request.user, what="admin")
        return response

    def _set_status(self, request, queryset, status: str, reason: str) -> None:
        """Each incident through the service; those its rules refuse are named with the service's words and
        left as they were (nothing written for them)."""
        changed, refused = 0, {}
        for incident in queryset:
            try:
                services.incident_status_set(incident=incident, status=status, actor=request.user, reason=reason)
            except ApplicationError as exc:
                refused.setdefault(exc.message, []).append(incident.reference)
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{changed} incident(s) marked {status}.", messages.SUCCESS)
        for message in refused:
            self.message_user(request, f"Not changed: {message}", messages.ERROR)

    @admin.action(description="Mark as with police")
    def mark_with_police(self, request, queryset):
        self._set_status(request, queryset, Incident.Status.WITH_POLICE, reason="admin action")

    @admin.action(description="Mark as closed (asks why)")
    def mark_closed(self, request, queryset):
        if "reason" not in request.POST:  # first step: ask for the closing reason, as the incident page does
            context = {
                **self.admin_site.each_context(request),
                "title": "Close incidents",
                "opts": self.model._meta,
                "incidents": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "incidents/admin_close.html", context)
        self._set_status(request, queryset, Incident.Status.CLOSED, reason=request.POST["reason"])
        return None
