"""What the data package holds, read from the models' _meta: its tables, their Table Schema
(types, keys, constraints) and descriptions from docs/data-model.md.

Every record model of the catalogue (models.CATALOGUE_MODELS) is a table, and so is every
many-to-many table Django makes for them (an event's programmes, a programme's lead
organizations and countries). A table is named after its database table without the app's
prefix: `event`, `eventcountry`, `event_programmes`.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models.fields import PositiveIntegerRelDbTypeMixin
from django.utils.text import capfirst

from ..models import CATALOGUE_MODELS, Event
from ..models.events import draft_ids

DOCS = Path(settings.BASE_DIR) / "docs" / "data-model.md"
# The section of docs/data-model.md that describes fields many models share (timestamps,
# aliases); a row of a model's own section comes first.
SHARED_SECTION = "Conventions shared by all models"
PREFIX = "cooperation_"

# Django field types as Table Schema types. A field of another type stops the build (and the
# tests) until it is given one here.
TYPES = {
    "AutoField": "integer",
    "BigAutoField": "integer",
    "SmallAutoField": "integer",
    "IntegerField": "integer",
    "BigIntegerField": "integer",
    "SmallIntegerField": "integer",
    "PositiveIntegerField": "integer",
    "PositiveBigIntegerField": "integer",
    "PositiveSmallIntegerField": "integer",
    "CharField": "string",
    "SlugField": "string",
    "TextField": "string",
    "URLField": "string",
    "EmailField": "string",
    "DateField": "date",
    "DateTimeField": "datetime",
    "BooleanField": "boolean",
}
TEXT = "string"


def field_type(field: models.Field) -> str:
    if field.is_relation:
        field = field.target_field
    internal = field.get_internal_type()
    if internal not in TYPES:
        raise ValueError(
            f"{field.model.__name__}.{field.name}: no Table Schema type for {internal}"
        )
    kind = TYPES[internal]
    # Years stored as numbers (a programme's start and end) read as years.
    if kind == "integer" and field.name.endswith("_year"):
        return "year"
    return kind


@dataclass(frozen=True)
class Table:
    """One CSV of the package: a model, or the table of a many-to-many field (`m2m`)."""

    model: type[models.Model]
    m2m: models.ManyToManyField | None = None

    @property
    def name(self) -> str:
        return self.model._meta.db_table.removeprefix(PREFIX)

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    @property
    def fields(self) -> list[models.Field]:
        return list(self.model._meta.concrete_fields)

    @property
    def columns(self) -> list[str]:
        return [field.column for field in self.fields]

    # Drafts are not public: the package leaves out draft events and every row linked to one.
    # The same rule twice, as a queryset (write_table) and as SQL (COPY); tests/test_drafts.py
    # checks that both writers give the same bytes with a draft in the catalogue.

    @property
    def links_events(self) -> bool:
        return any(field.name == "event" and field.related_model is Event for field in self.fields)

    def public(self, queryset):
        if self.model is Event:
            return queryset.filter(status=Event.Status.PUBLISHED)
        if self.links_events:
            return queryset.exclude(event_id__in=draft_ids())
        return queryset

    def public_sql(self) -> str:
        """The WHERE clause of `public`, for COPY."""
        events = Event._meta.db_table
        if self.model is Event:
            return f"WHERE status = '{Event.Status.PUBLISHED}'"
        if self.links_events:
            return (
                f"WHERE event_id NOT IN "
                f"(SELECT id FROM {events} WHERE status = '{Event.Status.DRAFT}')"
            )
        return ""

    def descriptor(self) -> dict:
        """The resource's descriptor without its statistics (rows, bytes, hash)."""
        fields = [field_descriptor(self, field) for field in self.fields]
        return {
            "name": self.name,
            "path": self.path,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": self.title(),
            "description": self.description(),
            "schema": {
                "fields": fields,
                "primaryKey": [self.model._meta.pk.column],
                "foreignKeys": [
                    {
                        "fields": field.column,
                        "reference": {
                            "resource": table_of(field.related_model).name,
                            "fields": field.target_field.column,
                        },
                    }
                    for field in self.fields
                    if field.many_to_one
                ],
                "missingValues": [""],
            },
        }

    def title(self) -> str:
        if self.m2m is not None:
            owner = self.m2m.model._meta.verbose_name
            return str(capfirst(f"{owner} {self.m2m.verbose_name}"))
        return str(capfirst(self.model._meta.verbose_name_plural))

    def description(self) -> str:
        if self.m2m is not None:
            owner = self.m2m.model
            meaning = describe(owner, self.m2m.name)
            return f"`{owner.__name__}.{self.m2m.name}`, one row per link. {meaning}"
        return documentation().intros.get(self.model.__name__) or self.title()


def tables() -> list[Table]:
    """Every table of the package, each model followed by its many-to-many tables."""
    found = []
    for model in CATALOGUE_MODELS:
        found.append(Table(model))
        for m2m in model._meta.local_many_to_many:
            if m2m.remote_field.through._meta.auto_created:
                found.append(Table(m2m.remote_field.through, m2m))
    return found


def table_of(model) -> Table:
    for table in tables():
        if table.model is model:
            return table
    raise ValueError(f"{model.__name__} is not a table of the data package")


def field_descriptor(table: Table, field: models.Field) -> dict:
    kind = field_type(field)
    descriptor = {
        "name": field.column,
        "type": kind,
        "title": str(capfirst(field.verbose_name)),
        "description": field_description(table, field),
    }
    if kind == "boolean":
        descriptor.update(trueValues=["true"], falseValues=["false"])
    constraints = {}
    # Optional text is stored as "" and written as an empty cell, which reads as missing.
    if not field.null and not (kind == TEXT and field.blank):
        constraints["required"] = True
    if field.unique and not field.primary_key:
        constraints["unique"] = True
    if field.choices:
        constraints["enum"] = [value for value, _ in field.flatchoices if value != ""]
    if kind == TEXT and field.max_length:
        constraints["maxLength"] = field.max_length
    if isinstance(field, PositiveIntegerRelDbTypeMixin):
        constraints["minimum"] = 0
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def field_description(table: Table, field: models.Field) -> str:
    if field.primary_key:
        return (
            "The row's id: stable from one package to the next (the site's own id); other "
            "tables' foreign keys refer to it."
        )
    if table.m2m is not None:  # the two ends of a many-to-many link
        target = field.related_model
        return f"The {target._meta.verbose_name} (`id` in `{table_of(target).name}`)."
    meaning = describe(table.model, field.name)
    if field.choices:  # the docs list the values in a table of their own ("see below")
        meaning = SEE_BELOW.sub("", meaning).rstrip(" ;.")
        labels = "; ".join(f"`{value}` {label}" for value, label in field.flatchoices if value)
        meaning = f"{meaning}. Values: {labels}." if meaning else f"Values: {labels}."
    return meaning


SEE_BELOW = re.compile(r"[;.]?\s*see below\.?", re.IGNORECASE)


def describe(model, name: str, docs: "Documentation | None" = None) -> str:
    """A field's meaning: the row of docs/data-model.md that describes this field alone in the
    model's section, else in the shared conventions, else a row that describes it together
    with others, else the field's help_text. Empty when none says anything (a test fails)."""
    docs = docs or documentation()
    for key in [(model.__name__, name, True), (SHARED_SECTION, name, True),
                (model.__name__, name, False), (SHARED_SECTION, name, False)]:  # fmt: skip
        if key in docs.fields:
            return docs.fields[key]
    return str(model._meta.get_field(name).help_text)


@dataclass
class Documentation:
    # (model name or SHARED_SECTION, field name, the row names this field alone) -> meaning
    fields: dict
    intros: dict  # model name -> the first paragraph of its section


HEADING = re.compile(r"^## (.+)$")
FIELD_TABLE = re.compile(r"^\|\s*field\s*\|\s*type\s*\|\s*meaning\s*\|$")
NAME = re.compile(r"`([a-z_][a-z0-9_]*)`")


@cache
def documentation(path: Path = DOCS) -> Documentation:
    """The `| field | type | meaning |` tables under each `## Model` heading of
    docs/data-model.md. A heading may name several models (`## Citations: EventCitation,
    OrganizationCitation, ...`); a row may name several fields (`created_at`, `updated_at`)."""
    docs = Documentation(fields={}, intros={})
    if not path.exists():  # an installation without the docs: help_text only
        return docs
    names = {model.__name__ for model in CATALOGUE_MODELS}
    owners, intro, paragraph, in_table = [], "", [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if heading := HEADING.match(line):
            title = heading.group(1)
            words = set(re.findall(r"\w+", title))
            owners = [SHARED_SECTION] if title == SHARED_SECTION else sorted(names & words)
            intro, paragraph, in_table = "", [], False
            continue
        if not intro:  # the section's first paragraph
            if line:
                paragraph.append(line)
            elif paragraph:
                intro = " ".join(paragraph)
        if FIELD_TABLE.match(line):  # a model's own section: it describes its fields
            in_table = True
            for owner in owners:
                docs.intros.setdefault(owner, intro)
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        if in_table and not line.startswith("| ---"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            fields, meaning = NAME.findall(cells[0]), "|".join(cells[2:]).strip()
            for owner in owners:
                for name in fields:
                    docs.fields.setdefault((owner, name, len(fields) == 1), meaning)
    return docs
