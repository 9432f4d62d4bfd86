from pathlib import Path

from django.core.management.base import BaseCommand

from cooperation.datapackage import cache
from cooperation.datapackage.build import build


class Command(BaseCommand):
    help = (
        "Build the whole catalogue as a Frictionless Data Package (a zip of CSVs and "
        "datapackage.json). Without --output it becomes the package /downloads/ serves, in "
        "CATALOGUE_DOWNLOADS_DIR, unless that version's package is already there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Write the zip here instead.")
        parser.add_argument(
            "--force", action="store_true", help="Build again even if this version is built."
        )

    def handle(self, *args, output=None, force=False, **options):
        if output is None:
            package = cache.ensure(force=force)
            path, built = package.path, package.built
            if built is None:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{path} is already the package of version {package.version.number} "
                        f"({package.size:,} bytes); nothing to do (--force builds it again)."
                    )
                )
                return
        else:
            path = output
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                built = build(handle)
        for table in built.tables:
            self.stdout.write(f"  {table.path}: {table.rows:,} rows, {table.bytes:,} bytes")
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {path}: {path.stat().st_size:,} bytes, {len(built.tables)} tables, "
                f"catalogue version {built.version.number} of "
                f"{built.version.changed_at:%Y-%m-%d %H:%M:%S %Z}, in {built.seconds:.1f} s."
            )
        )
