"""Cases in the admin are read-only: decisions are made in the officer pages and API, and never edited.
The one thing a force admin does here is reassign cases to another beat (an action, through
``cases.services.case_reassign``: a reason, and a case event)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm

from accounts import access
from accounts.admin_scope import ReadOnlyScopedAdmin, admin_allowed
from accounts.models import Beat
from cases import events
from cases.models import Case, CaseAccess, CaseDecision, CaseEvent
from core.exceptions import ApplicationError
from core.filters import MAX_ID
from workflows import evidence as evidence_workflow


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


class CaseActionForm(ActionForm):
    """The action bar's extra fields: the beat to reassign the selected cases to, and why. The beat's
    choices are the admin's force's (set per request in ``changelist_view``); the action looks the id up
    in that scope again, so another force's beat is refused as one that does not exist."""

    beat = forms.CharField(required=False, widget=forms.Select, label="to beat")
    reason = forms.CharField(required=False, max_length=4000, label="reason")


@admin.register(Case)
class CaseAdmin(ReadOnlyScopedAdmin):
    list_display = ["pk", "status", "is_breach", "incident_priority", "beat", "incident", "offender", "best_similarity"]
    list_filter = ["status", "is_breach", "incident_priority", ("beat", admin.RelatedOnlyFieldListFilter)]
    inlines = [CaseDecisionInline, CaseEventInline]
    action_form = CaseActionForm
    actions = ["reassign"]

    def has_reassign_permission(self, request) -> bool:
        return admin_allowed(request.user)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        form = getattr(response, "context_data", {}).get("action_form")
        if form is not None and "beat" in form.fields:
            beats = self._beats(request)
            form.fields["beat"].widget.choices = [("", "---------"), *((b.pk, b.name) for b in beats)]
        return response

    def _beats(self, request):
        return Beat.objects.all() if request.user.is_superuser else access.beats_for(request.user)

    @admin.action(
        description="Reassign the selected cases to the beat chosen (give a reason)", permissions=["reassign"]
    )
    def reassign(self, request, queryset):
        beat_id = request.POST.get("beat") or ""
        known = beat_id.isascii() and beat_id.isdigit() and 0 < int(beat_id) <= MAX_ID
        beat = self._beats(request).filter(pk=int(beat_id)).first() if known else None
        if beat is None:
            self.message_user(request, "Choose the beat to reassign the cases to.", level=messages.ERROR)
            return None
        done = []
        for case in queryset:
            try:
                evidence_workflow.case_reassign(
                    case=case, actor=request.user, beat=beat, reason=request.POST.get("reason", "")
                )
            except ApplicationError as exc:
                self.message_user(request, f"Case {case.pk} not reassigned: {exc.message}", level=messages.ERROR)
            else:
                done.append(case.pk)
        if done:
            listed = ", ".join(str(pk) for pk in done)
            self.message_user(request, f"Reassigned to beat {beat.name}: case {listed}.", level=messages.SUCCESS)
        return None


@admin.register(CaseAccess)
class CaseAccessAdmin(ReadOnlyScopedAdmin):
    list_display = ["created_at", "user", "kind", "case", "justification"]
    list_filter = ["kind"]
    search_fields = ["user__username", "justification"]
