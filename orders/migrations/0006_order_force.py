"""Each order carries its offender's force (copied when recorded), so a force's orders are read from the order
table's own index. Existing orders are filled from their offenders; the column is made required afterwards."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    order = apps.get_model("orders", "Order")
    offender = apps.get_model("orders", "Offender")
    force_of = offender.objects.filter(pk=OuterRef("offender_id")).values("force_id")[:1]
    order.objects.using(schema_editor.connection.alias).filter(force__isnull=True).update(force_id=Subquery(force_of))


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
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="order",
            name="force",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT, related_name="+", to="accounts.force", db_index=False
            ),
        ),
    ]
