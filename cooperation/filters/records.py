"""The parameters and sorts of the lists of countries, programmes, organizations, people
and sources."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from ..models import Country, EventCitation, Organization, Person, Programme, Source
from ..models.events import count_events
from ..pagination import SortKey
from .base import CatalogueFilterSet, search_terms
from .params import (
    MAX_QUERY_LENGTH,
    REGIONS,
    ChoicesFilter,
    RecordsFilter,
    Sort,
    SortFilter,
    TextFilter,
)


class NamedRecordFilter(CatalogueFilterSet):
    """Lists of countries, programmes, organizations, people and sources: free text over
    names, aliases and codes; sorted by name or by number of events."""

    search_fields: tuple[str, ...] = ("name", "aliases")

    def filter_q(self, queryset, name, value):
        for term in search_terms(value):
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": term})
            queryset = queryset.filter(condition)
        return queryset


def search(what: str) -> TextFilter:
    return TextFilter(
        label="Search",
        method="filter_q",
        max_length=MAX_QUERY_LENGTH,
        phrase="matching {}",
        help_text=f"Words in {what}.",
    )


def by_events(relation: str) -> Sort:
    return Sort("Most events", count=count_events(relation))


BY_NAME = Sort("Name A–Z", key=SortKey("name", descending=False))


def region_filter() -> ChoicesFilter:
    return ChoicesFilter(
        label="Region",
        field_name="region",
        lookup_expr="iexact",  # "africa" in the query string, "Africa" in the table
        choices=[(region.lower(), region) for region in REGIONS],
        phrase="in {}",
    )


def country_of(noun: str) -> RecordsFilter:
    return RecordsFilter(
        label="Country",
        field_name="country__code",
        queryset=Country.objects.all(),
        to_field_name="code",
        phrase="from {}",
        help_text=f"The country the {noun} is from (Ctrl or ⌘ to choose several).",
        doc_values="ISO alpha-2 code, any case",
    )


class CountryFilter(NamedRecordFilter):
    noun, stem = "Countries", "countries"
    q = search("names, aliases and ISO codes")
    region = region_filter()
    sort = SortFilter(
        {
            "name": BY_NAME,
            "-events": by_events("event_links__event"),
            "-hosted": Sort(
                "Most events hosted",
                count=count_events("event_links__event", Q(event_links__role="host")),
            ),
        }
    )
    lower_case = ("region", "sort")
    search_fields = ("name", "aliases", "code", "alpha3", "official_name")

    class Meta:
        model = Country
        fields = []


class ProgrammeFilter(NamedRecordFilter):
    noun, stem = "Programmes", "programmes"
    q = search("names, aliases, acronyms and descriptions")
    kind = ChoicesFilter(
        label="Kind", field_name="kind", choices=Programme.Kind.choices, phrase="of kind {}"
    )
    sort = SortFilter({"name": BY_NAME, "-events": by_events("events")})
    lower_case = ("kind", "sort")
    search_fields = ("name", "aliases", "acronym", "description")

    class Meta:
        model = Programme
        fields = []


class OrganizationFilter(NamedRecordFilter):
    noun, stem = "Organizations", "organizations"
    q = search("names, aliases and acronyms")
    kind = ChoicesFilter(
        label="Kind", field_name="kind", choices=Organization.Kind.choices, phrase="of kind {}"
    )
    country = country_of("organization")
    sort = SortFilter({"name": BY_NAME, "-events": by_events("events")})
    upper_case = ("country",)
    lower_case = ("kind", "sort")
    search_fields = ("name", "aliases", "acronym")

    class Meta:
        model = Organization
        fields = []


class PersonFilter(NamedRecordFilter):
    noun, stem = "People", "people"
    q = search("names, aliases and names in the original script")
    country = country_of("person")
    sort = SortFilter({"name": BY_NAME, "-events": by_events("events")})
    upper_case = ("country",)
    lower_case = ("sort",)
    search_fields = ("name", "aliases", "native_name")

    class Meta:
        model = Person
        fields = []


class SourceFilter(NamedRecordFilter):
    noun, stem = "Sources", "sources"
    q = search("titles, publishers and authors")
    kind = ChoicesFilter(
        label="Kind", field_name="kind", choices=Source.Kind.choices, phrase="of kind {}"
    )
    sort = SortFilter(
        {
            "title": Sort("Title A–Z", key=SortKey("title", descending=False)),
            "-events": Sort(
                "Most events citing it",
                count=Coalesce(
                    Subquery(
                        EventCitation.objects.filter(source=OuterRef("pk"))
                        .order_by()
                        .values("source")
                        .annotate(n=Count("event", distinct=True))
                        .values("n")
                    ),
                    0,
                ),
                then="title",
            ),
        }
    )
    lower_case = ("kind", "sort")
    search_fields = ("title", "publisher", "author")

    class Meta:
        model = Source
        fields = []
