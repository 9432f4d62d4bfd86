"""The events CSV produced by PostgreSQL itself (COPY ... TO STDOUT), for large exports.

The rows, their links and every formatting rule of exports.event_rows (labels, ISO dates at
their precision, "over N", roles and titles in parentheses, "; " between values, formula
cells neutralised) are expressed in SQL, and the CSV bytes stream from the database to the
client untouched. tests/test_csv_export.py checks that both produce the same file.

The export runs as consecutive slices in export order, each one COPY over a list of ids. The
ids come from one server-side cursor over the filtered, sorted events (the filter runs once),
read as the slices need them: the first slice is small, so the first bytes leave within a
fraction of a second, and the slices then grow to amortise the per-statement cost. All slices
read one snapshot (a REPEATABLE READ, READ ONLY transaction), so an edit made during a long
download cannot duplicate or drop a row; the rows are counted in it first, for the
X-Record-Count header (exports.Tally): by reading them, when there are fewer than PEEK.
"""

import uuid

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections

from .columns import BASE, CODES, COUNT, INT, PLAIN, Column, sql_literal, sql_neutralise
from .exports import Tally, snapshot
from .pagination import SortKey

FIRST_SLICE = 1_000
LARGEST_SLICE = 100_000
# Ids read ahead before the first slice: a result this short is counted by reading it.
PEEK = 100_000
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


class ExportIds:
    """The filtered events' ids in export order, read once from a server-side cursor (the
    filter and sort run once for the whole export), and handed out as slices that grow from
    FIRST_SLICE to LARGEST_SLICE. At most PEEK + LARGEST_SLICE ids are held at a time.

    The first PEEK ids are read before anything else: when the result is shorter, that is
    also its count, and the count query (the filter a second time) is not needed."""

    def __init__(self, connection, queryset, key: SortKey):
        self.buffer, self.done = [], False
        ordered = queryset.order_by(*key.order_by()).values_list("pk")
        try:
            sql, params = ordered.query.sql_with_params()
        except EmptyResultSet:  # a condition that can match nothing (a search for "!")
            self.cursor, self.done = None, True
            return
        # psycopg's server-side cursor: DECLARE, then FETCH as the slices need them.
        self.cursor = connection.connection.cursor(name=f"export_{uuid.uuid4().hex}")
        self.cursor.execute(sql, params)
        self._fetch(PEEK)

    def _fetch(self, wanted: int):
        rows = self.cursor.fetchmany(wanted)
        self.buffer.extend(row[0] for row in rows)
        self.done = len(rows) < wanted

    def count(self) -> int | None:
        """The number of ids, when the first read holds them all."""
        return len(self.buffer) if self.done else None

    def slices(self):
        """Lists of ids in export order; at least one, empty for an empty result (its COPY
        writes the header)."""
        size, first = FIRST_SLICE, True
        while True:
            if len(self.buffer) < size and not self.done:
                self._fetch(size - len(self.buffer))
            if not self.buffer and not first:
                return
            first = False
            ids, self.buffer = self.buffer[:size], self.buffer[size:]
            yield ids
            size = min(size * 4, LARGEST_SLICE)

    def close(self):
        if self.cursor is not None:
            self.cursor.close()


def stream_csv(columns, queryset, key: SortKey, base: str, *, bom: bool = False,
               tally: Tally | None = None):  # fmt: skip
    """Yield the CSV as bytes in chunks of about CHUNK_BYTES, as PostgreSQL produces it; the
    number of rows, counted in the same snapshot before the first chunk, in `tally`."""
    connection = connections[queryset.db]
    chunk = bytearray("\ufeff".encode() if bom else b"")
    with snapshot(queryset.db):
        with connection.cursor() as cursor:
            # Slices sort in memory rather than on disk. The ids cursor is planned for all of
            # its rows, as the plain query would be, not for its first tenth (a cursor's
            # default): that plan walked the date index through a million events to find
            # country=kh's 66,480 (5 s to the first byte, against 0.5 s).
            cursor.execute(
                "SELECT set_config('work_mem', %s, true), "
                "set_config('cursor_tuple_fraction', '1', true)",
                [settings.CATALOGUE_EXPORT_WORK_MEM],
            )
        ids = ExportIds(connection, queryset, key)
        try:
            if tally is not None:
                counted = ids.count()
                tally.records = counted if counted is not None else queryset.count()
            header = True
            for batch in ids.slices():
                statement, params = copy_statement(columns, batch, key, base, header=header)
                header = False
                with (
                    connection.connection.cursor() as cursor,
                    cursor.copy(statement, params) as copy,
                ):
                    for row in copy:
                        chunk += row
                        if len(chunk) >= CHUNK_BYTES:
                            yield bytes(chunk)
                            chunk.clear()
        finally:
            ids.close()
    if chunk:
        yield bytes(chunk)
