from django.core.management.base import BaseCommand, CommandError

from cooperation.routers import primary
from cooperation.synthesis import SynthesisError, synthesize


class Command(BaseCommand):
    help = (
        "Fill the database with N synthetic events (and the sources, organizations, people "
        "and programmes they need), the same for the same seed, in one transaction. "
        "Synthetic slugs start with 'syn-'. -v 2 shows progress."
    )

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, required=True, help="How many events to add.")
        parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Delete the synthetic records already present first (curated ones stay).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Generate and count every row, then roll everything back.",
        )

    def handle(self, *args, events, seed, clear, dry_run, verbosity, **options):
        def progress(done):
            self.stdout.write(f"  {done} of {events} events generated")

        try:
            with primary():  # it reads back what it writes: never from a replica
                report = synthesize(
                    events,
                    seed=seed,
                    clear=clear,
                    dry_run=dry_run,
                    progress=progress if verbosity >= 2 else None,
                )
        except SynthesisError as error:
            raise CommandError(f"Nothing was written: {error}") from error
        for line in report.lines():
            self.stdout.write(f"  {line}")
        verdict = "Dry run: nothing written, everything rolled back." if dry_run else "Done."
        self.stdout.write(self.style.SUCCESS(f"{verdict} Elapsed: {report.seconds:.1f} s."))
