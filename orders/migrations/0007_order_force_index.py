from django.db import migrations, models

from core.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False  # built without blocking writes (CREATE INDEX CONCURRENTLY)

    dependencies = [
        ("orders", "0006_order_force"),
    ]

    operations = [
        AddIndexOnline(
            model_name="order",
            index=models.Index(fields=["force", "-effective_from", "id"], name="order_force_list"),
        ),
    ]
