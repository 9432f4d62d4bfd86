"""Full-text search over events on PostgreSQL: a GIN index over the words of each event.

The expression must stay identical to cooperation.search.DOCUMENT for the index to be used.
SQLite has no such index; there the search falls back to substring matching.
"""

from django.db import migrations

DOCUMENT = (
    "to_tsvector('simple'::regconfig, title || ' ' || description || ' ' || theme || ' ' "
    "|| city || ' ' || venue)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS event_search_idx ON cooperation_event USING gin ({DOCUMENT})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS event_search_idx")


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0004_cache_table")]

    operations = [migrations.RunPython(create, drop)]
