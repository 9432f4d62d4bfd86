"""The second database cache table (settings.CACHES["rare"]): the summaries of filtered lists,
searches, record and year pages, apart from the broad pages' ones (cooperation/summaries.py).
`createcachetable` creates every configured cache table that is missing, so on a database
migrated from scratch 0004 has already made it and this does nothing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("cooperation", "0008_supported_years_and_parents")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
