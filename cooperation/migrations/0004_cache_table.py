"""The database cache table (settings.CACHES) is created with the schema, so that `migrate`
alone prepares a database and every app server shares the cached summaries."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0003_history")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
