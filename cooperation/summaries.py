"""Aggregates that pages show beside records: counts per year, facet counts, top lists.

On a large catalogue these are the expensive part of a page. Each runs within a time budget
(a PostgreSQL statement timeout) and is cached, so a page never waits on them for long: a
facet that does not finish in time is left out, with a note, and the next request after it
finishes reads it from the cache. Records themselves are never cached.

An edit shows at once. Each cached value carries the catalogue's version
(cooperation/versions.py, one row raised after every committed edit) read before it was
computed, and how long computing it took. A page reads the version once and uses only values
of that version or newer, so after an edit every cached summary is out of date at once, on
every app server: cheap ones are recomputed by the next page that shows them, within its
budget. One that cannot be recomputed within the page's budget (at a million events, the
whole-catalogue summaries of the broad pages, 0.2-2.5 s each) is shown as it was before the
edit, with a note (`Values.stale`), until cooperation/broad_summaries.py recomputes it right
after the edit commits; one outside the broad pages (a search over most of a million events)
until it expires, as before. Keys do not hold the version: a new value replaces the old one.
Invalidating everything is more than "exactly what the edit affects", which no key could tell
for a search or a filter combination; the cost is recomputation, bounded as above.

Two caches, so that no one can flush the broad pages' summaries. Those (the set
`warm_summaries` computes, broad_summaries.is_broad) live in the `default` cache, a fixed set
of keys. Every other summary (filtered lists, searches, record and year pages: as many keys as
visitors can invent) lives in the `rare` cache, its own table with its own MAX_ENTRIES: a
flood of distinct queries makes Django cull only rare summaries.
"""

import functools
import hashlib
import threading
import time
from contextlib import contextmanager
from typing import NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections, transaction
from django.db.models import Count, Q
from django.db.models.functions import Coalesce, ExtractYear

from . import versions
from .models import Country, Event, EventCountry, Organization, Person, Programme, Source
from .models.events import count_events
from .pagination import Count as RowCount
from .pagination import count_within, run_within

FACET_LIMIT = 12
MIN_BUDGET_MS = 20  # less than this left of the batch budget: not worth starting a query
# The facets of a larger result are computed outside the request: at 1,000,000 events those of
# 66,000 (one country) take 60-80 ms each, those of 10,000 about 10 ms (docs/performance.md).
FACET_ROWS = 10_000
BROAD, RARE = "default", "rare"  # settings.CACHES aliases


def budget(name: str) -> int:
    return settings.CATALOGUE_BUDGETS_MS[name]


def cache_key(key: str) -> str:
    # "summary-v2": Entry values. Code from before them read "summary:" keys, so that during a
    # rolling deploy (or after a rollback) neither reads the other's values, which expire.
    return "summary-v2:" + hashlib.sha256(key.encode()).hexdigest()


def cache_for(key: str) -> str:
    """The alias of the cache that holds this summary: BROAD for the warmed set, else RARE."""
    from .broad_summaries import is_broad

    return BROAD if is_broad(key) else RARE


# Remembered in place of a value that could not be computed within its budget, so that the
# next requests do not spend the budget again; the value is computed outside the request
# (compute_later), and replaces it.
TOO_SLOW = "too-slow"


class Entry(NamedTuple):
    """What the cache holds for one summary."""

    version: int  # the catalogue's version read before computing: the value is at least as new
    value: object  # or TOO_SLOW
    cost_ms: float  # how long computing it took (for TOO_SLOW, the budget it ran out of)


class Values(dict):
    """{name: value}; `stale` names the values shown from before the latest edit, because
    recomputing them did not fit in this request (the refresh after the edit is on it)."""

    def __init__(self):
        super().__init__()
        self.stale = set()


def read(keys: list[str]) -> dict:
    """{summary key: Entry} of those cached (one read per cache involved, usually one)."""
    by_cache = {}
    for key in keys:
        by_cache.setdefault(cache_for(key), []).append(key)
    found = {}
    for alias, some in by_cache.items():
        hashed = {cache_key(key): key for key in some}
        for name, entry in caches[alias].get_many(list(hashed)).items():
            if isinstance(entry, Entry):  # anything else is not a summary: missing
                found[hashed[name]] = entry
    return found


def write(entries: dict) -> None:
    """Cache {summary key: Entry}."""
    by_cache = {}
    for key, entry in entries.items():
        by_cache.setdefault(cache_for(key), {})[cache_key(key)] = entry
    for alias, some in by_cache.items():
        caches[alias].set_many(some, settings.CATALOGUE_SUMMARY_SECONDS)


def timed(function, *args):
    """(function's result, milliseconds it took)."""
    started = time.monotonic()
    result = function(*args)
    return result, (time.monotonic() - started) * 1000


def cached(key: str, compute, *, budget_ms: int):
    """compute() within the budget, cached; None (not cached) when it runs out of time."""
    return cached_many({"value": (key, compute)}, budget_ms=budget_ms)["value"]


def cached_many(items: dict, *, budget_ms: int, defer: bool = False) -> Values:
    """{name: (key, compute)} -> {name: value}: one cache read for all, then each missing or
    out-of-date value computed within the budget and cached; None for a value that took too
    long, or the value from before the latest edit (named in `.stale`) when there is one.

    On PostgreSQL the values to compute together get at most the "batch" budget: once it is
    spent, the rest are left out of this response and computed outside it (compute_later)
    for the requests after it, so a page with a cold cache still answers in bounded time.
    An out-of-date value that last took longer than the time this request has left is not
    tried at all. With `defer` (the page knows they would be slow: its count was, or its
    result is large), none is tried: those not cached are all computed outside the request.
    Once one runs out of time, the rest are deferred so too: the facets of one result cost
    about the same, and a cold page would otherwise spend the whole batch budget on timeouts.
    The one that ran out is marked TOO_SLOW, so that no request tries it again: each would
    spend its budget on it while the computation outside requests waits for a slot.
    """
    version = versions.current().number  # before anything is computed (see Entry.version)
    found = read([key for key, _ in items.values()])
    values, fresh, later = Values(), {}, []
    bounded = connection.vendor == "postgresql"  # the only engine with statement timeouts
    deadline = time.monotonic() + budget("batch") / 1000
    for name, (key, compute) in items.items():
        entry = found.get(key)
        left_ms = (deadline - time.monotonic()) * 1000
        allowed = min(budget_ms, int(left_ms)) if bounded else budget_ms
        if entry is not None and (entry.version >= version or entry.value == TOO_SLOW):
            value = entry.value
            if value == TOO_SLOW and bounded and ask_again(key):
                later.append((key, compute))  # turned away before (no free slot): again
        elif bounded and is_computing(key):
            value = None  # being computed outside a request
        elif bounded and (defer or left_ms < MIN_BUDGET_MS):
            value = None  # no time for it in this request: computed outside it
            later.append((key, compute))
        elif bounded and entry is not None and entry.cost_ms > allowed:
            value = None  # would not finish in time: the refresh after the edit computes it
        else:
            value, cost_ms = timed(run_within, allowed, compute)
            if value is not None:
                fresh[key] = Entry(version, value, cost_ms)
            elif entry is None:  # too slow for the time it had: not tried in a request again,
                fresh[key] = Entry(version, TOO_SLOW, allowed)  # computed outside it (the
                later.append((key, compute))  # mark replaced), or asked for again (ask_again)
            if value is None:
                defer = True  # the rest would run out of time too
        if value is None and entry is not None and entry.value != TOO_SLOW:
            value = entry.value
            values.stale.add(name)
        values[name] = None if value is None or value == TOO_SLOW else value
    if fresh:
        write(fresh)
    for key, compute in later:
        compute_later(key, compute, version)
    return values


def count(queryset, key: str, counter: str | None = None) -> RowCount:
    """How many rows match: exact within the count budget, else a true lower bound
    (pagination.count_within); cached until the next edit. Events that a counter holds
    (`counter`, a key of cooperation/counters.py: every event, one type, one country, one
    year, one country in one year) are counted exactly from it at once, in any catalogue,
    and nothing is cached or counted later."""
    if counter is not None:
        from . import counters

        if (number := counters.read(counter, queryset.db)) is not None:
            return RowCount(number, True)
    version = versions.current().number
    # "rows:", not "count:" as before: counts cached when an inexact one was the planner's
    # estimate must not be read as the lower bounds they now are.
    key = f"rows:{key}"
    entry = read([key]).get(key)
    if entry is not None and entry.version >= version:
        if not entry.value[1] and ask_again(key):  # the exact count was turned away before
            count_later(key, queryset, version)
        return RowCount(*entry.value)
    result, cost_ms = timed(count_within, queryset, budget("count"))
    write({key: Entry(version, (result.value, result.exact), cost_ms)})
    if not result.exact:
        count_later(key, queryset, version)
    return result


def as_configured(function, *, thread_name: str) -> None:
    """Run `function` outside the request as CATALOGUE_REFRESH_AFTER_EDIT says: in a daemon
    thread of the app server (its own database connections closed at the end), inline
    (tests), or not at all. The broad summaries' refresh and the exact counts use it."""
    mode = settings.CATALOGUE_REFRESH_AFTER_EDIT
    if mode == "inline":
        function()
    elif mode == "background":

        def run():
            try:
                function()
            finally:
                connections.close_all()  # this thread's own connections

        threading.Thread(target=run, name=thread_name, daemon=True).start()


# Keys of the values this process is computing outside requests (one thread each), and how
# many such threads of each kind it runs at most: a visitor inventing filters cannot start
# more. On PostgreSQL, slots bound each kind for every process together (`slot`).
# Exact counts ("count") have slots of their own, apart from facets and other summaries
# ("summary"): a page's number must not wait behind its sidebar. At ten million events one
# facet of a large result takes minutes, and with one slot shared, the search's count was
# turned away for a whole benchmark run, its page saying "many" (docs/performance.md).
_computing: dict[str, str] = {}  # key: its kind
_computing_lock = threading.Lock()
MAX_COMPUTING = 2
SLOTS_LOCK_CLASS = 0x636F6F70  # the first key of the slots' advisory locks ("coop")
COUNT_SLOTS_LOCK_CLASS = SLOTS_LOCK_CLASS + 1  # the exact counts' own


def slots(kind: str) -> tuple[int, int]:
    """(advisory lock class, how many) of the slots of one kind of computation."""
    if kind == "count":
        return COUNT_SLOTS_LOCK_CLASS, settings.CATALOGUE_COUNTING_AT_ONCE
    return SLOTS_LOCK_CLASS, settings.CATALOGUE_COMPUTING_AT_ONCE


# A computation turned away (no free slot, or this process computing its most) is asked for
# again by a later request that still misses the value, at most this often per key in a
# process: a page would otherwise say "many" until the next edit.
ASK_AGAIN_SECONDS = 10
_asked: dict[str, float] = {}  # key: when this process last asked for it (monotonic)


def ask_again(key: str) -> bool:
    """Whether a request that still misses this value should ask for it again now."""
    now = time.monotonic()
    with _computing_lock:
        if key in _computing or now - _asked.get(key, -ASK_AGAIN_SECONDS) < ASK_AGAIN_SECONDS:
            return False
        if len(_asked) > 10_000:  # a visitor inventing filters: forget the old ones
            for old in [k for k, when in _asked.items() if now - when >= ASK_AGAIN_SECONDS]:
                del _asked[old]
        _asked[key] = now
        return True


def wanted(entry: Entry | None, version: int) -> bool:
    """Whether the cache still lacks the value as of `version`."""
    return entry is None or entry.version < version or entry.value == TOO_SLOW


def compute_later(key: str, compute, version: int, needed=wanted, kind="summary") -> None:
    """Compute a value with no time budget outside the request (`as_configured`) and cache it
    as of `version`: what a page left out for lack of time is there for the next one, and no
    request spends its budget on it again meanwhile (`is_computing`). One computation per key
    at a time in a process, at most MAX_COMPUTING of its kind at once, and on PostgreSQL at
    most as many as its kind has slots in every process together (`slots`: past that, a later
    request asks again, `ask_again`). Once it has a slot, the value is computed only if the
    cache still lacks it (`needed(entry, version)`): another server may have computed it."""

    def compute_exactly():
        with _computing_lock:
            _asked[key] = time.monotonic()
            running = sum(1 for other in _computing.values() if other == kind)
            if key in _computing or running >= MAX_COMPUTING:
                return
            _computing[key] = kind
        try:
            with slot(kind) as free:
                if free and needed(read([key]).get(key), version):
                    with one_core():
                        recompute(key, compute, version)
        finally:
            with _computing_lock:
                _computing.pop(key, None)

    as_configured(compute_exactly, thread_name="compute-later")


@contextmanager
def slot(kind="summary"):
    """Yield whether one of the slots of this kind of computation (`slots`) was free, holding
    it for the block: on PostgreSQL an advisory lock of this connection's session, shared by
    every app server; elsewhere always free."""
    if connection.vendor != "postgresql":
        yield True
        return
    lock_class, number_of_slots = slots(kind)
    with connection.cursor() as cursor:
        for number in range(number_of_slots):
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [lock_class, number])
            if cursor.fetchone()[0]:
                break
        else:
            yield False
            return
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [lock_class, number])


@contextmanager
def one_core():
    """On PostgreSQL, the block's queries without parallel workers: a count or facet of most
    of ten million events computed outside a request would otherwise take every core of a
    small server (the default is two workers beside the leader) from the pages it serves."""
    if connection.vendor != "postgresql":
        yield
        return
    setting = "max_parallel_workers_per_gather"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting(%s), set_config(%s, '0', true)", [setting, setting]
            )
            previous = cursor.fetchone()[0]
        yield
        # Put back, as pagination.run_within does: a released savepoint would keep it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [setting, previous])


def is_computing(key: str) -> bool:
    with _computing_lock:
        return key in _computing


def count_later(key: str, queryset, version: int) -> None:
    """The exact count, outside the request (compute_later): the pages say "more than 10,000"
    or "many" until it is there, then the exact number, until the next edit."""
    rows = queryset.order_by()

    def needed(entry, version):
        return wanted(entry, version) or not entry.value[1]

    compute_later(key, lambda: (rows.count(), True), version, needed, kind="count")


def recompute(key: str, compute, version: int) -> None:
    """Compute a value with no time budget and cache it as of `version`, read before."""
    value, cost_ms = timed(compute)
    write({key: Entry(version, value, cost_ms)})


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
    """On PostgreSQL the events, the countries, the years and the busiest countries come from
    the counters (cooperation/counters.py): exact, and a few milliseconds at any size, where
    counting them from the links took 0.3-1 s at 1,000,000 events, more than a cold home page
    may spend (docs/performance.md)."""
    from . import counters

    @functools.cache  # read once for both the counts and the busiest countries
    def country_totals():
        return counters.totals("country", Event.objects.db)

    def counts():
        if (per_country := country_totals()) is None:
            events = Event.objects.count()
            countries = EventCountry.objects.values("country").distinct().count()
        else:
            events, countries = counters.read("all", Event.objects.db), len(per_country)
        return {
            "events": events,
            "programmes": Programme.objects.count(),
            "organizations": Organization.objects.count(),
            "people": Person.objects.count(),
            "countries": countries,
            "sources": Source.objects.count(),
        }

    def per_year():
        if (years := counters.totals("year", Event.objects.db)) is None:
            return events_per_year(Event.objects.all())
        return sorted((int(year), number) for year, number in years.items())

    def top_countries():
        if (per_country := country_totals()) is None:
            return top(Country, "event_links__event", 10)()
        by_name = Country.objects.filter(pk__in=[int(pk) for pk in per_country]).order_by("name")
        ranked = sorted(by_name.values_list("pk", flat=True), key=lambda pk: -per_country[str(pk)])
        return [(pk, per_country[str(pk)]) for pk in ranked[:10]]

    def top(model, relation, limit):
        def compute():
            rows = (
                model.objects.annotate(n=count_events(relation))
                .filter(n__gt=0)
                .order_by("-n", "name")
                .values_list("pk", "n")[:limit]
            )
            return list(rows)

        return compute

    return {
        "counts": ("home:counts", counts),
        "per_year": ("per-year:all", per_year),
        "top_countries": ("home:top-countries", top_countries),
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
                .annotate(n=count_events("events"))
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
