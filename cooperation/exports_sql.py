"""The events CSV produced by PostgreSQL itself (COPY ... TO STDOUT), for large exports.

The rows, their links and every formatting rule of exports.event_rows (labels, ISO dates at
their precision, "over N", roles and titles in parentheses, "; " between values, formula
cells neutralised) are expressed in SQL, and the CSV bytes stream from the database to the
client untouched. tests/test_csv_export.py checks that both produce the same file.

The export runs as two COPY statements in export order. A result with a counter (every event,
one type, one country, one year, one country in one year: cooperation/counters.py) is counted
by it, at once; one of at most ONE_STATEMENT rows is then copied in one statement over the
filter. Otherwise, without a counter, the first
PEEK ids are read first: a result that short is counted by reading it, a longer one by a
COUNT. The first
FIRST_SLICE rows are copied over their ids, so the first bytes leave within a fraction of a
second; then everything after them in one statement, the filter again with a keyset bound
after the last of those rows (pagination.beyond). That one statement aggregates each link
table in one pass for all of its events: about as fast as a single COPY of the whole file
(docs/performance.md measures both), where slices of ids looked each event's links up through
the indexes, 1.6 times slower at 1,000,000 events. It pauses before its first row while
PostgreSQL aggregates and sorts, most of the file's time (42 of 45 s for all 1,000,000
events): a proxy in front must allow that much silence (nginx: proxy_read_timeout). Both
statements read one snapshot (a REPEATABLE READ, READ ONLY transaction), so an edit made
during a long download cannot duplicate or drop a row, and the count (X-Record-Count,
exports.Tally) is the rows'.
"""

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections

from .columns import BASE, CODES, COUNT, INT, PLAIN, Column, sql_literal, sql_neutralise
from .exports import Tally, snapshot
from .pagination import SortKey, beyond

# Rows copied first, over their ids, and sent at once. Their links are read page by page through
# the indexes, from disk when the catalogue outgrows memory: 200 rows took 0.67 s at
# 10,000,000 events, and 50 about a quarter of 200's time at 1,000,000 (docs/performance.md).
FIRST_SLICE = 50
# Ids read first: a result this short is counted by reading it.
PEEK = 10_000
# A result this short, counted already (a counter), is copied in one statement over the filter:
# reading its ids first cost nearly half as much again as the copy (235 rows at 100,000
# events: 11 ms for the ids, 25 ms for the copy), and the copy itself is quick to start.
ONE_STATEMENT = 1_000
# PostgreSQL sends COPY output one row per message; the response goes out in chunks of about
# this size instead, so the app server writes (and the client reads) thousands, not millions.
CHUNK_BYTES = 64 * 1024
# The ids of an empty result (a search with no word in it): COPY needs a statement.
NO_IDS = "SELECT NULL::integer WHERE false"


def order_by(key: SortKey) -> str:
    """The SortKey's order (filters.Sort) in SQL: the same as key.order_by() in the ORM."""
    direction = "DESC" if key.descending else "ASC"
    nulls = " NULLS LAST" if key.nullable else ""
    return f"e.{key.field} {direction}{nulls}, e.id {direction}"


def cell_sql(column: Column, expression: str) -> str:
    """The column's cell as the CSV writer of exports.py writes it. NULLIF: an empty cell is
    written bare, as COPY writes NULL (it would quote an empty string)."""
    if column.kind == INT:
        return expression
    if column.kind in (COUNT, PLAIN, CODES):  # never a formula: no CASE to run per row
        return f"NULLIF({expression}, '')"
    return f"NULLIF({sql_neutralise(expression)}, '')"


def export_sql(columns: list[Column], key: SortKey) -> str:
    """The SELECT behind the CSV, for the events whose ids the CTE `f` lists.

    Each kind of link is aggregated per event in one pass over its link table (for the
    events of `f` only), and every column of that kind reads the one subquery.
    """
    missing = [column.name for column in columns if not column.sql]
    if missing:
        raise ValueError(f"Columns without SQL: {', '.join(missing)}")
    link_sets = {column.links.name: column.links for column in columns if column.links}
    joins = list(dict.fromkeys(column.join for column in columns if column.join))
    for name, links in link_sets.items():
        aggregates = ",\n           ".join(
            f'{column.sql} AS "{column.name}"'
            for column in columns
            if column.links is not None and column.links.name == name
        )
        joins.append(
            f"""LEFT JOIN (
    SELECT {links.alias}.event_id,
           {aggregates}
    FROM {links.sql_from}
    WHERE {links.alias}.event_id IN (SELECT id FROM f)
    GROUP BY {links.alias}.event_id
) l_{name} ON l_{name}.event_id = e.id"""
        )
    select = ",\n       ".join(
        cell_sql(
            column,
            f"coalesce(l_{column.links.name}.\"{column.name}\", '')"
            if column.links
            else column.sql,
        )
        + f' AS "{column.name}"'
        for column in columns
    )
    newline = "\n"
    return f"""
WITH f (id) AS MATERIALIZED (%(ids)s)
SELECT {select}
FROM cooperation_event e
JOIN f ON f.id = e.id
{newline.join(joins)}
ORDER BY {order_by(key)}
"""


def copy_statement(columns, ids, key: SortKey, base: str, *, header: bool = True):
    """(COPY statement, params) for the events whose ids `ids` gives: a list, in export
    order, or a queryset selecting them (bench/copy_sql.py: every event in one statement)."""
    if isinstance(ids, list):
        ids_sql, ids_params = "SELECT unnest(%s::bigint[])", [ids]
    else:
        try:
            ids_sql, ids_params = ids.values("pk").query.sql_with_params()
        except EmptyResultSet:  # a condition that can match nothing (a search for "!")
            ids_sql, ids_params = NO_IDS, ()
    # The ids query's placeholders are the only ones; the site's address is a literal (any
    # % in it doubled, as psycopg reads % as a placeholder when there are parameters).
    sql = export_sql(columns, key).replace(BASE, sql_literal(base).replace("%", "%%"))
    sql = sql.replace("%(ids)s", ids_sql)
    return (
        f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER {'true' if header else 'false'})",
        list(ids_params),
    )


def first_rows_then_the_rest(queryset, key: SortKey, counted: int | None):
    """(number of rows, [the first FIRST_SLICE ids, then the rest: their ids, or the filter
    with a keyset bound after the first]), `counted` the number where it is known."""
    rows = queryset.order_by(*key.order_by()).values_list("pk", key.field)
    if counted is not None:  # counted already: the first rows will do. Reading all of a
        # result's ids first cost its first byte the whole filter (country=kh&year=2012 at
        # 1,000,000 events: 2,433 ids in 220-275 ms, where its first 50 take 2 ms).
        head = list(rows[:FIRST_SLICE])
        whole = len(head) < FIRST_SLICE  # never, while the counter is true
        if whole:
            counted = len(head)
    else:  # no counter: a short result is counted by reading it, a longer one by a COUNT
        head = list(rows[: PEEK + 1])
        whole = len(head) <= PEEK
        counted = len(head) if whole else queryset.count()
    ids = [pk for pk, _ in head]
    batches = [ids[:FIRST_SLICE]]  # the first rows at once
    if whole and len(ids) > FIRST_SLICE:
        batches.append(ids[FIRST_SLICE:])
    elif not whole:  # everything after the first rows, in one statement
        last_pk, last_value = head[FIRST_SLICE - 1]
        batches.append(queryset.filter(beyond(key, last_value, last_pk, forward=True)))
    return counted, batches


def stream_csv(columns, queryset, key: SortKey, base: str, *, bom: bool = False,
               tally: Tally | None = None, known=lambda: None):  # fmt: skip
    """Yield the CSV as bytes in chunks of about CHUNK_BYTES, as PostgreSQL produces it; the
    number of rows, counted in the same snapshot before the first chunk, in `tally`.
    `known()`, called in the snapshot, gives that number where it is kept (counters.count):
    otherwise a result longer than PEEK rows is counted with a COUNT."""
    connection = connections[queryset.db]
    chunk = bytearray("\ufeff".encode() if bom else b"")
    with snapshot(queryset.db):
        with connection.cursor() as cursor:
            # No JIT compilation, which costs the count and the first rows a few hundred
            # milliseconds and saved nothing measurable; the server's work_mem unless told.
            cursor.execute("SELECT set_config('jit', 'off', true)")
            if settings.CATALOGUE_EXPORT_WORK_MEM:
                cursor.execute(
                    "SELECT set_config('work_mem', %s, true)", [settings.CATALOGUE_EXPORT_WORK_MEM]
                )
        counted = known()
        if counted is not None and counted <= ONE_STATEMENT:
            batches = [queryset]
        else:
            counted, batches = first_rows_then_the_rest(queryset, key, counted)
        if tally is not None:
            tally.records = counted
        for number, batch in enumerate(batches):
            statement, params = copy_statement(columns, batch, key, base, header=number == 0)
            with connection.connection.cursor() as cursor, cursor.copy(statement, params) as copy:
                for row in copy:
                    chunk += row
                    if len(chunk) >= CHUNK_BYTES:
                        yield bytes(chunk)
                        chunk.clear()
            if chunk:  # the first rows leave before the next statement starts
                yield bytes(chunk)
                chunk.clear()
