"""Each link carries its incident's force (copied when made), so the persistent-offender ranking starts from the
force's links. Existing links are filled from their incidents."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    link = apps.get_model("people", "IncidentLink")
    incident = apps.get_model("incidents", "Incident")
    alias = schema_editor.connection.alias
    of = incident.objects.using(alias).filter(pk=OuterRef("incident_id")).values("store__beat__force_id")[:1]
    link.objects.using(alias).filter(force__isnull=True).update(force_id=Subquery(of))


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
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="incidentlink",
            name="force",
            field=models.ForeignKey(on_delete=models.deletion.PROTECT, related_name="+", to="accounts.force"),
        ),
    ]
