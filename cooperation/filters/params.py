"""The parts every list's parameters are made of: filters that know their words (Param),
the fields that parse and validate values, sorts and facets."""

import datetime
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from ..models import FIRST_YEAR, LAST_YEAR, EventQuerySet
from ..pagination import SortKey
from ..widgets import BoundedSelectMultiple, YearsInput

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
MAX_VALUE_LENGTH = 200  # longer values of a code or slug parameter cannot be valid
REGIONS = ["Africa", "Americas", "Asia", "Europe", "Oceania"]


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
        if not self.required and value in self.empty_values:
            # Not the field's queryset.none(): asking it whether it is empty compiles a query,
            # about 0.7 ms for each parameter left out, every request.
            return []
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
        """The links that select events; every link (all_objects), as the events queryset
        filtered here leaves the drafts out itself."""
        links = self.link_model.all_objects.all()
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
        return qs.filter(pk__in=self.link_model.all_objects.filter(role=value).values("event_id"))


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
