"""How many published events the simplest results hold, at once and exactly: every event, one
type, one country (models.EventCounter, kept by the triggers of migration 0012).

An export says how many records it holds (X-Record-Count) before its first byte, in the
snapshot it reads them in. A COUNT of most of a large catalogue takes seconds (4-7 s for
`country=cn` at ten million events); a counter is one indexed sum. The triggers write their
rows in the edit's own transaction, so any snapshot adds up to exactly the events it sees.
On SQLite there are no triggers, and none of this is used.
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
# triggers off (synthesis). Migration 0012 holds the same statement.
REBUILD = f"""
INSERT INTO {TABLE} (key, delta)
SELECT 'all', count(*) FROM cooperation_event WHERE status <> 'draft'
UNION ALL
SELECT 'type:' || type, count(*) FROM cooperation_event WHERE status <> 'draft' GROUP BY type
UNION ALL
SELECT 'country:' || country_id, count(DISTINCT event_id) FROM cooperation_eventcountry
WHERE event_id IN (SELECT id FROM cooperation_event WHERE status <> 'draft')
GROUP BY country_id
"""


def key_of(filterset) -> str | None:
    """The counter that holds the number of events of a valid events filter, or None when
    no counter does: anything but no filter, one type alone or one country alone (in any
    role). The canonical query decides, so a qualifier such as country_role counts too."""
    if type(filterset) is not EventFilter:  # the years list's, say, counts something else
        return None
    query = filterset.query(sort=False)
    if not query:
        return "all"
    if len(query) != 1:
        return None
    (name, values), *_ = query.lists()
    if len(values) != 1:
        return None
    if name == "type":
        return f"type:{values[0]}"
    if name == "country":
        (country,) = filterset.cleaned["country"]
        return f"country:{country.pk}"
    return None


def count(filterset, using: str) -> int | None:
    """The number of events of `filterset` from its counter, in the caller's snapshot; None
    where no counter answers (another filter, or SQLite)."""
    connection = connections[using]
    key = key_of(filterset) if connection.vendor == "postgresql" else None
    if key is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(sum(delta), 0) FROM {TABLE} WHERE key = %s", [key])
        return int(cursor.fetchone()[0])


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
