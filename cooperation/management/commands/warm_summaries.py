from time import perf_counter

from django.core.management.base import BaseCommand
from django.db.models import Count

from cooperation import summaries
from cooperation.models import Country, Event, EventCountry
from cooperation.views.records import (
    CountryListView,
    OrganizationListView,
    PersonListView,
    ProgrammeListView,
)


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
        items.update(summaries.facet_items(Event.objects.all(), ""))
        items["country-counts"] = summaries.country_event_counts_item()
        for view in (CountryListView, ProgrammeListView, OrganizationListView, PersonListView):
            for sort in view.sorts:
                if sort != "name":
                    instance = view()
                    items[f"{view.__name__}{sort}"] = instance.ranking_item(
                        instance.queryset(), sort, ""
                    )
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
