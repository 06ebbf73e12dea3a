"""Each order carries its offender's force (copied when recorded), so a force's orders are read from the order
table's own index. Existing orders are filled from their offenders; the column is made required afterwards."""

from django.db import migrations, models

from core.migration_operations import copy_in_batches


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_store_moved_event"),
        ("orders", "0005_prohibition_zone_box"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="force",
            field=models.ForeignKey(
                null=True, on_delete=models.deletion.PROTECT, related_name="+", to="accounts.force", db_index=False
            ),
        ),
        copy_in_batches(
            "orders", "Order",
            field="force",
            source="orders.Offender",
            key="offender_id",
            source_field="force_id",
        ),
        migrations.AlterField(
            model_name="order",
            name="force",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT, related_name="+", to="accounts.force", db_index=False
            ),
        ),
    ]
