from django.conf import settings
from django.db import models


class BaseModel(models.Model):
    """Created/updated timestamps for every domain row."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """The one shape of an audit row (Zulip's ``RealmAuditLog``): what happened (``kind``), who did it
    (``actor``; empty for the system) and when. Each app's concrete table adds what the event is about
    and its details, and its ``events.py`` has one keyword-only writer per kind of event and the
    event's wording for people. Rows are only ever added, never edited."""

    kind = models.CharField(max_length=30, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]
