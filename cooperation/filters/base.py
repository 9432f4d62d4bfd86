"""What every list's FilterSet does with its declarations: validation, canonical query
strings, cache keys, chips, titles, file names and facet links."""

import datetime

import django_filters
from django.http import QueryDict
from django.utils.text import slugify

from .params import MAX_TERMS, Facet, Param, Sort, join_words

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

    def facet_lists(self, counted) -> list[dict]:
        """Each facet with its values' links, for the page; counts None when too slow, `stale`
        when they are from before the latest edit (summaries.Values)."""
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
            stale = facet.param in counted.stale
            result.append(
                {"param": facet.param, "title": facet.title, "values": values, "stale": stale}
            )
        return result


def search_terms(value: str) -> list[str]:
    return value.split()[:MAX_TERMS]
