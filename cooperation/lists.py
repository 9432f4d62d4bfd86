"""Every public list, declared once: its records, its parameters (a FilterSet, filters.py)
and its export columns (columns.py). Pages, exports, docs/csv.md and the contract tests all
read these declarations."""

from dataclasses import dataclass

from . import columns, summaries
from .api import serializers as api
from .filters import (
    YEAR_FACET,
    CatalogueFilterSet,
    CountryFilter,
    EventFilter,
    OrganizationFilter,
    PersonFilter,
    ProgrammeFilter,
    SourceFilter,
    YearFilter,
)
from .models import Country, Event, Organization, Person, Programme, Source


@dataclass(frozen=True)
class CatalogueList:
    """`name` is the list's address (/events/, /events/export.csv) and URL names' stem."""

    name: str
    model: type
    filterset: type[CatalogueFilterSet]
    columns: list
    # PostgreSQL writes this list's CSV itself (COPY): every column then has its SQL too.
    sql_writer: bool = False
    related: tuple = ()  # what a row shows beside the record (select_related)
    # Rows that are not records of the model (the years list): rows(filterset, base) gives
    # the dicts the columns read.
    rows: object = None
    # How a record reads in the API and the JSON export (cooperation/api/serializers.py).
    serializer: type | None = None

    def queryset(self):
        records = self.model.objects.all()
        # select_related() with no names would follow every non-null foreign key.
        return records.select_related(*self.related) if self.related else records

    def filter(self, data) -> CatalogueFilterSet:
        return self.filterset(data, queryset=self.queryset())

    def columns_for(self, fields) -> list:
        """The columns `fields=` chooses (`request.GET.getlist("fields")`), in its order;
        every column when it names none. Raises columns.UnknownColumns (a ValueError)."""
        return columns.choose_columns(self.columns, fields)

    def fields_for(self, fields) -> list[str] | None:
        """The API fields `fields=` chooses, in its order; None for every field. Raises
        columns.UnknownColumns."""
        return columns.choose(list(self.serializer().fields), fields, noun="field")


EVENTS = CatalogueList(
    "events",
    Event,
    EventFilter,
    columns.EVENT_COLUMNS,
    sql_writer=True,
    serializer=api.EventSerializer,
)
COUNTRIES = CatalogueList(
    "countries", Country, CountryFilter, columns.COUNTRY_COLUMNS, serializer=api.CountrySerializer
)
PROGRAMMES = CatalogueList(
    "programmes",
    Programme,
    ProgrammeFilter,
    columns.PROGRAMME_COLUMNS,
    serializer=api.ProgrammeSerializer,
)
ORGANIZATIONS = CatalogueList(
    "organizations",
    Organization,
    OrganizationFilter,
    columns.ORGANIZATION_COLUMNS,
    related=("country", "parent"),
    serializer=api.OrganizationSerializer,
)
PEOPLE = CatalogueList(
    "people",
    Person,
    PersonFilter,
    columns.PERSON_COLUMNS,
    related=("country",),
    serializer=api.PersonSerializer,
)
SOURCES = CatalogueList(
    "sources", Source, SourceFilter, columns.SOURCE_COLUMNS, serializer=api.SourceSerializer
)


def year_rows(filterset, base: str = ""):
    """Each year the chosen events were under way in, newest first, with its count and the
    events list of exactly those events (the year facet's link)."""
    for value, _, n in summaries.year_counts(filterset.qs):
        query, _ = filterset.facet_link(YEAR_FACET, value)
        yield {"year": int(value), "events": n, "query": query, "base": base}


def with_event_counts(catalogue_list: CatalogueList, records) -> list:
    """Each record with its number of events (`n`), as the list's "-events" sort counts them;
    countries with what they hosted and took part in (cached, as the countries page shows
    them: null while too slow to count). A record ranked by a count sort keeps that count."""
    records = list(records)
    if catalogue_list in (EVENTS, YEARS) or not records:
        return records
    if catalogue_list is COUNTRIES:
        counts = summaries.country_event_counts()
        for record in records:
            hosted, taken = (counts or {}).get(record.pk, (0, 0))
            known = counts is not None
            record.events_hosted = hosted if known else None
            record.events_taken_part = taken if known else None
            if not hasattr(record, "n"):
                record.n = hosted + taken if known else None
        return records
    missing = [record.pk for record in records if not hasattr(record, "n")]
    if missing:
        by_events = catalogue_list.filterset.base_filters["sort"].sorts["-events"]
        counts = dict(
            catalogue_list.model.objects.filter(pk__in=missing)
            .annotate(n=by_events.count)
            .values_list("pk", "n")
        )
        for record in records:
            if not hasattr(record, "n"):
                record.n = counts.get(record.pk, 0)
    return records


def ranking_item(filterset):
    """(cache key, compute) for every matching record's (pk, count) in a count sort's order:
    the named lists' pages, the API and warm_summaries share them."""
    queryset = filterset.qs
    key = f"ranking:{filterset.sort_name()}:{filterset.cache_key()}"
    return key, lambda: list(queryset.values_list("pk", "n"))


def years_item(filterset):
    """(cache key, compute) of the years list's rows, for summaries.cached: the years page,
    the API and warm_summaries share them."""
    return f"years:{filterset.cache_key()}", lambda: list(year_rows(filterset))


YEARS = CatalogueList(
    "years", Event, YearFilter, columns.YEAR_COLUMNS, rows=year_rows, serializer=api.YearSerializer
)

LISTS = {item.name: item for item in (EVENTS, COUNTRIES, PROGRAMMES, ORGANIZATIONS, PEOPLE,
                                     SOURCES, YEARS)}  # fmt: skip
