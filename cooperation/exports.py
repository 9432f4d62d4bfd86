"""The CSV writer for any list and any columns (columns.py), streamed; the JSON exports are the
API's objects (api/records.py).

Every export counts its records in the snapshot it reads them in, before its first chunk
(`Tally`), so that the response can say how many it holds (X-Record-Count): a client that
receives fewer knows its download was cut short (docs/csv.md).

Records are read with values() in batches; each batch's links are fetched with one query per
kind of link, so memory stays flat and the number of queries grows with the number of
batches, never with the number of links. The CSV is written by PostgreSQL's rules (the SQL
writer, exports_sql.py, is PostgreSQL's COPY): lines end with a line feed, and a cell is
quoted when it holds a comma, a double quote or a line break, so both writers give the same
bytes.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connections, transaction

from .columns import CODES, COUNT, INT, LIST, PLAIN, SEPARATOR, Column, neutralise, stated_text

BATCH_SIZE = 2000


@contextmanager
def snapshot(using: str, *, read_only: bool = True):
    """One transaction for a whole export, on PostgreSQL REPEATABLE READ: every batch reads
    the catalogue as it was at the first, so an edit made during a long download can neither
    duplicate nor drop a record.

    Inside a caller's transaction (a test's), the caller's rules apply and no block is added
    to it: an export suspended between two chunks, its response never read to the end, must
    not hold the caller's transaction open past the caller's own end."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=using, savepoint=False):
        if connection.vendor == "postgresql":
            level = "REPEATABLE READ, READ ONLY" if read_only else "REPEATABLE READ"
            with connection.cursor() as cursor:
                cursor.execute(f"SET TRANSACTION ISOLATION LEVEL {level}")
        yield


class Tally:
    """How many records an export holds. Its writer sets `records` inside the snapshot it
    reads them in and before its first chunk; the view, which makes the first chunk before
    it answers, sends the number as the X-Record-Count header."""

    def __init__(self):
        self.records: int | None = None


BOM = "\ufeff"


def cell(column: Column, value) -> str:
    """A value as its CSV cell."""
    if column.kind == INT:
        return "" if value is None else str(value)
    if column.kind == COUNT:
        return stated_text(value)
    if column.kind in (LIST, CODES):
        value = SEPARATOR.join(value)
    if value is None:
        return ""
    return str(value) if column.kind in (PLAIN, CODES) else neutralise(str(value))


def quote(text: str) -> str:
    if any(mark in text for mark in ',"\r\n') or text == "\\.":
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(cells: Iterable[str]) -> str:
    return ",".join(quote(text) for text in cells) + "\n"


def csv_stream(columns: list[Column], rows: Iterable[dict], *, bom=False) -> Iterator[str]:
    if bom:
        yield BOM
    yield csv_line(column.name for column in columns)
    for row in rows:
        yield csv_line(cell(column, row[column.name]) for column in columns)


def csv_export(columns: list[Column], rows: Iterable[dict], *, using: str, tally: Tally,
               count=None, bom=False) -> Iterator[str]:  # fmt: skip
    """csv_stream over `rows` (an iterator not yet started) in one snapshot, with their number
    in `tally` before the first line. `count()` gives that number in the snapshot (a COUNT
    query); without it the rows are read first and counted: short lists computed in Python
    (the years)."""
    with snapshot(using):
        if count is None:
            rows = list(rows)
            tally.records = len(rows)
        else:
            tally.records = count()
        yield from csv_stream(columns, rows, bom=bom)


def batched(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def annotated(queryset, columns: list[Column]):
    """The queryset with what its columns count (event numbers of a country...)."""
    annotations = {}
    for column in columns:
        annotations.update(column.annotations)
    return queryset.annotate(**annotations) if annotations else queryset


def rows(queryset, columns: list[Column], *, base: str) -> Iterator[dict]:
    """{column name: value} per record, in the queryset's order. `base` is the site's address
    ("https://example.org"), for the URL columns."""
    link_sets = {column.links.name: column.links for column in columns if column.links}
    fields = ["id"] if link_sets else []  # links are fetched by id, chosen as a column or not
    fields = list(dict.fromkeys([*fields, *(name for column in columns for name in column.fields)]))
    values = annotated(queryset, columns).values(*fields).iterator(chunk_size=BATCH_SIZE)
    for batch in batched(values, BATCH_SIZE):
        ids = [row["id"] for row in batch] if link_sets else []
        linked = {name: links.rows_for(ids) for name, links in link_sets.items()}
        for row in batch:
            row["base"] = base
            for name, grouped in linked.items():
                row[name] = grouped.get(row["id"], [])
            yield {column.name: column.value(row) for column in columns}
