"""Cases get a human reference like incidents ("CASE-2026-000001"): the field, and the existing cases'
references made from the year each was raised (local time) and its id."""

from django.db import migrations, models
from django.utils import timezone


def backfill_references(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.filter(reference__isnull=True).only("pk", "created_at").iterator():
        year = timezone.localdate(case.created_at).year
        Case.objects.filter(pk=case.pk).update(reference=f"CASE-{year}-{case.pk:06d}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_caseevent_reassigned"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="reference",
            field=models.CharField(blank=True, max_length=20, null=True, unique=True),
        ),
        migrations.RunPython(backfill_references, migrations.RunPython.noop),
    ]
