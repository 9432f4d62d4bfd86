"""Aggregates that pages show beside records: counts per year, facet counts, top lists.

On a large catalogue these are the expensive part of a page. Each runs within a time budget
(a PostgreSQL statement timeout) and is cached for a few minutes, so a page never waits on
them for long: a facet that does not finish in time is left out, with a note, and the next
request after it finishes reads it from the cache. Records themselves are never cached.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import Coalesce, ExtractYear

from .models import Country, Event, EventCountry, Organization, Person, Programme, Source
from .pagination import Count as RowCount
from .pagination import count_within, run_within

FACET_LIMIT = 12
MIN_BUDGET_MS = 20  # less than this left of the batch budget: not worth starting a query


def budget(name: str) -> int:
    return settings.CATALOGUE_BUDGETS_MS[name]


def _cache_key(key: str) -> str:
    return "summary:" + hashlib.sha256(key.encode()).hexdigest()


def cached(key: str, compute, *, budget_ms: int):
    """compute() within the budget, cached; None (not cached) when it runs out of time."""
    return cached_many({"value": (key, compute)}, budget_ms=budget_ms)["value"]


# Remembered in place of a value that could not be computed within its budget, so that the
# next requests do not spend the budget again (warm_summaries replaces it with the value).
TOO_SLOW = "too-slow"


def cached_many(items: dict, *, budget_ms: int) -> dict:
    """{name: (key, compute)} -> {name: value}: one cache read for all, then each missing value
    computed within the budget and cached; None for a value that took too long.

    On PostgreSQL the missing values together get at most the "batch" budget: once it is
    spent, the rest are left out of this response (None, not cached) and computed by a later
    request, so a page with a cold cache still answers in bounded time.
    """
    keys = {name: _cache_key(key) for name, (key, _) in items.items()}
    found = cache.get_many(list(keys.values()))
    values, fresh = {}, {}
    bounded = connection.vendor == "postgresql"  # the only engine with statement timeouts
    deadline = time.monotonic() + budget("batch") / 1000
    for name, (_, compute) in items.items():
        left_ms = (deadline - time.monotonic()) * 1000
        if keys[name] in found:
            value = found[keys[name]]
        elif bounded and left_ms < MIN_BUDGET_MS:
            value = None  # this request has spent its share; the next one computes it
        else:
            allowed = min(budget_ms, int(left_ms)) if bounded else budget_ms
            value = run_within(allowed, compute)
            if value is not None:
                fresh[keys[name]] = value
            elif allowed == budget_ms:  # too slow with its full budget: remember that
                fresh[keys[name]] = TOO_SLOW
        values[name] = None if value is None or value == TOO_SLOW else value
    if fresh:
        cache.set_many(fresh, settings.CATALOGUE_SUMMARY_SECONDS)
    return values


def count(queryset, key: str) -> RowCount:
    """How many rows match: exact within the count budget, else the planner's estimate; cached."""
    cache_key = _cache_key(f"count:{key}")
    found = cache.get(cache_key)
    if found is not None:
        return RowCount(*found)
    result = count_within(queryset, budget("count"))
    cache.set(cache_key, (result.value, result.exact), settings.CATALOGUE_SUMMARY_SECONDS)
    return result


def warm(items: dict) -> int:
    """Compute and cache every value, with no time budget (for `manage.py warm_summaries`)."""
    fresh = {_cache_key(key): compute() for key, compute in items.values()}
    cache.set_many(fresh, settings.CATALOGUE_SUMMARY_SECONDS)
    return len(fresh)


def events_per_year(queryset) -> list[tuple[int, int]]:
    """(year, number of events under way in it), oldest first: what ?year= gives.

    An event counts in every year from its start to its end. One pass groups the events by
    (start year, end year), a handful of groups, and each group adds to every year it spans.
    """
    spans = (
        queryset.order_by()
        .annotate(
            first=ExtractYear("start_date"),
            last=ExtractYear(Coalesce("end_date", "start_date")),
        )
        .values_list("first", "last")
        .annotate(n=Count("id"))
        .values_list("first", "last", "n")
    )
    per_year = {}
    for first, last, n in spans:
        for year in range(first, max(first, last) + 1):
            per_year[year] = per_year.get(year, 0) + n
    return sorted(per_year.items())


# ---- Facets of the events list: [(value as the query string writes it, words, count)] ----
# Each count is the number of events in the result that clicking the value gives
# (filters.Facet and CatalogueFilterSet.facet_link make the link).


def type_counts(queryset) -> list[tuple[str, str, int]]:
    labels = dict(Event.Type.choices)
    rows = queryset.order_by().values_list("type").annotate(n=Count("id")).order_by("-n", "type")
    return [(kind, str(labels.get(kind, kind)), n) for kind, n in rows]


def year_counts(queryset) -> list[tuple[str, str, int]]:
    return [(str(year), str(year), n) for year, n in reversed(events_per_year(queryset))]


def _linked_counts(links, key: str, name: str, queryset) -> list[tuple[str, str, int]]:
    """The records most linked to the result's events, (key, name, events), FACET_LIMIT."""
    return list(
        links.filter(event__in=queryset.order_by().values("pk"))
        .values_list(key, name)
        .annotate(n=Count("event", distinct=True))
        .order_by("-n", name)[:FACET_LIMIT]
    )


def country_counts(queryset) -> list[tuple[str, str, int]]:
    rows = _linked_counts(EventCountry.objects, "country__code", "country__name", queryset)
    return [(code.lower(), name, n) for code, name, n in rows]


def programme_counts(queryset) -> list[tuple[str, str, int]]:
    links = Event.programmes.through.objects
    return _linked_counts(links, "programme__slug", "programme__name", queryset)


def home_items() -> dict:
    def counts():
        return {
            "events": Event.objects.count(),
            "programmes": Programme.objects.count(),
            "organizations": Organization.objects.count(),
            "people": Person.objects.count(),
            "countries": EventCountry.objects.values("country").distinct().count(),
            "sources": Source.objects.count(),
        }

    def top(model, relation, limit):
        def compute():
            rows = (
                model.objects.annotate(n=Count(relation, distinct=True))
                .filter(n__gt=0)
                .order_by("-n", "name")
                .values_list("pk", "n")[:limit]
            )
            return list(rows)

        return compute

    return {
        "counts": ("home:counts", counts),
        "per_year": ("per-year:all", lambda: events_per_year(Event.objects.all())),
        "top_countries": ("home:top-countries", top(Country, "event_links__event", 10)),
        "top_programmes": ("home:top-programmes", top(Programme, "events", 8)),
        "top_organizations": ("home:top-organizations", top(Organization, "events", 8)),
    }


def home() -> dict:
    """What the catalogue holds, for the home page."""
    return cached_many(home_items(), budget_ms=budget("summary"))


def with_counts(model, ranked):
    """Records for (pk, n) pairs, in that order, each with its count as `.n`."""
    if not ranked:
        return []
    manager = getattr(model, "objects", model)  # a model, or a queryset of one
    records = manager.in_bulk([pk for pk, _ in ranked])
    result = []
    for pk, n in ranked:
        if pk in records:
            records[pk].n = n
            result.append(records[pk])
    return result


def country_items(country: Country) -> dict:
    involving = Event.objects.involving(country)

    def roles():
        return list(
            EventCountry.objects.filter(country=country)
            .values_list("role")
            .annotate(n=Count("event", distinct=True))
            .order_by("role")
        )

    def ranked(model):
        def compute():
            return list(
                model.objects.filter(country=country)
                .annotate(n=Count("events", distinct=True))
                .order_by("-n", "name")
                .values_list("pk", "n")[:20]
            )

        return compute

    code = country.code
    return {
        "roles": (f"country:{code}:roles", roles),
        "per_year": (f"country:{code}:per-year", lambda: events_per_year(involving)),
        "hosted_years": (
            f"country:{code}:hosted-years",
            lambda: sorted(events_per_year(Event.objects.hosted_by(country)), reverse=True),
        ),
        "organizations": (f"country:{code}:organizations", ranked(Organization)),
        "people": (f"country:{code}:people", ranked(Person)),
    }


def country(country: Country) -> dict:
    """A country's roles, years and most frequent organizations and people."""
    return cached_many(country_items(country), budget_ms=budget("summary"))


def events_per_year_of(key: str, queryset):
    return cached(f"per-year:{key}", lambda: events_per_year(queryset), budget_ms=budget("summary"))


def country_event_counts_item():
    def compute():
        rows = (
            EventCountry.objects.values_list("country")
            .annotate(
                hosted=Count("event", filter=Q(role="host"), distinct=True),
                taken_part=Count("event", filter=~Q(role="host"), distinct=True),
            )
            .order_by()
        )
        return {pk: (hosted, taken) for pk, hosted, taken in rows}

    return ("countries:event-counts", compute)


def country_event_counts() -> dict | None:
    """{country id: (hosted, taken part)} for every country with events; None if too slow."""
    key, compute = country_event_counts_item()
    return cached(key, compute, budget_ms=budget("summary"))
