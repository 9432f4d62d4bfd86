"""How many published events the simplest results hold, at once and exactly: every event, one
type, one country, one year, one country in one year (models.EventCounter, kept by the
triggers of migrations 0012 and 0013).

An export says how many records it holds (X-Record-Count) before its first byte, in the
snapshot it reads them in, and a page says how many it lists. A COUNT of most of a large
catalogue takes seconds (4-7 s for `country=cn` at ten million events), and one of a year
reads every event (no index answers "under way in 2012"); a counter is one indexed sum. The
triggers write their rows in the edit's own transaction, so any snapshot adds up to exactly
the events it sees. On SQLite there are no triggers, and none of this is used.
"""

from contextlib import contextmanager

from django.db import connections

from .filters import EventFilter
from .models import EventCounter

TABLE = EventCounter._meta.db_table
TRIGGERS = {
    "cooperation_event": ("event_counted", "event_counted_again"),
    "cooperation_eventcountry": (
        "eventcountry_counted",
        "eventcountry_counted_again",
        "eventcountry_uncounted",
    ),
}

# The counters from the rows themselves, one row per key: after writes made with the
# triggers off (synthesis). Migrations 0012 and 0013 hold the same statements.
REBUILD = f"""
INSERT INTO {TABLE} (key, delta)
SELECT 'all', count(*) FROM cooperation_event WHERE status <> 'draft'
UNION ALL
SELECT 'type:' || type, count(*) FROM cooperation_event WHERE status <> 'draft' GROUP BY type
UNION ALL
SELECT 'country:' || country_id, count(DISTINCT event_id) FROM cooperation_eventcountry
WHERE event_id IN (SELECT id FROM cooperation_event WHERE status <> 'draft')
GROUP BY country_id
UNION ALL
SELECT 'year:' || year, count(*)
FROM cooperation_event, cooperation_event_years(start_date, end_date) AS year
WHERE status <> 'draft' GROUP BY year
UNION ALL
SELECT 'country:' || l.country_id || ':year:' || year, count(DISTINCT e.id)
FROM cooperation_event e JOIN cooperation_eventcountry l ON l.event_id = e.id,
    cooperation_event_years(e.start_date, e.end_date) AS year
WHERE e.status <> 'draft' GROUP BY l.country_id, year
"""


def key_of(filterset) -> str | None:
    """The counter that holds the number of events of a valid events filter, or None when
    no counter does: anything but no filter, one type alone, one country (in any role), one
    year, or one country and one year. The canonical query decides, so a qualifier such as
    country_role counts too."""
    if type(filterset) is not EventFilter:  # the years list's, say, counts something else
        return None
    query = filterset.query(sort=False)
    if not query:
        return "all"
    if any(len(values) != 1 for _, values in query.lists()):
        return None
    cleaned = filterset.cleaned
    if set(query) == {"type"}:
        return f"type:{query['type']}"
    if not set(query) <= {"country", "year"} or len(cleaned.get("year") or [0]) != 1:
        return None
    parts = []
    if "country" in query:
        (country,) = cleaned["country"]
        parts.append(f"country:{country.pk}")
    if "year" in query:
        parts.append(f"year:{cleaned['year'][0]}")
    return ":".join(parts)


def count(filterset, using: str) -> int | None:
    """The number of events of `filterset` from its counter, in the caller's snapshot; None
    where no counter answers (another filter, or SQLite)."""
    return read(key_of(filterset), using)


def read(key: str | None, using: str) -> int | None:
    """The counter `key` ("year:2012", ...: key_of), in the caller's snapshot; None for no key,
    or on SQLite."""
    connection = connections[using]
    if key is None or connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(sum(delta), 0) FROM {TABLE} WHERE key = %s", [key])
        return int(cursor.fetchone()[0])


def totals(kind: str, using: str = "default") -> dict[str, int] | None:
    """{value: number} for every counter of one kind ("year", "country", "type": the
    "<kind>:<value>" keys, not "country:<id>:year:<year>") that is not zero, in the caller's
    snapshot: the events per year or per country of the whole catalogue in one small read.
    None on SQLite."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    start = len(kind) + 2  # the value's first character in the key
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT substr(key, {start}), sum(delta) FROM {TABLE} "
            f"WHERE key LIKE %s AND strpos(substr(key, {start}), ':') = 0 "
            "GROUP BY key HAVING sum(delta) <> 0",
            [f"{kind}:%"],
        )
        return {value: int(number) for value, number in cursor.fetchall()}


def compact(using: str = "default") -> None:
    """Fold each counter's rows into one. Rows added meanwhile by other transactions are not
    seen by the DELETE and stay, so no change is lost or counted twice."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH folded AS (DELETE FROM {TABLE} RETURNING key, delta) "
            f"INSERT INTO {TABLE} (key, delta) "
            "SELECT key, sum(delta) FROM folded GROUP BY key HAVING sum(delta) <> 0"
        )


@contextmanager
def rebuilt_after(connection):
    """The counters' triggers off while the block writes, then every counter recomputed from
    the rows: for bulk writes, where a trigger per row costs more than the writes. In the
    caller's transaction, which an error rolls back, triggers switched off included."""
    if connection.vendor != "postgresql":
        yield
        return

    def switch(state):
        with connection.cursor() as cursor:
            # A table with deferred checks pending (rows written earlier in this transaction)
            # cannot be altered: they run now rather than at the commit.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, names in TRIGGERS.items():
                for name in names:
                    cursor.execute(f"ALTER TABLE {table} {state} TRIGGER {name}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    switch("DISABLE")
    yield
    switch("ENABLE")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(REBUILD)
