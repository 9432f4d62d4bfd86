"""The events list's parameters, sorts and facets (and the years list, which reuses them)."""

import re

from django.db.models import OuterRef, Q

from .. import summaries
from ..models import (
    Country,
    Event,
    EventCitation,
    EventCountry,
    EventOrganization,
    EventPerson,
    EventQuerySet,
    Organization,
    Person,
    Programme,
    Source,
)
from ..pagination import SortKey
from ..search import ProbedExists, event_text_matches
from .base import CatalogueFilterSet, search_terms
from .params import (
    MAX_QUERY_LENGTH,
    REGIONS,
    ChoicesFilter,
    DateFilter,
    Facet,
    LinkedChoicesFilter,
    LinkedRecordsFilter,
    RoleFilter,
    Sort,
    SortFilter,
    TextFilter,
    WithRole,
    YearsFilter,
)

MAX_NAMED_MATCHES = 1000


class ProgrammeLink:
    """Event.programmes' through table, addressed like the other link models."""

    target_field = "programme"
    objects = all_objects = Event.programmes.through.objects


def linked_records(term: str):
    """(link model, matching records) for each kind of record an event links to."""
    named = Q(name__icontains=term) | Q(aliases__icontains=term)
    acronym = Q(acronym__iexact=term)
    return [
        (EventCountry, Country.objects.filter(named)),
        (EventOrganization, Organization.objects.filter(named | acronym)),
        (EventPerson, Person.objects.filter(named)),
        (ProgrammeLink, Programme.objects.filter(named | acronym)),
    ]


COUNTRY_ROLE_PHRASES = {
    EventCountry.Role.HOST: "hosted by {}",
    EventCountry.Role.PARTICIPANT: "with {} taking part",
    EventCountry.Role.BENEFICIARY: "benefiting {}",
    EventCountry.Role.PARTNER: "with {} as partner",
}
REGION_ROLE_PHRASES = {
    EventCountry.Role.HOST: "hosted in {}",
    EventCountry.Role.PARTICIPANT: "with countries of {} taking part",
    EventCountry.Role.BENEFICIARY: "benefiting countries of {}",
    EventCountry.Role.PARTNER: "with countries of {} as partners",
}
TYPE_PLURALS = {
    Event.Type.TRAINING: "Trainings",
    Event.Type.SEMINAR: "Seminars and workshops",
    Event.Type.FORUM: "Forums and conferences",
    Event.Type.VISIT: "Visits and delegations",
    Event.Type.MEETING: "Meetings",
    Event.Type.SIGNING: "Signings",
    Event.Type.LAUNCH: "Launches and inaugurations",
    Event.Type.RESEARCH: "Research and publications",
    Event.Type.FIELD_VISIT: "Field visits",
    Event.Type.SPEECH: "Speeches",
    Event.Type.OTHER: "Other events",
}


def plural_type(value: str) -> str:
    """ "Trainings" for the training type; a type added later reads "Events (<label>)"."""
    if value in TYPE_PLURALS:
        return TYPE_PLURALS[value]
    return f"Events ({dict(Event.Type.choices).get(value, value)})"


YEAR_FACET = Facet("year", "By year", summaries.year_counts, also="and_year")

EVENT_SORTS = {
    "-date": Sort("Newest first", key=SortKey("start_date", descending=True)),
    "date": Sort("Oldest first", key=SortKey("start_date", descending=False)),
    "title": Sort("Title A–Z", key=SortKey("title", descending=False)),
    "-title": Sort("Title Z–A", key=SortKey("title", descending=True)),
    "-participants": Sort(
        "Most participants", key=SortKey("participants", descending=True, nullable=True)
    ),
    "participants": Sort(
        "Fewest participants", key=SortKey("participants", descending=False, nullable=True)
    ),
}


class EventFilter(CatalogueFilterSet):
    noun = "Events"
    stem = "events"

    q = TextFilter(
        label="Search",
        method="filter_q",
        max_length=MAX_QUERY_LENGTH,
        phrase="matching {}",
        help_text="Words in titles, descriptions, themes, places, and names or aliases of "
        "countries, organizations, people and programmes.",
    )
    country = LinkedRecordsFilter(
        EventCountry,
        "country",
        role_from="country_role",
        label="Country",
        queryset=Country.objects.all(),
        to_field_name="code",
        phrase=WithRole("country_role", "involving {}", COUNTRY_ROLE_PHRASES, "with {} as ROLE"),
        help_text="Any of the chosen countries (Ctrl or ⌘ to choose several).",
        doc_values="ISO 3166-1 alpha-2 code, any case (`tz`, `TZ`)",
    )
    country_role = RoleFilter(
        EventCountry,
        qualifies=("country", "region"),
        label="Country's role",
        choices=EventCountry.Role.choices,
        phrase="with a country as {}",
        help_text="With a country or region: only events where it had this role.",
    )
    and_country = LinkedRecordsFilter(
        EventCountry,
        "country",
        conjoined=True,
        label="Also involving",
        queryset=Country.objects.all(),
        to_field_name="code",
        phrase="also involving {}",
        help_text="Every one of these countries too, in any role (facet links add them).",
        doc_values="ISO alpha-2 code, any case",
    )
    region = LinkedChoicesFilter(
        EventCountry,
        "country__region",
        role_from="country_role",
        stored=lambda value: dict((region.lower(), region) for region in REGIONS)[value],
        label="Region",
        choices=[(region.lower(), region) for region in REGIONS],
        phrase=WithRole("country_role", "involving {}", REGION_ROLE_PHRASES, "with {} as ROLE"),
        help_text="Any of the chosen UN regions.",
    )
    year = YearsFilter(
        label="Year",
        phrase="in {}",
        help_text="Under way at any time in the year. Several years, separated by spaces, "
        "mean any of them.",
        doc_values="four-digit year",
    )
    and_year = YearsFilter(
        conjoined=True,
        label="Also under way in",
        phrase="also under way in {}",
        help_text="Every one of these years too (facet links add them).",
        doc_values="four-digit year",
    )
    date_from = DateFilter(
        label="Under way from",
        method="filter_date_from",
        phrase="under way from {}",
        help_text="YYYY-MM-DD: events under way on or after this day.",
        doc_values="`YYYY-MM-DD`",
    )
    date_to = DateFilter(
        label="Under way until",
        field_name="start_date",
        lookup_expr="lte",
        phrase="until {}",
        help_text="YYYY-MM-DD: events under way on or before this day.",
        doc_values="`YYYY-MM-DD`",
    )
    type = ChoicesFilter(
        label="Type",
        field_name="type",
        choices=Event.Type.choices,
        phrase="of type {}",
        help_text="Any of the ticked types.",
    )
    programme = LinkedRecordsFilter(
        ProgrammeLink,
        "programme",
        label="Programme",
        queryset=Programme.objects.all(),
        to_field_name="slug",
        phrase="in the programme {}",
        help_text="Any of the chosen programmes (Ctrl or ⌘ to choose several).",
        doc_values="programme slug",
    )
    and_programme = LinkedRecordsFilter(
        ProgrammeLink,
        "programme",
        conjoined=True,
        label="Also in the programme",
        queryset=Programme.objects.all(),
        to_field_name="slug",
        phrase="also in the programme {}",
        help_text="Every one of these programmes too (facet links add them).",
        doc_values="programme slug",
    )
    organization = LinkedRecordsFilter(
        EventOrganization,
        "organization",
        role_from="organization_role",
        label="Organization",
        queryset=Organization.objects.all(),
        to_field_name="slug",
        phrase=WithRole(
            "organization_role",
            "with {}",
            {
                role: f"with {{}} as {label.lower()}"
                for role, label in EventOrganization.Role.choices
            },
            "with {} as ROLE",
        ),
        help_text="Any of the chosen organizations (Ctrl or ⌘ to choose several).",
        doc_values="organization slug",
    )
    organization_role = RoleFilter(
        EventOrganization,
        qualifies=("organization",),
        label="Organization's role",
        choices=EventOrganization.Role.choices,
        phrase="with an organization as {}",
        help_text="With an organization: only events where it had this role.",
    )
    person = LinkedRecordsFilter(
        EventPerson,
        "person",
        label="Person",
        queryset=Person.objects.all(),
        to_field_name="slug",
        phrase="with {}",
        help_text="Any of the chosen people (Ctrl or ⌘ to choose several).",
        doc_values="person slug",
    )
    source = LinkedRecordsFilter(
        EventCitation,
        "source",
        label="Source",
        queryset=Source.objects.all(),
        to_field_name="slug",
        phrase="citing {}",
        help_text="Events that cite any of the chosen source documents.",
        doc_values="source slug",
    )
    sort = SortFilter(EVENT_SORTS, help_text="Ties are broken by id; no count sorts last.")

    upper_case = ("country", "and_country")
    lower_case = ("region", "type", "country_role", "organization_role", "sort")
    more_filters = (
        "country_role",
        "and_country",
        "region",
        "and_year",
        "date_from",
        "date_to",
        "and_programme",
        "organization_role",
        "source",
    )

    facets = (
        Facet("type", "By type", summaries.type_counts),
        YEAR_FACET,
        Facet(
            "country",
            "By country",
            summaries.country_counts,
            also="and_country",
            qualifier="country_role",
        ),
        Facet("programme", "By programme", summaries.programme_counts, also="and_programme"),
    )

    class Meta:
        model = Event
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        years = [name for name in ("year", "and_year") if data is not None and name in data]
        if years:  # the form's one box may hold several years: "2012 2013", "2012, 2013"
            data = data.copy()
            for name in years:
                data.setlist(
                    name, [y for raw in data.getlist(name) for y in re.split(r"[\s,;]+", raw)]
                )
        super().__init__(data, *args, **kwargs)

    def check(self, form):
        super().check(form)
        # An inverted range is an error on the form, not an empty result.
        start, end = form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to")
        if start and end and end < start:
            form.add_error(
                "date_to", f"The range ends ({end}) before it starts ({start}); swap them?"
            )

    def title_noun(self):
        types = self.cleaned.get("type") or []
        if len(types) == 1:
            return plural_type(types[0]), {"type"}
        return self.noun, set()

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(EventQuerySet.overlap_condition(value, None))

    def filter_q(self, queryset, name, value):
        """Every word must match the event's own text or a linked record's name or alias.

        Linked records are looked up first, in their own (small) tables, so that the events
        query is the event text condition alone unless some name matches: then the database
        can use the full-text index and the date order together. When some do, each event's
        links to them are probed as its rows are read (ProbedExists).
        """
        for term in search_terms(value):
            condition = event_text_matches(term)
            for links, matches in linked_records(term):
                ids = list(matches.values_list("pk", flat=True)[: MAX_NAMED_MATCHES + 1])
                if not ids:
                    continue
                if len(ids) > MAX_NAMED_MATCHES:  # a very common word: let the database join
                    ids = matches.values("pk")
                field = links.target_field
                # Every link: the events queryset itself leaves the drafts out.
                linked = links.all_objects.filter(event=OuterRef("pk"), **{f"{field}__in": ids})
                condition |= Q(ProbedExists(linked.order_by()))
            queryset = queryset.filter(condition)
        return queryset


class YearFilter(EventFilter):
    """The years list: how the events that the events list's parameters choose spread over
    the years they were under way in (no sort: years run newest first)."""

    stem = "years"
    sort = None

    def title_noun(self):
        noun, said = super().title_noun()
        return f"Years of {noun[0].lower()}{noun[1:]}", said
