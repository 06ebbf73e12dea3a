from django.db import migrations, models

from core.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY on PostgreSQL

    dependencies = [
        ("incidents", "0007_store_status_priority_index"),
    ]

    operations = [
        AddIndexOnline(
            model_name="incident",
            index=models.Index(
                condition=models.Q(("priority", "P1"), ("status", "received"), ("taken_on_at__isnull", True)),
                fields=["created_at", "id", "store"],
                name="incident_p1_untaken_oldest",
            ),
        ),
    ]
