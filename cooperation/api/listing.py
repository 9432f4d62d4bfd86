"""The API's lists: parameters from each list's declaration (its FilterSet), pages by keyset.

A list answers {count, count_is_minimum, next, previous, results}. `next` and `previous`
carry a position (the sort value and id of the page's last or first row), so that a script
reading page after page never skips or repeats a record when records are added meanwhile,
and page 10,000 costs what page 1 costs.
"""

import django_filters
from django.http import QueryDict
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from .. import counters, summaries
from ..filters import SortFilter, YearsFilter
from ..lists import ranking_item
from ..models import FIRST_YEAR, LAST_YEAR
from ..pagination import COUNT_FLOOR, BadPosition, SortKey, decode, encode, window
from ..views.common import count

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200  # a page of 200 events is about 100 ms at 1M events; export.json has them all
# Beyond this many matching records, a count that would take too long says "at least N".
PAGING_PARAMS = ("after", "before", "page_size")


class Problem(serializers.Serializer):
    """What an error answer says."""

    detail = serializers.CharField(help_text="The problem in one line.")


class Problems(Problem):
    errors = serializers.ListField(
        child=serializers.CharField(), help_text="Each problem, naming its parameter."
    )


class BadQuery(APIException):
    """400 with every problem with the query string: {"detail": one line, "errors": [...]}."""

    status_code = 400
    default_code = "bad_request"

    def __init__(self, messages):
        messages = [" ".join(str(message).split()) for message in messages]
        super().__init__({"detail": "Bad request: " + "; ".join(messages), "errors": messages})


# ---- Parameters ---------------------------------------------------------------------------


class DeclaredFilters(BaseFilterBackend):
    """The list's parameters, exactly as its pages and exports take them: the FilterSet of
    its declaration (cooperation/lists.py) validates them and builds the query."""

    def filter_queryset(self, request, queryset, view):
        filterset = view.catalogue_list.filterset(request.query_params, queryset=queryset)
        if not filterset.is_valid():
            raise BadQuery(filterset.error_messages())
        view.filterset = filterset
        return filterset.qs

    def get_schema_operation_parameters(self, view):
        filterset = view.catalogue_list.filterset
        return [parameter(name, param) for name, param in filterset.base_filters.items()]


def parameter(name, param) -> dict:
    """One declared parameter as an OpenAPI query parameter."""
    help_text = param.extra.get("help_text") or ""
    description = f"{param.label}. {help_text}".strip()
    values = param.doc_values()
    choices = [str(value) for value, _ in param.extra.get("choices") or ()]
    if isinstance(param, SortFilter):
        schema = {"type": "string", "enum": list(param.sorts), "default": param.default}
        description += " " + "; ".join(f"`{k}`: {s.label}" for k, s in param.sorts.items())
    elif isinstance(param, YearsFilter):
        item = {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}
        schema = {"type": "array", "items": item}
    elif isinstance(param, django_filters.MultipleChoiceFilter):  # records or choices
        item = {"type": "string", "enum": choices} if choices else {"type": "string"}
        schema = {"type": "array", "items": item}
        if not choices:
            description += f" Values: {values}."
    elif isinstance(param, django_filters.DateFilter):
        schema = {"type": "string", "format": "date"}
    elif choices:
        schema = {"type": "string", "enum": choices}
    else:
        schema = {"type": "string"}
        if param.extra.get("max_length"):
            schema["maxLength"] = param.extra["max_length"]
    spec = {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}  # fmt: skip
    if schema["type"] == "array":
        spec.update(style="form", explode=True)
    return spec


def refuse_unknown(query: QueryDict, known) -> None:
    """A misspelt parameter (`contry=tz`) would silently give every record: refuse it."""
    unknown = [name for name in query if name not in known]
    if unknown:
        names = ", ".join(name[:40] for name in unknown)
        raise BadQuery([f"unknown parameter {names}; this list takes {', '.join(known)}."])


# ---- Pages --------------------------------------------------------------------------------


class KeysetPagination(BasePagination):
    """Pages by position (`after`, `before`), `page_size` records at a time."""

    def paginate_queryset(self, queryset, request, view):
        self.request, self.view = request, view
        self.size = page_size(request.query_params)
        filterset = view.filterset
        after = request.query_params.get("after") or None
        before = request.query_params.get("before") or None
        if after and before:
            raise BadQuery(["give after or before, not both."])
        try:
            if view.catalogue_list.rows is not None:
                rows = view.rows(filterset)
                return self.paginate_rows(rows, after, before)
            sort = filterset.sort()
            if sort.key is not None:
                return self.paginate_keyset(queryset, sort.key, after, before)
            return self.paginate_ranking(filterset, after, before)
        except BadPosition as error:
            raise BadQuery([f"after/before: {error}."]) from error

    def paginate_keyset(self, queryset, key: SortKey, after, before):
        page = window(self.view.prefetch(queryset), key, after=after, before=before, size=self.size)
        self.next = page.next_token if page.has_next else None
        self.previous = page.previous_token if page.has_previous else None
        self.total = self.count(queryset, page)
        return page.rows

    def paginate_ranking(self, filterset, after, before):
        """A count sort ranks every matching record (cached, as the pages do); a position is
        the (count, id) of a row in that ranking."""
        key, compute = ranking_item(filterset)
        ranking = summaries.cached(key, compute, budget_ms=summaries.budget("summary"))
        if ranking is None:
            raise Unavailable()
        items = [(n, pk) for pk, n in ranking]
        start, end = self.bounds(items, after, before)
        chosen = items[start:end]
        self.next = encode(*chosen[-1]) if chosen and end < len(items) else None
        self.previous = encode(*chosen[0]) if chosen and start > 0 else None
        self.total = {"count": len(items), "count_is_minimum": False}
        records = summaries.with_counts(
            self.view.prefetch(self.view.get_queryset()), [(pk, n) for n, pk in chosen]
        )
        return records

    def paginate_rows(self, rows, after, before):
        """Rows that are not records (years): positions by their first value."""
        items = [(row["year"], 0) for row in rows]
        start, end = self.bounds(items, after, before, key=SortKey("year", descending=True))
        chosen = rows[start:end]
        self.next = encode(chosen[-1]["year"], 0) if chosen and end < len(rows) else None
        self.previous = encode(chosen[0]["year"], 0) if chosen and start > 0 else None
        self.total = {"count": len(rows), "count_is_minimum": False}
        return chosen

    def bounds(self, items, after, before, key=None):
        """[start, end) of the page after or before a position in `items`."""
        key = key or SortKey("n", descending=True)
        position = after or before
        if position is None:
            return 0, min(self.size, len(items))
        value, pk = decode(position, key)
        try:
            index = items.index((value, pk))
        except ValueError as error:
            raise BadPosition("this position is no longer in the list; start again") from error
        if after:
            return index + 1, min(index + 1 + self.size, len(items))
        return max(0, index - self.size), index

    def count(self, queryset, page) -> dict:
        """The exact number of matching records, or, when counting them all would take too
        long, a true lower bound (`count_is_minimum`), at least the page's own."""
        filterset = self.view.filterset
        found = count(queryset, filterset.cache_key(), counters.key_of(filterset), page=page)
        return {"count": found.value, "count_is_minimum": not found.exact}

    def link(self, **position) -> str:
        query = self.request.query_params.copy()
        for name in ("after", "before"):
            query.pop(name, None)
        query.update(position)
        return self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}")

    def get_paginated_response(self, data):
        next_url = self.link(after=self.next) if self.next else None
        previous_url = self.link(before=self.previous) if self.previous else None
        response = Response(
            {**self.total, "next": next_url, "previous": previous_url, "results": data}
        )
        links = [f'<{next_url}>; rel="next"'] if next_url else []
        links += [f'<{previous_url}>; rel="prev"'] if previous_url else []
        if links:
            response["Link"] = ", ".join(links)
        return response

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_is_minimum", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": ["integer", "null"],
                    "description": "The number of matching records; with `count_is_minimum`, "
                    f"more than this many (counting stops past {COUNT_FLOOR:,} when an exact "
                    "count would take too long; the page's own rows when not even that could be "
                    "counted in time); null when nothing could be counted.",
                },
                "count_is_minimum": {"type": "boolean"},
                "next": {"type": ["string", "null"], "format": "uri"},
                "previous": {"type": ["string", "null"], "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        position = (
            "A position from a `next` (after) or `previous` (before) link; anything else is a 400."
        )
        return [
            {"name": "after", "in": "query", "required": False, "description": position,
             "schema": {"type": "string"}},
            {"name": "before", "in": "query", "required": False, "description": position,
             "schema": {"type": "string"}},
            {"name": "page_size", "in": "query", "required": False,
             "description": f"Records per page, at most {MAX_PAGE_SIZE}.",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE,
                        "default": DEFAULT_PAGE_SIZE}},
        ]  # fmt: skip


class Unavailable(APIException):
    status_code = 503
    default_detail = (
        "Ranking this list by number of events takes too long just now; try again in a "
        "minute, or sort by name."
    )
    default_code = "ranking_unavailable"


def page_size(query) -> int:
    raw = (query.get("page_size") or "").strip()
    if not raw:
        return DEFAULT_PAGE_SIZE
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise BadQuery([f"page_size: give a number from 1 to {MAX_PAGE_SIZE}, not “{raw[:40]}”."])
    return int(raw)
