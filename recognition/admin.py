"""Admin screens, scoped to the force admin's force. Templates and matches are read-only here (they
are made by the engine); a failed evidence file can be retried; the threshold changes through the
API (``/api/recognition/threshold/change/``) so that every change carries a reason."""

from django.contrib import admin, messages

from accounts.admin_scope import ReadOnlyScopedAdmin, admin_allowed
from recognition import events
from recognition import processing as evidence_processing
from recognition.models import EvidenceProcessing, EvidenceProcessingEvent, FaceTemplate, PossibleMatch, ThresholdChange


@admin.register(FaceTemplate)
class FaceTemplateAdmin(ReadOnlyScopedAdmin):
    force_path = "offender__force"
    superuser_deletes = True
    list_display = ["id", "offender", "reference_photo", "model_name", "model_version", "face_size_px", "created_at"]
    list_filter = ["model_version"]
    exclude = ["embedding"]


class EvidenceProcessingEventInline(admin.TabularInline):
    """The file's history, worded by ``recognition.events.describe``."""

    model = EvidenceProcessingEvent
    extra = 0
    can_delete = False
    readonly_fields = fields = ("created_at", "actor", "what")
    verbose_name = "event"
    verbose_name_plural = "history (queued, attempts, searched or failed, sent again, retried)"

    @admin.display(description="What happened")
    def what(self, event: EvidenceProcessingEvent) -> str:
        return events.describe(event)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return admin_allowed(request.user)


@admin.register(EvidenceProcessing)
class EvidenceProcessingAdmin(ReadOnlyScopedAdmin):
    force_path = "evidence__incident__store__beat__force"
    superuser_deletes = True
    list_display = [
        "evidence",
        "status",
        "result",
        "reason_code",
        "attempts",
        "faces_detected",
        "matches",
        "finished_at",
    ]
    list_filter = ["status", "result", "reason_code"]
    actions = ["retry_failed"]
    inlines = [EvidenceProcessingEventInline]

    def has_change_permission(self, request, obj=None):
        return obj is None and self._allowed(request)  # the list (for the action), never the form

    @admin.action(description="Retry the selected failed files")
    def retry_failed(self, request, queryset):
        retried = 0
        for processing in queryset.filter(status=EvidenceProcessing.Status.FAILED):
            evidence_processing.evidence_processing_retry(
                processing=processing, actor=request.user, reason="admin screen"
            )
            retried += 1
        self.message_user(request, f"{retried} file(s) queued again.", messages.SUCCESS)


@admin.register(PossibleMatch)
class PossibleMatchAdmin(ReadOnlyScopedAdmin):
    force_path = "evidence__incident__store__beat__force"
    superuser_deletes = True
    list_display = ["evidence", "offender", "distance", "threshold", "frame_time_s", "created_at"]


@admin.register(ThresholdChange)
class ThresholdChangeAdmin(ReadOnlyScopedAdmin):
    force_path = "force"
    superuser_deletes = True
    list_display = ["force", "old_threshold", "new_threshold", "reason", "changed_by", "created_at"]
