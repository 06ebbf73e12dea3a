"""Who was told of what: the notification emails, read-only, each force admin seeing their force's."""

from django.contrib import admin

from accounts.admin_scope import ReadOnlyScopedAdmin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyScopedAdmin):
    list_display = ["created_at", "kind", "user", "email", "reference", "sent_at", "attempts", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "user__last_name", "email", "reference"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "kind",
        "user",
        "force",
        "object_ref",
        "reference",
        "email",
        "subject",
        "created_at",
        "sent_at",
        "attempts",
        "last_error",
    ]
