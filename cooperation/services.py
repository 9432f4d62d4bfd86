"""Writes that span several models: loading the curated catalogue."""

import datetime
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .models import CatalogueLoad
from .models.base import natural_key_cache
from .routers import primary

# Fixture files in dependency order; any other *.json file in the folder follows, by name.
FIXTURE_ORDER = [
    "countries.json",
    "sources.json",
    "organizations.json",
    "people.json",
    "programmes.json",
    "events.json",
]
TIMESTAMP_FIELDS = {"created_at", "updated_at"}


class CatalogueError(Exception):
    """A fixture that cannot be loaded; the message names the file and the record."""


@dataclass
class LoadReport:
    files: list[str] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    # Set when the fixtures were found unchanged since that load, and nothing was read.
    skipped_since: datetime.datetime | None = None

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def lines(self) -> list[str]:
        models = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return [
            f"{model}: {self.created[model]} created, {self.updated[model]} updated, "
            f"{self.unchanged[model]} unchanged"
            for model in models
        ]


def default_fixture_dir() -> Path:
    return Path(settings.BASE_DIR) / "fixtures"


def catalogue_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise CatalogueError(f"No fixture folder at {directory}")
    present = {path.name: path for path in directory.glob("*.json")}
    ordered = [present.pop(name) for name in FIXTURE_ORDER if name in present]
    return ordered + [present[name] for name in sorted(present)]


def load_catalogue(
    directory: Path | None = None, *, dry_run: bool = False, if_changed: bool = False
) -> LoadReport:
    """Load every fixture, in one transaction: on any error the database is left as it was.

    Records are matched to existing rows by natural key (slug, ISO code, ...). A record that
    already holds the same values is not written again, so a second load changes nothing,
    not even timestamps. Records that editors added in the admin are left alone.

    A load that completes (not a dry run) is logged with a checksum of the fixture files and
    of the applied migrations (CatalogueLoad). With `if_changed`, a load whose checksum equals
    the newest logged one stops there, without comparing any record: the fixtures are the
    ones already loaded, and an editor's later correction of a curated record in the admin is
    kept, not overwritten by the unchanged fixture. When the fixtures do change, every record
    is compared again and a curated record that differs from its fixture takes the fixture's
    values, as it always has.
    """
    paths = catalogue_files(Path(directory) if directory else default_fixture_dir())
    # Read once: the checksum describes exactly the bytes that are loaded.
    contents = {path.name: path.read_bytes() for path in paths}
    report = LoadReport(files=list(contents))
    with primary(), transaction.atomic(), natural_key_cache():
        checksum = _checksum(contents)
        last = CatalogueLoad.objects.first()
        if if_changed and not dry_run and last and last.checksum == checksum:
            report.skipped_since = last.loaded_at
            return report
        for name, content in contents.items():
            for index, record in enumerate(_read(name, content), start=1):
                try:
                    _load_record(record, report)
                except (DeserializationError, ValidationError, DatabaseError) as error:
                    raise CatalogueError(
                        f"{name}, record {index} ({_describe(record)}): {_message(error)}"
                    ) from error
        if dry_run:
            transaction.set_rollback(True)
        elif not (last and last.checksum == checksum):
            CatalogueLoad.objects.create(checksum=checksum, files=", ".join(contents))
    return report


def _checksum(contents: dict[str, bytes]) -> str:
    """The fixture files and the schema they were loaded into. A new migration can change what
    the same fixtures give (a new field and its default, a data migration), so the first load
    after one compares every record again."""
    digest = hashlib.sha256()
    for name, content in contents.items():
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    applied = sorted(
        name
        for app, name in MigrationRecorder(connection).applied_migrations()
        if app == "cooperation"
    )
    digest.update("\0".join(applied).encode())
    return digest.hexdigest()


def _read(name: str, content: bytes) -> list[dict]:
    try:
        records = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CatalogueError(f"{name} is not valid JSON: {error}") from error
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise CatalogueError(f"{name} must hold a JSON list of records")
    return records


def _describe(record: dict) -> str:
    fields = record.get("fields") if isinstance(record.get("fields"), dict) else {}
    key = next(
        (
            fields[name]
            for name in ("slug", "code", "event", "programme", "person", "organization")
            if name in fields
        ),
        None,
    )
    return f"{record.get('model', '?')} {json.dumps(key, ensure_ascii=False)}"


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return (
            "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
            )
            if hasattr(error, "error_dict")
            else " ".join(error.messages)
        )
    return str(error)


def _explain(error: DeserializationError, record: dict) -> str:
    """Django's message gives the bad value but not the field: name the field."""
    message = str(error)
    reason, _, _ = message.partition(": (")
    for name, value in (record.get("fields") or {}).items():
        if message.endswith(f"field_value was '{value}'"):
            if "matching query does not exist" in reason:
                return f"{name}: refers to {json.dumps(value)}, which is not defined before it"
            return f"{name}: {reason.strip('[]')}"
    return message


def _load_record(record: dict, report: LoadReport) -> None:
    if "pk" in record:
        raise DeserializationError("fixtures address records by natural key; remove its 'pk'")
    try:
        (deserialized,) = serializers.deserialize("python", [record])
    except DeserializationError as error:
        raise DeserializationError(_explain(error, record)) from error
    except ObjectDoesNotExist as error:
        raise DeserializationError(
            f"it refers to a record that is not defined before it ({error})"
        ) from error
    obj = deserialized.object
    label = obj._meta.label
    existing = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
    m2m_changed = existing is not None and any(
        set(getattr(existing, name).values_list("pk", flat=True)) != set(pks)
        for name, pks in deserialized.m2m_data.items()
    )
    fields_changed = existing is None or _differs(obj, existing)
    if not (fields_changed or m2m_changed):
        report.unchanged[label] += 1
        return

    now = timezone.now()
    field_names = {f.name for f in obj._meta.concrete_fields}
    if field_names >= TIMESTAMP_FIELDS:
        obj.created_at = existing.created_at if existing else now
        obj.updated_at = now
    # Field checks and clean() here; uniqueness and check constraints are left to the
    # database, which enforces them anyway (see _constraint_message for the wording).
    obj.full_clean(validate_unique=False, validate_constraints=False)
    try:
        deserialized.save()
    except IntegrityError as error:
        raise ValidationError(_constraint_message(obj, error)) from error
    (report.updated if existing else report.created)[label] += 1


def _constraint_message(obj, error: IntegrityError) -> str:
    """The violated constraint's own message, where the database names it."""
    text = str(error)
    for constraint in obj._meta.constraints:
        if constraint.name in text:
            message = constraint.violation_error_message
            if message and "%(name)s" not in message:
                return f"{message} ({constraint.name})"
            return f"violates {constraint.name}"
    for model_field in obj._meta.concrete_fields:
        column = model_field.column
        if model_field.unique and (f".{column}" in text or f"({column})" in text):
            value = getattr(obj, model_field.attname)
            return f"{model_field.name}: another record already has {value!r}"
    return text.strip()


def _differs(obj, existing) -> bool:
    return any(
        getattr(obj, f.attname) != getattr(existing, f.attname)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.name not in TIMESTAMP_FIELDS
    )
