"""Each processing record carries its evidence's store and force (copied from the incident), so the processing
list and the failed-files counts read one table. Existing rows are filled in batches of ids, each batch its own
short transaction (a national database holds millions of rows); the columns are made required afterwards."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

BATCH = 50_000


def fill(apps, schema_editor):
    processing = apps.get_model("recognition", "EvidenceProcessing")
    evidence = apps.get_model("incidents", "Evidence")
    alias = schema_editor.connection.alias
    rows = processing.objects.using(alias)
    last = rows.order_by("-id").values_list("id", flat=True).first() or 0
    for start in range(0, last, BATCH):
        batch = rows.filter(id__gt=start, id__lte=start + BATCH, store__isnull=True)
        if schema_editor.connection.vendor == "postgresql":
            table = processing._meta.db_table
            schema_editor.execute(
                f"UPDATE {table} p SET store_id = i.store_id, force_id = b.force_id"
                " FROM incidents_evidence e JOIN incidents_incident i ON i.id = e.incident_id"
                " JOIN accounts_store s ON s.id = i.store_id JOIN accounts_beat b ON b.id = s.beat_id"
                " WHERE e.id = p.evidence_id AND p.id > %s AND p.id <= %s AND p.store_id IS NULL",
                [start, start + BATCH],
            )
        else:
            of = evidence.objects.using(alias).filter(pk=OuterRef("evidence_id"))
            batch.update(
                store_id=Subquery(of.values("incident__store_id")[:1]),
                force_id=Subquery(of.values("incident__store__beat__force_id")[:1]),
            )


class Migration(migrations.Migration):
    atomic = False  # each batch of the fill commits on its own

    dependencies = [
        ("accounts", "0004_store_moved_event"),
        ("incidents", "0007_store_status_priority_index"),
        ("recognition", "0007_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="evidenceprocessing",
            name="store",
            field=models.ForeignKey(
                null=True, on_delete=models.deletion.PROTECT, related_name="+", to="accounts.store", db_index=False
            ),
        ),
        migrations.AddField(
            model_name="evidenceprocessing",
            name="force",
            field=models.ForeignKey(
                null=True, on_delete=models.deletion.PROTECT, related_name="+", to="accounts.force", db_index=False
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="evidenceprocessing",
            name="store",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT, related_name="+", to="accounts.store", db_index=False
            ),
        ),
        migrations.AlterField(
            model_name="evidenceprocessing",
            name="force",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT, related_name="+", to="accounts.force", db_index=False
            ),
        ),
    ]
