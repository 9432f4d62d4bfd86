"""The filters behind every list. One FilterSet per list serves its HTML page, CSV and JSON.

The events list's query parameters are a public contract, documented in docs/csv.md.
"""

import datetime

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.text import slugify

from .models import (
    Country,
    Event,
    EventCountry,
    EventOrganization,
    EventPerson,
    EventQuerySet,
    Organization,
    Person,
    Programme,
)
from .search import event_text_matches

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
REGIONS = ["Africa", "Americas", "Asia", "Europe", "Oceania"]


class YearsField(forms.Field):
    """One or more years, from a repeated query parameter (?year=2012&year=2013)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": "“%(value)s” is not a year.",
        "range": "Years run from 1000 to 9999; “%(value)s” is outside.",
    }

    def to_python(self, value):
        if not value:
            return []
        years = []
        for raw in value if isinstance(value, list | tuple) else [value]:
            text = str(raw).strip()
            if not text.isdigit() or not text.isascii():
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": text[:40]}
                )
            if not 1000 <= int(text) <= 9999:
                raise forms.ValidationError(
                    self.error_messages["range"], code="range", params={"value": text[:40]}
                )
            years.append(int(text))
        return sorted(set(years))


class YearsFilter(django_filters.Filter):
    field_class = YearsField


class CatalogueFilterSet(django_filters.FilterSet):
    """Shared behaviour: codes in any case, several values per parameter, words for humans."""

    # Parameters whose values are matched without regard to case.
    upper_case: tuple[str, ...] = ()
    lower_case: tuple[str, ...] = ()

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            # An empty form field means "no filter", not a value to look up.
            for name in list(data):
                values = [value for value in data.getlist(name) if value.strip()]
                if values:
                    data.setlist(name, values)
                else:
                    del data[name]
            for name in self.upper_case:
                data.setlist(name, [value.strip().upper() for value in data.getlist(name)])
            for name in self.lower_case:
                data.setlist(name, [value.strip().lower() for value in data.getlist(name)])
        super().__init__(data, *args, **kwargs)

    def error_messages(self) -> list[str]:
        """Every problem with the query string, in words, naming the parameter."""
        messages = []
        for name, errors in self.form.errors.items():
            for error in errors:
                messages.append(f"{name}: {error}")
        return messages


def search_terms(value: str) -> list[str]:
    return value.split()[:MAX_TERMS]


MAX_NAMED_MATCHES = 1000


class ProgrammeLink:
    """Event.programmes' through table, addressed like the other link models."""

    target_field = "programme"
    objects = Event.programmes.through.objects


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


class EventFilter(CatalogueFilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_q",
        max_length=MAX_QUERY_LENGTH,
        help_text="Words in titles, descriptions, themes, places, and names or aliases of "
        "countries, organizations, people and programmes.",
    )
    country = django_filters.ModelMultipleChoiceFilter(
        label="Country",
        queryset=Country.objects.all(),
        to_field_name="code",
        method="filter_country",
        help_text="ISO alpha-2 code, any case; repeat for several (any of them).",
    )
    country_role = django_filters.ChoiceFilter(
        label="Country's role",
        choices=EventCountry.Role.choices,
        method="filter_nothing",
        empty_label="any role",
        help_text="With country or region: only events where it had this role.",
    )
    region = django_filters.MultipleChoiceFilter(
        label="Region",
        choices=[(region.lower(), region) for region in REGIONS],
        method="filter_region",
    )
    year = YearsFilter(label="Year", method="filter_year")
    date_from = django_filters.DateFilter(
        label="From", method="filter_nothing", help_text="Events under way on or after."
    )
    date_to = django_filters.DateFilter(
        label="To", method="filter_nothing", help_text="Events under way on or before."
    )
    type = django_filters.MultipleChoiceFilter(
        label="Type", choices=Event.Type.choices, method="filter_type"
    )
    programme = django_filters.ModelMultipleChoiceFilter(
        label="Programme",
        queryset=Programme.objects.all(),
        to_field_name="slug",
        method="filter_programme",
    )
    organization = django_filters.ModelMultipleChoiceFilter(
        label="Organization",
        queryset=Organization.objects.all(),
        to_field_name="slug",
        method="filter_organization",
    )
    organization_role = django_filters.ChoiceFilter(
        label="Organization's role",
        choices=EventOrganization.Role.choices,
        method="filter_organization_role",
        empty_label="any role",
    )
    person = django_filters.ModelMultipleChoiceFilter(
        label="Person",
        queryset=Person.objects.all(),
        to_field_name="slug",
        method="filter_person",
    )
    sort = django_filters.ChoiceFilter(
        label="Sort",
        choices=[
            ("-date", "Newest first"),
            ("date", "Oldest first"),
            ("title", "Title A–Z"),
            ("-title", "Title Z–A"),
            ("-participants", "Most participants"),
            ("participants", "Fewest participants"),
        ],
        method="filter_sort",
        empty_label=None,
    )

    upper_case = ("country",)
    lower_case = ("region", "type", "country_role", "organization_role", "sort")

    ORDERINGS = {
        "-date": [F("start_date").desc(), F("id").desc()],
        "date": [F("start_date").asc(), F("id").asc()],
        "title": [F("title").asc(), F("id").asc()],
        "-title": [F("title").desc(), F("id").desc()],
        "-participants": [F("participants").desc(nulls_last=True), F("id").desc()],
        "participants": [F("participants").asc(nulls_last=True), F("id").asc()],
    }
    DEFAULT_SORT = "-date"

    class Meta:
        model = Event
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        date_from = self.form.cleaned_data.get("date_from")
        date_to = self.form.cleaned_data.get("date_to")
        if date_from or date_to:
            queryset = queryset.overlapping(date_from, date_to)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*self.ORDERINGS[self.DEFAULT_SORT])
        return queryset

    # Parameters that qualify others (country_role) or act together (date_from and date_to,
    # in filter_queryset) do nothing on their own.
    def filter_nothing(self, queryset, name, value):
        return queryset

    def _country_links(self):
        links = EventCountry.objects.all()
        role = self.form.cleaned_data.get("country_role")
        return links.filter(role=role) if role else links

    def filter_country(self, queryset, name, value):
        if not value:
            return queryset
        links = self._country_links().filter(country__in=value)
        return queryset.filter(pk__in=links.values("event_id"))

    def filter_region(self, queryset, name, value):
        if not value:
            return queryset
        regions = [region for region in REGIONS if region.lower() in value]
        links = self._country_links().filter(country__region__in=regions)
        return queryset.filter(pk__in=links.values("event_id"))

    def filter_year(self, queryset, name, value):
        if not value:
            return queryset
        condition = Q()
        for year in value:
            condition |= EventQuerySet.year_condition(year)
        return queryset.filter(condition)

    def filter_type(self, queryset, name, value):
        return queryset.filter(type__in=value) if value else queryset

    def filter_programme(self, queryset, name, value):
        if not value:
            return queryset
        through = Event.programmes.through.objects.filter(programme__in=value)
        return queryset.filter(pk__in=through.values("event_id"))

    def filter_organization(self, queryset, name, value):
        if not value:
            return queryset
        links = EventOrganization.objects.filter(organization__in=value)
        role = self.form.cleaned_data.get("organization_role")
        if role:
            links = links.filter(role=role)
        return queryset.filter(pk__in=links.values("event_id"))

    def filter_organization_role(self, queryset, name, value):
        # With organizations, the role qualifies them (see filter_organization); alone, it
        # keeps events where any organization had that role.
        if not value or self.form.cleaned_data.get("organization"):
            return queryset
        links = EventOrganization.objects.filter(role=value)
        return queryset.filter(pk__in=links.values("event_id"))

    def filter_person(self, queryset, name, value):
        if not value:
            return queryset
        links = EventPerson.objects.filter(person__in=value)
        return queryset.filter(pk__in=links.values("event_id"))

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*self.ORDERINGS[value]) if value else queryset

    def filter_q(self, queryset, name, value):
        """Every word must match the event's own text or a linked record's name or alias.

        Linked records are looked up first, in their own (small) tables, so that the events
        query is the event text condition alone unless some name matches: then the database
        can use the full-text index and the date order together.
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
                event_ids = links.objects.filter(**{f"{field}__in": ids}).order_by()
                condition |= Q(pk__in=event_ids.values("event_id"))
            queryset = queryset.filter(condition)
        return queryset

    # ---- Words for humans ---------------------------------------------------------------

    def active_filters(self) -> list[dict]:
        """Each active value, in words, with the query string that removes just it."""
        if not self.is_bound or not self.form.is_valid():
            return []
        data = self.form.cleaned_data
        chips = []

        def add(param, raw, label):
            chips.append({"param": param, "value": raw, "label": label})

        if data.get("q"):
            add("q", self.data.get("q"), f"matching “{data['q']}”")
        role = data.get("country_role")
        role_words = f" ({EventCountry.Role(role).label.lower()})" if role else ""
        for country in data.get("country") or []:
            add("country", country.code, f"{country.name}{role_words}")
        for region in data.get("region") or []:
            add("region", region, f"{region.title()}{role_words}")
        if role and not data.get("country") and not data.get("region"):
            add("country_role", role, f"country role: {EventCountry.Role(role).label.lower()}")
        for year in data.get("year") or []:
            add("year", str(year), str(year))
        if data.get("date_from"):
            add("date_from", data["date_from"].isoformat(), f"from {data['date_from']:%-d %B %Y}")
        if data.get("date_to"):
            add("date_to", data["date_to"].isoformat(), f"until {data['date_to']:%-d %B %Y}")
        for event_type in data.get("type") or []:
            add("type", event_type, Event.Type(event_type).label)
        for programme in data.get("programme") or []:
            add("programme", programme.slug, programme.name)
        org_role = data.get("organization_role")
        org_words = f" as {EventOrganization.Role(org_role).label.lower()}" if org_role else ""
        for organization in data.get("organization") or []:
            add("organization", organization.slug, f"{organization.name}{org_words}")
        if org_role and not data.get("organization"):
            add("organization_role", org_role, f"an organization{org_words}")
        for person in data.get("person") or []:
            add("person", person.slug, person.name)
        return chips

    def describe(self) -> str:
        """The result in a phrase: "Trainings in Tanzania, 2012"."""
        if not self.is_bound or not self.form.is_valid():
            return "Events"
        data = self.form.cleaned_data
        types = data.get("type") or []
        noun = plural_type(types[0]) if len(types) == 1 else "Events"
        places = [country.name for country in data.get("country") or []]
        places += [region.title() for region in data.get("region") or []]
        phrase = noun
        role = data.get("country_role")
        if places and role == EventCountry.Role.HOST:
            phrase += " hosted in " + join_words(places, "or")
        elif places:
            phrase += " in " + join_words(places, "or")
            if role:
                phrase += f" (as {EventCountry.Role(role).label.lower()})"
        extras = []
        if len(types) > 1:
            extras.append(join_words([Event.Type(t).label.lower() for t in types], "or"))
        extras += [str(year) for year in data.get("year") or []]
        extras += [programme.name for programme in data.get("programme") or []]
        extras += [organization.name for organization in data.get("organization") or []]
        extras += [person.name for person in data.get("person") or []]
        if data.get("date_from") or data.get("date_to"):
            start = data.get("date_from")
            end = data.get("date_to")
            extras.append(
                f"{start.isoformat() if start else '…'} to {end.isoformat() if end else '…'}"
            )
        if data.get("q"):
            extras.append(f"matching “{data['q']}”")
        if extras:
            phrase += ", " + ", ".join(extras)
        return phrase

    def filename(self, stem: str, extension: str, today: datetime.date) -> str:
        """What was filtered and when: events-tanzania-2012-2026-11-22.csv."""
        words = []
        if self.is_bound and self.form.is_valid():
            data = self.form.cleaned_data
            words += [plural_type(t) for t in data.get("type") or []]
            words += [country.name for country in data.get("country") or []]
            words += data.get("region") or []
            words += [str(year) for year in data.get("year") or []]
            words += [p.slug for p in data.get("programme") or []]
            words += [o.slug for o in data.get("organization") or []]
            words += [p.slug for p in data.get("person") or []]
            if data.get("q"):
                words.append(data["q"])
        middle = slugify(" ".join(words))[:80].strip("-")
        parts = [stem, middle, today.isoformat()]
        return "-".join(part for part in parts if part) + f".{extension}"


def plural_type(value: str) -> str:
    return {
        "training": "Trainings",
        "seminar": "Seminars and workshops",
        "forum": "Forums and conferences",
        "visit": "Visits and delegations",
        "meeting": "Meetings",
        "signing": "Signings",
        "launch": "Launches and inaugurations",
        "research": "Research and publications",
        "field_visit": "Field visits",
        "speech": "Speeches",
        "other": "Other events",
    }[value]


def join_words(words: list[str], conjunction: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


class NamedRecordFilter(CatalogueFilterSet):
    """Lists of programmes, organizations and people: free text over names and aliases."""

    q = django_filters.CharFilter(label="Search", method="filter_q", max_length=MAX_QUERY_LENGTH)
    search_fields = ("name", "aliases")

    def filter_q(self, queryset, name, value):
        for term in search_terms(value):
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": term})
            queryset = queryset.filter(condition)
        return queryset


class CountryFilter(NamedRecordFilter):
    region = django_filters.MultipleChoiceFilter(
        label="Region",
        choices=[(region.lower(), region) for region in REGIONS],
        method="filter_region",
    )
    lower_case = ("region",)
    search_fields = ("name", "aliases", "code", "alpha3", "official_name")

    class Meta:
        model = Country
        fields = []

    def filter_region(self, queryset, name, value):
        regions = [region for region in REGIONS if region.lower() in value]
        return queryset.filter(region__in=regions) if value else queryset


class ProgrammeFilter(NamedRecordFilter):
    kind = django_filters.MultipleChoiceFilter(label="Kind", choices=Programme.Kind.choices)
    lower_case = ("kind",)
    search_fields = ("name", "aliases", "acronym", "description")

    class Meta:
        model = Programme
        fields = []


class OrganizationFilter(NamedRecordFilter):
    kind = django_filters.MultipleChoiceFilter(label="Kind", choices=Organization.Kind.choices)
    country = django_filters.ModelMultipleChoiceFilter(
        label="Country", queryset=Country.objects.all(), to_field_name="code"
    )
    upper_case = ("country",)
    lower_case = ("kind",)
    search_fields = ("name", "aliases", "acronym")

    class Meta:
        model = Organization
        fields = []


class PersonFilter(NamedRecordFilter):
    country = django_filters.ModelMultipleChoiceFilter(
        label="Country", queryset=Country.objects.all(), to_field_name="code"
    )
    upper_case = ("country",)
    search_fields = ("name", "aliases", "native_name")

    class Meta:
        model = Person
        fields = []
