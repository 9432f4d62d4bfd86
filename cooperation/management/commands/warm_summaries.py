from time import perf_counter

from django.core.management.base import BaseCommand

from cooperation import broad_summaries


class Command(BaseCommand):
    help = (
        "Compute the aggregates of the broad pages (home, unfiltered facets, rankings, country "
        "summaries) with no time budget and cache them. Run it after large imports and from "
        "cron, more often than CATALOGUE_SUMMARY_SECONDS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--countries",
            type=int,
            default=50,
            help="Warm the summaries of this many most active countries (default 50).",
        )

    def handle(self, *args, countries=50, **options):
        started = perf_counter()
        written = broad_summaries.warm(max(countries, 0))
        elapsed = perf_counter() - started
        self.stdout.write(f"Cached {written} summaries in {elapsed:.1f} s.")
