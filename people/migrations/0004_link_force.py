"""Each link carries its incident's force (copied when made), so the persistent-offender ranking starts from the
force's links. Existing links are filled from their incidents."""

from django.db import migrations, models

from core.migration_operations import copy_in_batches


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_store_moved_event"),
        ("incidents", "0007_store_status_priority_index"),
        ("people", "0003_people_force_thresholds"),
    ]

    operations = [
        migrations.AddField(
            model_name="incidentlink",
            name="force",
            field=models.ForeignKey(
                null=True, on_delete=models.deletion.PROTECT, related_name="+", to="accounts.force"
            ),
        ),
        copy_in_batches(
            "people", "IncidentLink",
            field="force",
            source="incidents.Incident",
            key="incident_id",
            source_field="store__beat__force_id",
        ),
        migrations.AlterField(
            model_name="incidentlink",
            name="force",
            field=models.ForeignKey(on_delete=models.deletion.PROTECT, related_name="+", to="accounts.force"),
        ),
    ]
