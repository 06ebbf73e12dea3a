"""Incidents in the admin: read-only for force admins (their force only); status changes go through
the service, so they are audited. Evidence files are exhibits and cannot be edited or removed here."""

from django.contrib import admin, messages

from accounts.admin_scope import ForceScopedAdmin
from incidents import selectors, services
from incidents.models import Evidence, Incident, IncidentEvent


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = ["original_name", "kind", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IncidentEventInline(admin.TabularInline):
    model = IncidentEvent
    fields = ["created_at", "kind", "actor", "details"]
    readonly_fields = fields
    extra = 0
    can_delete = False

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
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        incident = self.get_object(request, object_id)  # None outside the admin's force
        if request.method == "GET" and incident is not None and response.status_code == 200:
            services.incident_view_record(incident=incident, viewer=request.user, what="admin")
        return response

    def _set_status(self, request, queryset, status):
        for incident in queryset:
            services.incident_status_set(incident=incident, status=status, actor=request.user, reason="admin action")
        self.message_user(request, f"{queryset.count()} incident(s) marked {status}.", messages.SUCCESS)

    @admin.action(description="Mark as with police")
    def mark_with_police(self, request, queryset):
        self._set_status(request, queryset, Incident.Status.WITH_POLICE)

    @admin.action(description="Mark as closed")
    def mark_closed(self, request, queryset):
        self._set_status(request, queryset, Incident.Status.CLOSED)
