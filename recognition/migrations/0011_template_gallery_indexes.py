from django.db import migrations, models

from core.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    # Indexes of a table with hundreds of thousands of rows are built without blocking writes.
    atomic = False

    dependencies = [
        ("recognition", "0010_template_force"),
    ]

    operations = [
        AddIndexOnline(
            model_name="facetemplate",
            index=models.Index(fields=["force", "model_version", "id"], name="template_force_version_id"),
        ),
        AddIndexOnline(
            model_name="facetemplate",
            index=models.Index(fields=["force", "model_version", "updated_at"], name="template_force_version_changed"),
        ),
    ]
