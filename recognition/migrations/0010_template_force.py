"""Each face template carries its offender's force (copied when made), so a force's gallery and its signature
read the template table's own indexes. Existing templates are filled in batches of ids, each its own short
transaction; the column is made required afterwards."""

from django.db import migrations, models

from core.migration_operations import copy_in_batches


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
        copy_in_batches(
            "recognition", "FaceTemplate",
            field="force",
            source="orders.Offender",
            key="offender_id",
            source_field="force_id",
        ),
        migrations.AlterField(
            model_name="facetemplate",
            name="force",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE, related_name="+", to="accounts.force", db_index=False
            ),
        ),
    ]
