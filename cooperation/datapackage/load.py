"""Loading a data package into an empty catalogue, ids kept, in one transaction.

The package must have exactly this code's tables and columns (a package built by another
version of the schema is refused, not half loaded). On PostgreSQL each CSV goes to the
database with COPY ... FROM STDIN; elsewhere rows are inserted in batches. The load is a raw
write: no history, no signals, so the catalogue's version is raised here.
"""

import csv
import datetime
import io
import json
import zipfile
from itertools import islice

from django.core.management.color import no_style
from django.db import DatabaseError, connections, transaction

from .. import versions
from ..models import CATALOGUE_MODELS
from .build import CHUNK_BYTES, DESCRIPTOR
from .schema import TEXT, Table, field_type, tables

BATCH_SIZE = 2000


class PackageError(Exception):
    """The package cannot be loaded here; nothing was written."""


def load(path, *, using: str = "default", dry_run: bool = False) -> dict[str, int]:
    """Load the package at `path` (a zip); the number of rows per table."""
    expected = {table.name: table for table in tables()}
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise PackageError(f"{path} is not a zip file: {error}") from error
    with archive:
        try:
            descriptor = json.loads(archive.read(DESCRIPTOR))
        except (KeyError, ValueError) as error:
            raise PackageError(f"No readable {DESCRIPTOR} in {path}: {error}") from error
        resources = {resource["name"]: resource for resource in descriptor.get("resources", [])}
        if set(resources) != set(expected):
            missing = ", ".join(sorted(set(expected) - set(resources))) or "none"
            unknown = ", ".join(sorted(set(resources) - set(expected))) or "none"
            raise PackageError(
                f"The package's tables are not this catalogue's (missing: {missing}; "
                f"unknown: {unknown})."
            )
        connection = connections[using]
        counts = {}
        with transaction.atomic(using=using):
            filled = [
                str(model._meta.verbose_name_plural)
                for model in CATALOGUE_MODELS
                if model._base_manager.using(using).exists()
            ]
            if filled:
                raise PackageError(
                    "The catalogue is not empty (it has "
                    + ", ".join(filled)
                    + "): a package loads into an empty catalogue only."
                )
            write = copy_in if connection.vendor == "postgresql" else insert_rows
            for name, table in expected.items():
                with archive.open(resources[name]["path"]) as data:
                    check_header(table, data.readline())
                    try:
                        counts[name] = write(connection, table, data)
                    except (DatabaseError, ValueError, KeyError) as error:  # a bad cell or row
                        raise PackageError(f"{table.path}: {error}") from error
            models = [table.model for table in expected.values()]
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
            versions.bump(using)
            if dry_run:
                transaction.set_rollback(True, using=using)
    return counts


def check_header(table: Table, line: bytes) -> None:
    header = next(csv.reader([line.decode("utf-8").lstrip("\ufeff")]), [])
    if header != table.columns:
        raise PackageError(
            f"{table.path}: the columns are {', '.join(header) or 'missing'}; this catalogue's "
            f"are {', '.join(table.columns)}."
        )


def copy_in(connection, table: Table, data) -> int:
    """COPY the rest of the CSV (after its header) into the table; the number of rows."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in table.columns)
    # An empty cell is NULL to COPY; in a text column it is the empty string Django stores.
    text = [quote(f.column) for f in table.fields if field_type(f) == TEXT and not f.null]
    options = f", FORCE_NOT_NULL ({', '.join(text)})" if text else ""
    target = quote(table.model._meta.db_table)
    sql = f"COPY {target} ({columns}) FROM STDIN WITH (FORMAT csv{options})"
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        with cursor.copy(sql) as copy:
            while chunk := data.read(CHUNK_BYTES):
                copy.write(chunk)
        return cursor.rowcount


def python_value(field):
    """How a cell becomes the value Django would save for this field."""
    kind = field_type(field)
    empty = None if field.null else ("" if kind == TEXT else None)
    if kind == "boolean":
        values = {"true": True, "false": False}
        return lambda cell: values[cell] if cell else empty
    if kind == "datetime":
        return lambda cell: datetime.datetime.fromisoformat(cell) if cell else empty
    if kind == "date":
        return lambda cell: datetime.date.fromisoformat(cell) if cell else empty
    if kind == TEXT:
        return lambda cell: cell
    return lambda cell: int(cell) if cell else empty


def insert_rows(connection, table: Table, data) -> int:
    """INSERT the rest of the CSV (after its header), in batches; the number of rows."""
    quote = connection.ops.quote_name
    fields = table.fields
    parsers = [python_value(field) for field in fields]
    sql = (
        f"INSERT INTO {quote(table.model._meta.db_table)} "
        f"({', '.join(quote(column) for column in table.columns)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    reader = csv.reader(io.TextIOWrapper(data, encoding="utf-8", newline=""))
    count = 0
    with connection.cursor() as cursor:
        while batch := list(islice(reader, BATCH_SIZE)):
            cursor.executemany(
                sql,
                [
                    [
                        field.get_db_prep_save(parse(cell), connection)
                        for field, parse, cell in zip(fields, parsers, row, strict=True)
                    ]
                    for row in batch
                ],
            )
            count += len(batch)
    return count
