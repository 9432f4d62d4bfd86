from pathlib import Path
from time import perf_counter

from django.core.management.base import BaseCommand, CommandError

from cooperation.datapackage import PackageError, load


class Command(BaseCommand):
    help = (
        "Load a data package (a zip made by build_datapackage) into an empty catalogue, in one "
        "transaction, keeping its ids. Refuses a catalogue that has records."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The package's zip file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Load and check, then roll everything back."
        )

    def handle(self, *args, path, dry_run=False, **options):
        started = perf_counter()
        try:
            counts = load(path, dry_run=dry_run)
        except PackageError as error:
            raise CommandError(f"Nothing was loaded: {error}") from error
        for name, rows in counts.items():
            self.stdout.write(f"  {name}: {rows:,} rows")
        verdict = "Checked (dry run, rolled back)" if dry_run else "Loaded"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verdict}: {path}, {sum(counts.values()):,} rows in {len(counts)} tables, "
                f"in {perf_counter() - started:.1f} s."
            )
        )
