from django.db import migrations

from core.migration_operations import trigram_indexes


class Migration(migrations.Migration):
    """The offender search and the case queue's search look for a word anywhere in a person's names, aliases
    or PNC ID; without these indexes each search read all 200,000 offenders of a national service."""

    atomic = False  # built without blocking writes (CREATE INDEX CONCURRENTLY)

    dependencies = [
        ("orders", "0007_order_force_index"),
    ]

    operations = trigram_indexes(
        {f"offender_{column}_trgm": ("orders_offender", column) for column in ("given_names", "family_name", "aliases", "pnc_id")}
    )
