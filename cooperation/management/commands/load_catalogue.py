from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cooperation.services import CatalogueError, load_catalogue


class Command(BaseCommand):
    help = (
        "Load the curated catalogue (every fixture in fixtures/, in dependency order) in one "
        "transaction. Rerunnable: records already up to date are not written again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="Fixture folder (default: fixtures/).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, then roll everything back."
        )

    def handle(self, *args, dir=None, dry_run=False, **options):
        try:
            report = load_catalogue(dir, dry_run=dry_run)
        except CatalogueError as error:
            raise CommandError(f"Nothing was loaded: {error}") from error
        for line in report.lines():
            self.stdout.write(f"  {line}")
        verdict = "Dry run: rolled back." if dry_run else "Catalogue loaded."
        if not report.changed:
            verdict = "Catalogue already up to date: nothing changed."
        self.stdout.write(self.style.SUCCESS(f"{verdict} Files: {', '.join(report.files)}"))
