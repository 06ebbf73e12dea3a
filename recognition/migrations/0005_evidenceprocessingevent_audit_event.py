# EvidenceProcessingEvent inherits core.models.AuditEvent: the same rows and columns, plus the event's
# kind (filled in here for the rows already written, from their status and note) and its details
# (empty for those rows: recognition.events.describe words them from their note). The actor is
# SET_NULL, as every audit event's, and created_at indexed. Nothing a user sees changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _kind(status: str, note: str) -> str:
    """The kind of a row written before there were kinds (processing.processing_event's notes)."""
    if note == "queued on upload":
        return "queued"
    if note.startswith("attempt "):
        return "attempt_started"
    if note.startswith("retry"):
        return "retried"
    if note.startswith("re-sent:"):
        return "resent"
    return {"done": "done", "failed": "failed", "running": "attempt_started"}.get(status, "queued")


def fill_kinds(apps, schema_editor):
    Event = apps.get_model("recognition", "EvidenceProcessingEvent")
    for event in Event.objects.only("id", "status", "note").iterator():
        Event.objects.filter(pk=event.pk).update(kind=_kind(event.status, event.note))


class Migration(migrations.Migration):
    dependencies = [
        ("recognition", "0004_research_job"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="evidenceprocessingevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("queued", "Queued for face matching"),
                    ("attempt_started", "Attempt started"),
                    ("done", "Searched"),
                    ("failed", "Failed"),
                    ("resent", "Sent again by the safety net"),
                    ("retried", "Retried by an admin"),
                ],
                db_index=True,
                default="queued",
                max_length=30,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="evidenceprocessingevent",
            name="details",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="evidenceprocessingevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="evidenceprocessingevent",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, db_index=True),
        ),
        migrations.RunPython(fill_kinds, migrations.RunPython.noop),  # last: no schema change after the rows'
    ]
