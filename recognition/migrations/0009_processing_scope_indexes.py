from django.db import migrations, models

from core.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    # Indexes of a table with millions of rows are built without blocking writes (CREATE INDEX CONCURRENTLY).
    atomic = False

    dependencies = [
        ("recognition", "0008_processing_store_force"),
    ]

    operations = [
        AddIndexOnline(
            model_name="evidenceprocessing",
            index=models.Index(fields=["force", "-created_at", "-id"], name="processing_force_created"),
        ),
        AddIndexOnline(
            model_name="evidenceprocessing",
            index=models.Index(fields=["force", "status", "-created_at", "-id"], name="processing_force_status"),
        ),
        AddIndexOnline(
            model_name="evidenceprocessing",
            index=models.Index(fields=["store", "-created_at", "-id"], name="processing_store_created"),
        ),
        AddIndexOnline(
            model_name="evidenceprocessing",
            index=models.Index(fields=["store", "status", "-created_at", "-id"], name="processing_store_status"),
        ),
    ]
