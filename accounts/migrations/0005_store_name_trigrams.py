from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from core.migration_operations import postgres_sql

# The store search, the case queue's search and the incident search look for a word anywhere in a store's
# or retailer's name (Django's icontains: UPPER(name::text) LIKE UPPER('%word%')); a trigram index on the
# same expression serves that on PostgreSQL instead of reading every store.
INDEXES = {"store_name_trgm": "accounts_store", "retailer_name_trgm": "accounts_retailer"}


class Migration(migrations.Migration):
    atomic = False  # built without blocking writes (CREATE INDEX CONCURRENTLY)

    dependencies = [
        ("accounts", "0004_store_moved_event"),
    ]

    operations = [
        TrigramExtension(),
        postgres_sql(
            [
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} USING gin (UPPER(name::text) gin_trgm_ops)"
                for name, table in INDEXES.items()
            ],
            [f"DROP INDEX CONCURRENTLY IF EXISTS {name}" for name in INDEXES],
        ),
    ]
