"""The broad pages' summaries: which they are, warming them, and refreshing them after an edit.

The broad pages (home, the unfiltered lists with their facets and rankings, the years list,
country pages) show summaries of the whole catalogue, at a million events 0.2-2.5 s each:
more than a page may spend. `manage.py warm_summaries` computes them with no time budget
(cron, every few minutes). They live in the `default` cache, whose keys are this fixed set
(`is_broad`); every other summary lives in the `rare` cache (cooperation/summaries.py).

After an edit every cached summary is out of date (its catalogue version is older). A page
recomputes what it can within its budget; the rest it shows from before the edit, with a
note, until `refresh` has recomputed them: right after the edit's transaction commits
(versions.changed), in a background thread of the app server that saved it
(CATALOGUE_REFRESH_AFTER_EDIT; at a million events about 60 summaries in 18 s of one database
connection: the home page's first, then the unfiltered facets, years list, rankings and the
costlier country summaries). Runs are coalesced across app servers by a lock in the cache: a
run that ends checks the version again, so edits made during it are refreshed too. If a run
dies (the worker restarts), the older values stay flagged until the next edit's run or
warm_summaries.
"""

import secrets
from functools import cache

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count
from django.http import QueryDict

from . import counters, summaries, versions
from .routers import primary

LOCK = "summaries:refreshing"
LOCK_SECONDS = 300  # a run that died releases its lock after this long
THREAD = "refresh-summaries"


def broad_items(countries: int | None = 50) -> dict:
    """{name: (key, compute)} of the broad pages' summaries: home, the unfiltered events
    facets, the countries' event counts, the unfiltered years list, every list's count-sort
    rankings, and the summaries of the `countries` most active countries (None: of every
    country)."""
    from . import coverage
    from .lists import LISTS, ranking_item, years_item
    from .models import Country, EventCountry

    items = dict(summaries.home_items())
    events = LISTS["events"].filter(None)  # the unfiltered list, keys as its page makes
    items.update(events.facet_items(events.qs))
    items["country-counts"] = summaries.country_event_counts_item()
    items["years"] = years_item(LISTS["years"].filter(None))
    # The coverage page is a broad page too: at a million events its per-source GROUP BY takes
    # about 1.4 s and its uncited count 0.5 s, more than its budget.
    items.update({f"coverage:{name}": item for name, item in coverage.items().items()})
    for catalogue_list in LISTS.values():
        sort = catalogue_list.filterset.base_filters.get("sort")
        for name, way in (sort.sorts if sort else {}).items():
            if way.count is not None:
                filterset = catalogue_list.filter(QueryDict(f"sort={name}"))
                items[f"{catalogue_list.name}:{name}"] = ranking_item(filterset)
    if countries is None:
        chosen = Country.objects.all()
    elif countries > 0:
        busiest = (
            EventCountry.objects.values_list("country")
            .annotate(n=Count("event"))
            .order_by("-n")
            .values_list("country", flat=True)[:countries]
        )
        chosen = Country.objects.filter(pk__in=list(busiest))
    else:
        chosen = []
    for country in chosen:
        for name, item in summaries.country_items(country).items():
            items[f"{country.code}:{name}"] = item
    return items


@cache
def _whole_catalogue_keys() -> frozenset:
    return frozenset(key for key, _ in broad_items(countries=0).values())


def is_broad(key: str) -> bool:
    """Whether a summary key is one of the broad pages': a fixed set, a few per country."""
    return key in _whole_catalogue_keys() or key.startswith("country:")


def warm(countries: int | None = 50) -> int:
    """Compute and cache every broad summary with no time budget; how many."""
    version = versions.current().number  # before computing: the values are at least this new
    items = broad_items(countries)
    for key, compute in items.values():
        summaries.recompute(key, compute, version)
    return len(items)


def refresh() -> int:
    """Recompute the cached broad summaries that an edit put out of date and that a page
    could not recompute within its budget; how many. One run at a time across app servers;
    on the primary database, so that the version and the values agree (a replica may lag)."""
    done = 0
    lock = caches[summaries.BROAD]
    token = secrets.token_hex(8)
    counters.compact()  # the edit's rows of +1 and -1, folded
    with primary():
        while lock.add(LOCK, token, LOCK_SECONDS):
            try:
                version = versions.current().number
                done += _refresh_out_of_date(version)
            finally:
                if lock.get(LOCK) == token:
                    lock.delete(LOCK)
            # An edit whose own run found the lock taken committed before this read.
            if versions.current().number == version:
                break
    return done


def _refresh_out_of_date(version: int) -> int:
    items = broad_items(countries=None)  # whichever of them are cached
    found = summaries.read([key for key, _ in items.values()])
    quickest_page = min(settings.CATALOGUE_BUDGETS_MS.values())
    done = 0
    for key, compute in items.values():
        entry = found.get(key)
        if entry is None or entry.version >= version:
            continue  # not cached (warm_summaries' job), or already current
        if entry.value != summaries.TOO_SLOW and entry.cost_ms <= quickest_page:
            continue  # quick enough for the next page that shows it
        summaries.recompute(key, compute, version)  # each visible as soon as it is done
        done += 1
    return done


def refresh_after_edit(sender, using=None, **kwargs):
    """versions.changed: refresh as CATALOGUE_REFRESH_AFTER_EDIT says."""
    summaries.as_configured(refresh, thread_name=THREAD)
