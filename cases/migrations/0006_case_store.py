"""Each case carries its incident's store (copied when raised), so the queue's search by store name reads the
case table alone. Existing cases are filled from their incidents in batches of ids, each its own short
transaction; the column is made required afterwards."""

from django.db import migrations, models

from core.migration_operations import copy_in_batches


class Migration(migrations.Migration):
    atomic = False  # each batch of the fill commits on its own

    dependencies = [
        ("accounts", "0004_store_moved_event"),
        ("cases", "0005_list_indexes"),
        ("incidents", "0007_store_status_priority_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="store",
            field=models.ForeignKey(
                null=True, on_delete=models.deletion.PROTECT, related_name="+", to="accounts.store", db_index=False
            ),
        ),
        copy_in_batches(
            "cases", "Case",
            field="store",
            source="incidents.Incident",
            key="incident_id",
            source_field="store_id",
        ),
        migrations.AlterField(
            model_name="case",
            name="store",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT, related_name="+", to="accounts.store", db_index=False
            ),
        ),
    ]
