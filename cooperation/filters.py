"""What each list offers, declared once: its query parameters, their words, facets and sorts.

A FilterSet per list declares every parameter with its label, help text, how its value is
parsed and validated, the query it adds (`field_name`/`lookup_expr`, or a link-table semijoin
for events) and how it reads in words (`phrase`). Everything else reads these declarations:
the filter form, the chips and the page title, export file names, cache keys, canonical
query strings, facet links, docs/csv.md's parameter tables and the generated contract tests.

Repeating a parameter means "any of these" (OR); different parameters are AND-ed. The `and_`
parameters (`and_country`, `and_year`, `and_programme`) mean "and also": every value must
match. Facet links use them, so that clicking a facet value narrows the result to exactly the
count shown beside it.
"""

import datetime
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.text import slugify

from . import summaries
from .models import (
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
from .pagination import SortKey
from .search import event_text_matches
from .widgets import BoundedSelectMultiple, YearsInput

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
MAX_VALUE_LENGTH = 200  # longer values of a code or slug parameter cannot be valid
REGIONS = ["Africa", "Americas", "Asia", "Europe", "Oceania"]
FIRST_YEAR, LAST_YEAR = 1000, 9999
# Query-string names that move within a list rather than choose what is in it.
POSITION_PARAMS = ("page", "after", "before")
EXPORT_ONLY_PARAMS = ("bom",)


def join_words(words: list[str], conjunction: str = "or") -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def quoted(text: str) -> str:
    return f"“{text}”"


# ---- Parameters ---------------------------------------------------------------------------


class Param:
    """What a parameter says of itself besides filtering: its values in words and in the URL.

    `phrase` reads after the list's noun ("Events involving Tanzania"); "{}" stands for the
    value (several values are joined with "or"). It may also be a callable taking the
    FilterSet's cleaned data and returning such a template (a role that qualifies the value).
    """

    def __init__(self, *args, phrase="{}", in_filename=True, doc_values="", **kwargs):
        self.phrase = phrase
        self.in_filename = in_filename
        self.values_doc = doc_values
        super().__init__(*args, **kwargs)

    def values(self, value) -> list:
        if value is None or value == "" or value == []:
            return []
        if isinstance(value, list | tuple | QuerySet):
            return list(value)
        return [value]

    def raw(self, value) -> str:
        """The value as the canonical query string writes it."""
        if hasattr(value, "_meta"):
            return str(getattr(value, self.extra.get("to_field_name") or "pk")).lower()
        if isinstance(value, datetime.date):
            return value.isoformat()
        return str(value)

    def words(self, value) -> str:
        if hasattr(value, "_meta"):
            return getattr(value, "name", None) or str(value)
        choices = dict(self.extra.get("choices") or ())
        if value in choices:
            return str(choices[value])
        if isinstance(value, datetime.date):
            return f"{value:%-d %B %Y}"
        return str(value)

    def template(self, data) -> str:
        return self.phrase(data) if callable(self.phrase) else self.phrase

    def says_itself(self, data) -> bool:
        """Whether its values read as phrases of their own (a role that qualifies another
        parameter is said in that parameter's phrase instead)."""
        return True

    def doc_values(self) -> str:
        """What values it takes, for docs/csv.md."""
        if self.values_doc:
            return self.values_doc
        if self.extra.get("choices"):
            return ", ".join(f"`{value}`" for value, _ in self.extra["choices"])
        return "text"


class WithRole:
    """A phrase template per role of a qualifying parameter (`country_role`), with a fallback
    for roles added later."""

    def __init__(self, qualifier: str, plain: str, by_role: dict, other: str):
        self.qualifier, self.plain, self.by_role, self.other = qualifier, plain, by_role, other

    def __call__(self, data) -> str:
        role = data.get(self.qualifier)
        if not role:
            return self.plain
        return self.by_role.get(role, self.other.replace("ROLE", str(role).replace("_", " ")))


class CleanChoiceMixin:
    """Values longer than any valid one are refused before they reach the database."""

    def validate_lengths(self, value):
        for item in value if isinstance(value, list | tuple) else [value]:
            if len(str(item)) > MAX_VALUE_LENGTH:
                raise forms.ValidationError(
                    "“%(value)s…” is too long to be a valid value.",
                    code="too_long",
                    params={"value": str(item)[:40]},
                )


class RecordsField(CleanChoiceMixin, forms.ModelMultipleChoiceField):
    def clean(self, value):
        self.validate_lengths(value or [])
        return super().clean(value)


class ChoicesField(CleanChoiceMixin, forms.MultipleChoiceField):
    def clean(self, value):
        self.validate_lengths(value or [])
        return super().clean(value)


class YearsField(forms.Field):
    """One or more years, from a repeated query parameter (?year=2012&year=2013)."""

    widget = YearsInput
    default_error_messages = {
        "invalid": "“%(value)s” is not a year.",
        "range": f"Years run from {FIRST_YEAR} to {LAST_YEAR}; “%(value)s” is outside.",
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
            if not FIRST_YEAR <= int(text) <= LAST_YEAR:
                raise forms.ValidationError(
                    self.error_messages["range"], code="range", params={"value": text[:40]}
                )
            years.append(int(text))
        return sorted(set(years))


class TextFilter(Param, django_filters.CharFilter):
    def words(self, value) -> str:
        return quoted(value)


class DateFilter(Param, django_filters.DateFilter):
    pass


class ChoiceFilter(Param, django_filters.ChoiceFilter):
    pass


class ChoicesFilter(Param, django_filters.MultipleChoiceFilter):
    """Any of several choices (OR): ?type=training&type=seminar."""

    field_class = ChoicesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)  # one row per record: no DISTINCT needed
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(*args, **kwargs)


class RecordsFilter(Param, django_filters.ModelMultipleChoiceFilter):
    """Any of several records, named by slug or code (OR)."""

    field_class = RecordsField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("widget", BoundedSelectMultiple)
        super().__init__(*args, **kwargs)


class YearsFilter(Param, django_filters.Filter):
    """Events under way at any time in any of the years (start, end or span)."""

    field_class = YearsField
    conjoined = False

    def __init__(self, *args, conjoined=False, **kwargs):
        self.conjoined = conjoined
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        if self.conjoined:
            for year in value:
                qs = qs.filter(EventQuerySet.year_condition(year))
            return qs
        condition = Q()
        for year in value:
            condition |= EventQuerySet.year_condition(year)
        return qs.filter(condition)


class LinkedMixin:
    """Events linked to any of the values (or to each of them, `conjoined`), through a link
    table, as a semijoin (`pk IN (SELECT event_id ...)`): the events query keeps its own order
    and index, where a join would need DISTINCT.

    `role_from` names the parameter whose value, if given, the link's role must have.
    """

    def __init__(
        self, link_model, link_field, *args, role_from=None, conjoined=False, stored=None, **kw
    ):
        self.link_model, self.link_field = link_model, link_field
        self.role_from, self.conjoined = role_from, conjoined
        self.stored = stored or (lambda value: value)  # a value as the link table holds it
        super().__init__(*args, **kw)

    def links(self):
        links = self.link_model.objects.all()
        role = self.parent.form.cleaned_data.get(self.role_from) if self.role_from else None
        return links.filter(role=role) if role else links

    def filter(self, qs, value):
        if not value:
            return qs
        values = [self.stored(item) for item in value]
        groups = [[item] for item in values] if self.conjoined else [values]
        for group in groups:
            links = self.links().filter(**{f"{self.link_field}__in": group}).order_by()
            qs = qs.filter(pk__in=links.values("event_id"))
        return qs


class LinkedRecordsFilter(LinkedMixin, RecordsFilter):
    pass


class LinkedChoicesFilter(LinkedMixin, ChoicesFilter):
    pass


class RoleFilter(Param, django_filters.ChoiceFilter):
    """A role that qualifies other parameters (`qualifies`); alone, events with any link in
    this role."""

    def __init__(self, link_model, *args, qualifies=(), **kwargs):
        self.link_model, self.qualifies = link_model, qualifies
        kwargs.setdefault("empty_label", "any role")
        super().__init__(*args, **kwargs)

    def is_qualifying(self) -> bool:
        return not self.says_itself(self.parent.form.cleaned_data)

    def says_itself(self, data) -> bool:
        return not any(data.get(name) for name in self.qualifies)

    def words(self, value) -> str:
        return super().words(value).lower()

    def filter(self, qs, value):
        if not value or self.is_qualifying():
            return qs
        return qs.filter(pk__in=self.link_model.objects.filter(role=value).values("event_id"))


@dataclass(frozen=True)
class Sort:
    """One way to order a list: a keyset key (events), or a ranking by a count."""

    label: str
    key: SortKey | None = None
    count: object = None  # an aggregate: records with the most first, then by `then`
    then: str = "name"

    def apply(self, queryset):
        if self.key is not None:
            return queryset.order_by(*self.key.order_by())
        return queryset.annotate(n=self.count).order_by("-n", self.then, "pk")


class SortFilter(Param, django_filters.ChoiceFilter):
    """The list's sorts, declared once: the form, the pages, the exports and the docs read
    them. An empty value means the default (the first)."""

    def __init__(self, sorts: dict[str, Sort], *args, **kwargs):
        self.sorts = sorts
        self.default = next(iter(sorts))
        kwargs.setdefault("label", "Sort")
        kwargs.setdefault("empty_label", None)
        kwargs["choices"] = [(name, sort.label) for name, sort in sorts.items()]
        super().__init__(*args, in_filename=False, **kwargs)

    def filter(self, qs, value):
        return self.sorts[value or self.default].apply(qs)


# ---- Facets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facet:
    """How the result splits by one parameter's values, each count a promise: its link gives
    exactly that many records.

    `counts(queryset)` returns [(value, words, n)]. `also` is the parameter that narrows by
    one more value of a link (an event may have several countries), `qualifier` one that
    changes what the parameter means (`country_role`).
    """

    param: str
    title: str
    counts: object
    also: str = ""
    qualifier: str = ""


# ---- The lists ----------------------------------------------------------------------------


class CatalogueFilterSet(django_filters.FilterSet):
    """Shared behaviour: codes in any case, empty values ignored, words for humans."""

    noun = "Records"
    stem = "records"  # the file name's first word and the cache key's prefix
    facets: tuple[Facet, ...] = ()
    # Parameters the form groups under "More filters" (present, but folded away).
    more_filters: tuple[str, ...] = ()
    upper_case: tuple[str, ...] = ()
    lower_case: tuple[str, ...] = ()

    def __init__(self, data=None, *args, **kwargs):
        # Always bound, even to an empty query string: every list's values are validated and
        # its default sort applies.
        data = QueryDict(mutable=True) if data is None else data.copy()
        for name in list(data):
            values = [value for value in data.getlist(name) if value.strip()]
            if values:
                data.setlist(name, values)
            else:  # an empty form field means "no filter", not a value to look up
                del data[name]
        # PostgreSQL text cannot hold NUL: such a value is refused before any lookup.
        self.refused = [
            name
            for name in list(data)
            if name in self.base_filters and any("\x00" in value for value in data.getlist(name))
        ]
        for name in self.refused:
            del data[name]
        for name in self.upper_case:
            if name in data:
                data.setlist(name, [value.strip().upper() for value in data.getlist(name)])
        for name in self.lower_case:
            if name in data:
                data.setlist(name, [value.strip().lower() for value in data.getlist(name)])
        super().__init__(data, *args, **kwargs)

    def get_form_class(self):
        filterset = self

        class FilterForm(super().get_form_class()):
            def __init__(self, *args, **kwargs):
                kwargs.setdefault("label_suffix", "")  # "Country", not "Country:"
                super().__init__(*args, **kwargs)

            def clean(self):
                cleaned = super().clean()
                filterset.check(self)
                return cleaned

        return FilterForm

    def check(self, form):
        """Checks across the whole query string, errors added to their fields."""
        for name in self.refused:
            form.add_error(name, "This value holds a NUL character (%00), which no value has.")

    @property
    def more_in_use(self) -> bool:
        """Whether a folded parameter has a value or an error: the group is then open."""
        return any(name in self.data or name in self.form.errors for name in self.more_filters)

    def params(self):
        """(name, filter) for each parameter, in declaration order."""
        return list(self.filters.items())

    @property
    def cleaned(self) -> dict:
        return self.form.cleaned_data if self.is_valid() else {}

    def error_messages(self) -> list[str]:
        """Every problem with the query string, in words, naming the parameter."""
        return [
            f"{name}: {error}" if name != "__all__" else str(error)
            for name, errors in self.form.errors.items()
            for error in errors
        ]

    def sort_name(self) -> str:
        sort = self.filters.get("sort")
        return (self.cleaned.get("sort") or sort.default) if sort else ""

    def sort(self) -> Sort | None:
        sort = self.filters.get("sort")
        return sort.sorts[self.sort_name()] if sort else None

    # ---- Values in words and in query strings ---------------------------------------

    def active(self) -> list[tuple[str, Param, list]]:
        """(name, filter, values) for each parameter with values, sort excluded."""
        data = self.cleaned
        return [
            (name, param, param.values(data.get(name)))
            for name, param in self.params()
            if name != "sort" and param.values(data.get(name)) and param.says_itself(data)
        ]

    def query(self, *, sort=True) -> QueryDict:
        """The canonical query string of this result: valid values only, codes in lower case,
        parameters in declaration order, the default sort left out."""
        query = QueryDict(mutable=True)
        data = self.cleaned
        for name, param in self.params():
            if name != "sort" and param.values(data.get(name)):
                query.setlist(name, [param.raw(value) for value in param.values(data[name])])
        if sort and "sort" in self.filters and self.sort_name() != self.filters["sort"].default:
            query["sort"] = self.sort_name()
        return query

    def cache_key(self) -> str:
        """The filters alone: the key of this result's cached counts and facets."""
        return f"{self.stem}:{self.query(sort=False).urlencode()}"

    def chips(self) -> list[dict]:
        """Each active value in words, with the query string that removes just it."""
        chips = []
        full = self.query()
        for name, param, values in self.active():
            template = param.template(self.cleaned)
            for value in values:
                remaining = full.copy()
                raw = param.raw(value)
                remaining.setlist(name, [v for v in full.getlist(name) if v != raw])
                chips.append(
                    {
                        "param": name,
                        "value": raw,
                        "label": template.format(param.words(value)),
                        "remove": remaining.urlencode(),
                    }
                )
        return chips

    def describe(self) -> str:
        """The result in a phrase: "Trainings involving Tanzania, in 2012"."""
        noun, skip = self.title_noun()
        phrases = [
            param.template(self.cleaned).format(join_words([param.words(v) for v in values]))
            for name, param, values in self.active()
            if name not in skip
        ]
        return noun + (" " + ", ".join(phrases) if phrases else "")

    def title_noun(self) -> tuple[str, set]:
        """The noun the title starts with, and the parameters it already says."""
        return self.noun, set()

    def filename(self, extension: str, today: datetime.date) -> str:
        """What was filtered and when: events-tanzania-2012-2026-11-22.csv."""
        words = [
            param.words(value)
            for _, param, values in self.active()
            if param.in_filename
            for value in values
        ]
        middle = slugify(" ".join(words))[:80].strip("-")
        parts = [self.stem, middle, today.isoformat()]
        return "-".join(part for part in parts if part) + f".{extension}"

    # ---- Facets -----------------------------------------------------------------------

    def facet_link(self, facet: Facet, value: str) -> tuple[str, bool]:
        """(query string, is it the current result) of one facet value: this result narrowed
        to the records with that value, so that its count is what the link gives."""
        query = self.query()
        chosen = query.getlist(facet.param)
        qualified = bool(facet.qualifier and self.cleaned.get(facet.qualifier))
        if value in (query.getlist(facet.also) if facet.also else []):
            return query.urlencode(), True
        if chosen == [value] and not qualified:
            return query.urlencode(), True
        if not chosen and not qualified:
            query.setlist(facet.param, [value])
        elif facet.also:
            query.setlist(facet.also, [*query.getlist(facet.also), value])
        else:  # a field with one value per record: the result has it only among the chosen
            query.setlist(facet.param, [value])
        return query.urlencode(), False

    def facet_items(self, queryset) -> dict:
        """{param: (cache key, compute)} for summaries.cached_many."""
        key = self.cache_key()
        return {
            facet.param: (f"facet:{facet.param}:{key}", lambda f=facet: f.counts(queryset))
            for facet in self.facets
        }

    def facet_lists(self, counted: dict) -> list[dict]:
        """Each facet with its values' links, for the page; counts None when too slow."""
        result = []
        for facet in self.facets:
            rows = counted.get(facet.param)
            values = None
            if rows is not None:
                values = []
                for value, words, n in rows:
                    link, current = self.facet_link(facet, value)
                    values.append({"value": value, "words": words, "n": n, "query": link,
                                   "current": current})  # fmt: skip
            result.append({"param": facet.param, "title": facet.title, "values": values})
        return result


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
        if data is not None and "year" in data:  # the form's one box may hold several years
            data = data.copy()
            data.setlist("year", [y for raw in data.getlist("year") for y in raw.split()])
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
        return queryset.filter(Q(start_date__gte=value) | Q(end_date__gte=value))

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


class YearFilter(EventFilter):
    """The years list: how the events that the events list's parameters choose spread over
    the years they were under way in (no sort: years run newest first)."""

    noun, stem = "Years of events", "years"
    sort = None

    def title_noun(self):
        noun, said = super().title_noun()
        return f"Years of {noun[0].lower()}{noun[1:]}", said


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


def by_events(relation: str, **extra) -> Sort:
    return Sort("Most events", count=Count(relation, distinct=True, **extra))


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
                count=Count(
                    "event_links__event", filter=Q(event_links__role="host"), distinct=True
                ),
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
