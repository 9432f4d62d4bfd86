from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cooperation.services import CatalogueError, load_catalogue


class Command(BaseCommand):
    help = (
        "Load the curated catalogue (every fixture in fixtures/, in dependency order) in one "
        "transaction. Rerunnable: records already up to date are not written again, and when "
        "the fixtures are unchanged since the last load nothing is compared at all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="Fixture folder (default: fixtures/).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, then roll everything back."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Compare every record even if the fixtures are unchanged since the last load "
            "(curated records edited in the admin take their fixture's values again).",
        )

    def handle(self, *args, dir=None, dry_run=False, force=False, **options):
        try:
            report = load_catalogue(dir, dry_run=dry_run, if_changed=not force)
        except CatalogueError as error:
            raise CommandError(f"Nothing was loaded: {error}") from error
        files = f"Files: {', '.join(report.files)}"
        if report.skipped_since:
            self.stdout.write(
                self.style.SUCCESS(
                    "Catalogue already up to date: the fixtures are unchanged since the load "
                    f"of {report.skipped_since:%Y-%m-%d %H:%M:%S %Z}, nothing changed "
                    f"(--force compares every record). {files}"
                )
            )
            return
        for line in report.lines():
            self.stdout.write(f"  {line}")
        verdict = "Dry run: rolled back." if dry_run else "Catalogue loaded."
        if not report.changed:
            verdict = "Catalogue already up to date: nothing changed."
        self.stdout.write(self.style.SUCCESS(f"{verdict} {files}"))
