"""Migration operations for the tables that grow to millions of rows (incidents, cases, the logs).

``AddIndexOnline`` builds an index without blocking writes on PostgreSQL (``CREATE INDEX CONCURRENTLY``:
reads and writes go on while it is built, which at national scale takes minutes) and plainly on SQLite.
A migration using it sets ``atomic = False``.

``postgres_sql`` runs SQL only on PostgreSQL, for what SQLite has no form of; ``trigram_indexes`` uses it for
the lists' "contains" searches. SQLite's lists stay correct without them, only slower on large data.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations
from django.db.migrations.operations import AddIndex
from django.db.models import OuterRef, Subquery


class AddIndexOnline(AddIndex):
    atomic = False

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            concurrently = AddIndexConcurrently(self.model_name, self.index)
            concurrently.database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            concurrently = AddIndexConcurrently(self.model_name, self.index)
            concurrently.database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def postgres_sql(forwards: list[str], backwards: list[str]) -> migrations.RunPython:
    """Run ``forwards`` (``backwards`` on the way back) on PostgreSQL only, each statement on its own (a
    ``CONCURRENTLY`` statement cannot share a transaction)."""

    def run(statements):
        def apply(apps, schema_editor):
            if schema_editor.connection.vendor != "postgresql":
                return
            for statement in statements:
                schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(forwards), run(backwards), elidable=False)


def trigram_indexes(indexes: dict[str, tuple[str, str]]) -> list:
    """The operations that add trigram GIN indexes on PostgreSQL (``pg_trgm``, created first), built
    ``CONCURRENTLY``, each on ``UPPER(column::text)``: the expression Django writes for ``icontains``
    (``UPPER(column::text) LIKE UPPER('%word%')``), so that the ORM's "contains" searches use them unchanged.
    ``indexes``: index name -> (table, column)."""
    return [
        # Kept on the way back: other migrations' indexes may use it too.
        postgres_sql(["CREATE EXTENSION IF NOT EXISTS pg_trgm"], []),
        postgres_sql(
            [
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} "
                f"USING gin (UPPER({column}::text) gin_trgm_ops)"
                for name, (table, column) in indexes.items()
            ],
            [f"DROP INDEX CONCURRENTLY IF EXISTS {name}" for name in indexes],
        ),
    ]


def copy_in_batches(
    app_label: str, model_name: str, *, field: str, source: str, key: str, source_field: str, batch: int = 50_000
) -> migrations.RunPython:
    """Fill the foreign key ``field`` of every row where it is empty with ``source_field`` of the ``source`` row
    ("app.Model") that the row's ``key`` names, in batches of ids, each its own short transaction where the
    migration sets ``atomic = False`` (a table of millions of rows is never locked for the whole copy)."""

    def run(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        rows = model.objects.using(schema_editor.connection.alias)
        value = Subquery(apps.get_model(source).objects.filter(pk=OuterRef(key)).values(source_field)[:1])
        last = rows.order_by("-pk").values_list("pk", flat=True).first() or 0
        for start in range(0, last, batch):
            empty = rows.filter(pk__gt=start, pk__lte=start + batch, **{f"{field}__isnull": True})
            empty.update(**{f"{field}_id": value})

    return migrations.RunPython(run, migrations.RunPython.noop, elidable=False)
