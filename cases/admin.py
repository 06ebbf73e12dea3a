"""Cases in the admin are read-only: decisions are made in the officer pages and API, and never edited."""

from django.contrib import admin

from accounts.admin_scope import ReadOnlyScopedAdmin
from cases import events
from cases.models import Case, CaseAccess, CaseDecision, CaseEvent


class CaseDecisionInline(admin.TabularInline):
    model = CaseDecision
    extra = 0
    can_delete = False
    readonly_fields = fields = ("stage", "outcome", "reason", "corroboration", "decided_by", "decided_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CaseEventInline(admin.TabularInline):
    """The case's history, worded by ``cases.events.describe`` (as in the evidence pack's continuity log)."""

    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = fields = ("created_at", "actor", "what")
    verbose_name = "event"
    verbose_name_plural = "history"

    @admin.display(description="What happened")
    def what(self, event: CaseEvent) -> str:
        return events.describe(event)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyScopedAdmin):
    list_display = ["pk", "status", "is_breach", "incident_priority", "incident", "offender", "best_similarity"]
    list_filter = ["status", "is_breach", "incident_priority"]
    inlines = [CaseDecisionInline, CaseEventInline]


@admin.register(CaseAccess)
class CaseAccessAdmin(ReadOnlyScopedAdmin):
    list_display = ["created_at", "user", "kind", "case", "justification"]
    list_filter = ["kind"]
    search_fields = ["user__username", "justification"]
