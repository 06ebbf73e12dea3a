"""Each face template carries its offender's force (copied when made), so a force's gallery and its signature
read the template table's own indexes. Existing templates are filled in batches of ids, each its own short
transaction; the column is made required afterwards."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

BATCH = 50_000


def fill(apps, schema_editor):
    template = apps.get_model("recognition", "FaceTemplate")
    offender = apps.get_model("orders", "Offender")
    rows = template.objects.using(schema_editor.connection.alias)
    force_of = offender.objects.filter(pk=OuterRef("offender_id")).values("force_id")[:1]
    last = rows.order_by("-id").values_list("id", flat=True).first() or 0
    for start in range(0, last, BATCH):
        rows.filter(id__gt=start, id__lte=start + BATCH, force__isnull=True).update(force_id=Subquery(force_of))


class Migration(migrations.Migration):
    atomic = False  # each batch of the fill commits on its own

    dependencies = [
        ("accounts", "0004_store_moved_event"),
        ("orders", "0001_initial"),
        ("recognition", "0009_processing_scope_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="facetemplate",
            name="force",
            field=models.ForeignKey(
                null=True, on_delete=models.deletion.CASCADE, related_name="+", to="accounts.force", db_index=False
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="facetemplate",
            name="force",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE, related_name="+", to="accounts.force", db_index=False
            ),
        ),
    ]
