"""Writing the data package: one CSV per table, then datapackage.json, into one zip.

All tables are read in one transaction, so the package is one consistent snapshot of the
catalogue (on PostgreSQL REPEATABLE READ, READ ONLY), and the version it reports is the one
that snapshot holds. Each CSV streams into its zip member as it is read, so memory stays flat
whatever the size of the catalogue:

- PostgreSQL writes each CSV itself (COPY ... TO STDOUT), the bytes going into the zip
  untouched;
- elsewhere (SQLite) the rows are read with values_list().iterator() and written with the
  csv module.

Both give the same bytes for the same data, by PostgreSQL's rules (as exports.py): lines end
with a line feed; a cell is quoted only when it holds a comma, a double quote or a line break;
empty text and NULL are both an empty cell; dates are ISO 8601, date-times ISO 8601 in UTC with
microseconds, booleans true/false. Rows are in id order, and the zip's timestamps are the
catalogue version's, so one version of the catalogue gives one zip, byte for byte.
"""

import csv
import hashlib
import io
import json
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from time import perf_counter

from django.db import connections, transaction
from django.utils import timezone

from .. import versions
from ..models import CatalogueVersion
from .schema import TEXT, Table, field_type, tables

DESCRIPTOR = "datapackage.json"
NAME = "cooperation-catalogue"
TITLE = "Catalogue of international poverty-reduction cooperation"
DESCRIPTION = (
    "Who met whom, where, when and under which programme: trainings, seminars, forums, "
    "official visits, signings, project launches and research, as linked records that cite "
    "the source documents they come from. One table per kind of record, link and citation; "
    "ids are the catalogue's own and stay the same from one package to the next. "
    "See docs/datapackage.md and docs/data-model.md."
)
# The project states no licence of its own for the data (README, docs); the package is
# offered under CC BY 4.0 so that reuse credits the catalogue (docs/datapackage.md).
LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
CHUNK_BYTES = 256 * 1024
BATCH_SIZE = 2000
DATETIME_SQL = """to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


@dataclass(frozen=True)
class TableStats:
    name: str
    path: str
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Built:
    version: versions.Version
    tables: list[TableStats]
    descriptor: dict
    seconds: float


def build(out, *, using: str = "default", writer=None) -> Built:
    """Write the package to `out` (a path or a seekable binary file). `writer` chooses how the
    CSVs are made (copy_table or write_table); by default, COPY on PostgreSQL."""
    started = perf_counter()
    with snapshot(using) as connection:
        version = read_version(using)
        write = writer or (copy_table if connection.vendor == "postgresql" else write_table)
        stats = []
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in tables():
                with archive.open(member(table.path, version), "w", force_zip64=True) as handle:
                    counted = Counted(handle)
                    rows = write(connection, table, counted)
                    counted.flush()
                stats.append(
                    TableStats(
                        table.name, table.path, rows, counted.bytes, counted.sha256.hexdigest()
                    )
                )
            descriptor = package_descriptor(version, stats)
            text = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
            archive.writestr(member(DESCRIPTOR, version), text.encode())
    return Built(version, stats, descriptor, perf_counter() - started)


@contextmanager
def snapshot(using: str):
    """One transaction for every read of the build. Inside a caller's transaction (a test),
    the caller's snapshot rules."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using, savepoint=False):
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield connection


def read_version(using: str) -> versions.Version:
    row = CatalogueVersion.objects.using(using).filter(pk=1).values_list("number", "changed_at")
    row = row.first()
    # No version row (a database emptied by hand): version 0, as of now; no write here.
    return versions.Version(*row) if row else versions.Version(0, timezone.now())


def member(name: str, version: versions.Version) -> zipfile.ZipInfo:
    stamp = max(version.changed_at.astimezone(UTC), datetime(1980, 1, 1, tzinfo=UTC))
    info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16  # readable once unzipped
    return info


class Counted:
    """A zip member's writer that counts and hashes the bytes, in chunks of CHUNK_BYTES (the
    compressor is called per chunk, not per row)."""

    def __init__(self, handle):
        self.handle = handle
        self.buffer = bytearray()
        self.bytes = 0
        self.sha256 = hashlib.sha256()

    def write(self, data) -> None:
        self.buffer += data
        if len(self.buffer) >= CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.handle.write(self.buffer)
            self.sha256.update(self.buffer)
            self.bytes += len(self.buffer)
            self.buffer.clear()


def package_descriptor(version: versions.Version, stats: list[TableStats]) -> dict:
    as_of = iso_datetime(version.changed_at)
    resources = []
    for table, table_stats in zip(tables(), stats, strict=True):
        resource = table.descriptor()
        resource.update(
            rows=table_stats.rows,
            bytes=table_stats.bytes,
            hash=f"sha256:{table_stats.sha256}",
        )
        resources.append(resource)
    return {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": TITLE,
        "description": DESCRIPTION,
        # The catalogue's version (cooperation/versions.py): it rises with every edit.
        "version": str(version.number),
        # When that version was made: what the package shows is the catalogue as of then.
        "asOf": as_of,
        "created": as_of,
        "licenses": [LICENCE],
        "resources": resources,
    }


def iso_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with microseconds, as PostgreSQL's DATETIME_SQL writes it."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


# PostgreSQL: COPY.


def cell_sql(field, quote) -> str:
    column = quote(field.column)
    kind = field_type(field)
    if kind == "boolean":
        return f"{column}::text"  # true / false
    if kind == "datetime":
        return DATETIME_SQL.format(column)
    if kind == "date":
        return f"to_char({column}, 'YYYY-MM-DD')"
    if kind == TEXT:
        return f"NULLIF({column}, '')"  # COPY quotes an empty string, and writes NULL bare
    return column


def copy_sql(table: Table, quote) -> str:
    cells = ", ".join(
        f"{cell_sql(field, quote)} AS {quote(field.column)}" for field in table.fields
    )
    return (
        f"COPY (SELECT {cells} FROM {quote(table.model._meta.db_table)} {table.public_sql()} "
        f"ORDER BY {quote(table.model._meta.pk.column)}) TO STDOUT WITH (FORMAT csv, HEADER true)"
    )


def copy_table(connection, table: Table, out) -> int:
    """The table's CSV as PostgreSQL writes it; the number of rows."""
    connection.ensure_connection()
    rows = -1  # the header is the first message
    with (
        connection.wrap_database_errors,
        connection.connection.cursor() as cursor,
        cursor.copy(copy_sql(table, connection.ops.quote_name)) as copy,
    ):
        for data in copy:  # one message per row
            out.write(data)
            rows += 1
    return rows


# Any other database: values_list and the csv module.


def python_cell(field):
    """How a value of this field becomes its cell (None where the csv module's own str()
    is right: integers, text, NULL as an empty cell)."""
    kind = field_type(field)
    if kind == "boolean":
        return lambda value: "true" if value else "false"
    if kind == "datetime":
        return iso_datetime
    if kind == "date":
        return lambda value: value.isoformat()
    return None


def write_table(connection, table: Table, out) -> int:
    """The table's CSV written in Python; the number of rows."""
    converters = [
        (index, convert)
        for index, field in enumerate(table.fields)
        if (convert := python_cell(field)) is not None
    ]
    out.write(csv_text([table.columns]).encode())
    rows = (
        table.public(table.model._base_manager.using(connection.alias))
        .order_by("pk")
        .values_list(*(field.attname for field in table.fields))
        .iterator(chunk_size=BATCH_SIZE)
    )
    count, batch = 0, []
    for row in rows:
        if converters:
            row = list(row)
            for index, convert in converters:
                if row[index] is not None:
                    row[index] = convert(row[index])
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            out.write(csv_text(batch).encode())
            count += len(batch)
            batch.clear()
    out.write(csv_text(batch).encode())
    return count + len(batch)


def csv_text(rows) -> str:
    """The csv module's lines, unless a cell holds a carriage return: PostgreSQL quotes it and
    the csv module does not (with a line feed as line end), so such a batch (rare) is written
    cell by cell by PostgreSQL's rule."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    if "\r" in text:
        text = "".join(
            ",".join(quote("" if value is None else str(value)) for value in row) + "\n"
            for row in rows
        )
    return text


def quote(text: str) -> str:
    """A cell as COPY (FORMAT csv) writes it. (COPY also quotes a lone `\\.`, the end-of-data
    marker, but only in a file of one column, and every table has two or more.)"""
    if any(mark in text for mark in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
