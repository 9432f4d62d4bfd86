from time import perf_counter

from django.core.management.base import BaseCommand
from django.db.models import Count
from django.http import QueryDict

from cooperation import summaries
from cooperation.lists import LISTS, years_item
from cooperation.models import Country, EventCountry
from cooperation.views.records import ranking_item


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
        items = dict(summaries.home_items())
        events = LISTS["events"].filter(None)  # the unfiltered list, keys as its page makes
        items.update(events.facet_items(events.qs))
        items["country-counts"] = summaries.country_event_counts_item()
        items["years"] = years_item(LISTS["years"].filter(None))
        for catalogue_list in LISTS.values():
            sort = catalogue_list.filterset.base_filters.get("sort")
            for name, way in (sort.sorts if sort else {}).items():
                if way.count is not None:
                    filterset = catalogue_list.filter(QueryDict(f"sort={name}"))
                    items[f"{catalogue_list.name}:{name}"] = ranking_item(filterset)
        busiest = (
            EventCountry.objects.values_list("country")
            .annotate(n=Count("event"))
            .order_by("-n")
            .values_list("country", flat=True)[: max(countries, 0)]
        )
        for country in Country.objects.filter(pk__in=list(busiest)):
            for name, item in summaries.country_items(country).items():
                items[f"{country.code}:{name}"] = item
        written = summaries.warm(items)
        elapsed = perf_counter() - started
        self.stdout.write(f"Cached {written} summaries in {elapsed:.1f} s.")
