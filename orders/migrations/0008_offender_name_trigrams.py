from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from core.migration_operations import postgres_sql

# The offender search and the case queue's search look for a word anywhere in a person's names or aliases
# (Django's icontains: UPPER(column::text) LIKE UPPER('%word%')). A trigram index on the same expression
# serves that on PostgreSQL; without one, each search read all 200,000 offenders of a national service.
COLUMNS = ["given_names", "family_name", "aliases", "pnc_id"]


class Migration(migrations.Migration):
    atomic = False  # built without blocking writes (CREATE INDEX CONCURRENTLY)

    dependencies = [
        ("orders", "0007_order_force_index"),
    ]

    operations = [
        TrigramExtension(),
        postgres_sql(
            [
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS offender_{column}_trgm ON orders_offender "
                f"USING gin (UPPER({column}::text) gin_trgm_ops)"
                for column in COLUMNS
            ],
            [f"DROP INDEX CONCURRENTLY IF EXISTS offender_{column}_trgm" for column in COLUMNS],
        ),
    ]
