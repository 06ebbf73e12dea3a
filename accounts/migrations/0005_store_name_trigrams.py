from django.db import migrations

from core.migration_operations import trigram_indexes


class Migration(migrations.Migration):
    """The store search, the case queue's search and the incident search look for a word anywhere in a
    store's or retailer's name."""

    atomic = False  # built without blocking writes (CREATE INDEX CONCURRENTLY)

    dependencies = [
        ("accounts", "0004_store_moved_event"),
    ]

    operations = trigram_indexes(
        {"store_name_trgm": ("accounts_store", "name"), "retailer_name_trgm": ("accounts_retailer", "name")}
    )
