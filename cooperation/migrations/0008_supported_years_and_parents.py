"""The database refuses what the pages cannot show (docs/data-model.md, Integrity).

- Dates and years within 1000-9999 (the constant is cooperation.models.base.FIRST_YEAR and
  LAST_YEAR; the literals here are frozen as migrations should be): check constraints.
- No record is its own parent: check constraints.
- No longer cycles of parents (A part of B, B part of A): triggers on both engines, created
  last. On SQLite, a later migration that rebuilds the event, organization or programme table
  (an AlterField or AddConstraint there, an AddField of a NOT NULL field or one with a
  default) drops its triggers: such a migration must call create_parent_triggers again.
  tests/test_integrity.py fails if it does not.

Before any of it, check_existing_rows looks for rows that would break the new rules: a record
that is its own parent loses that parent (it said nothing); anything else stops the migration
with a list of the records to correct, since no correct value can be guessed for them.
"""

import datetime

import django.core.validators
from django.db import migrations, models
from django.db.models import CharField, F, Q
from django.db.models.functions import Cast

FIRST_DATE, LAST_DATE = datetime.date(1000, 1, 1), datetime.date(9999, 12, 31)
FIRST_YEAR, LAST_YEAR = 1000, 9999

RANGES = [
    ("Event", "start_date", FIRST_DATE, LAST_DATE),
    ("Event", "end_date", FIRST_DATE, LAST_DATE),
    ("Source", "published_on", FIRST_DATE, LAST_DATE),
    ("Programme", "start_year", FIRST_YEAR, LAST_YEAR),
    ("Programme", "end_year", FIRST_YEAR, LAST_YEAR),
]
WITH_PARENTS = {
    "Event": "event_parent_not_in_cycle",
    "Organization": "organization_parent_not_in_cycle",
    "Programme": "programme_parent_not_in_cycle",
}


def cycles(parents: dict) -> list[list]:
    """Every cycle in {id: parent_id}, each as the ids along it. Each id is visited once."""
    walked_from, found = {}, []
    for start in sorted(parents):
        path, node = [], start
        while node in parents and node not in walked_from:
            walked_from[node] = start
            path.append(node)
            node = parents[node]
        if node in parents and walked_from[node] == start:  # back on this walk's own path
            found.append(path[path.index(node) :])
    return found


def check_existing_rows(apps, schema_editor):
    db = schema_editor.connection.alias
    problems = []
    for model_name, field, low, high in RANGES:
        model = apps.get_model("cooperation", model_name)
        outside = model.objects.using(db).filter(
            Q(**{f"{field}__lt": low}) | Q(**{f"{field}__gt": high})
        )
        # As text: PostgreSQL holds dates (year 0, 20000) that Python's date cannot.
        for slug, value in outside.values_list("slug", Cast(field, CharField())):
            problems.append(f"{model_name} {slug}: {field} {value} is outside {low}..{high}")
    own_parents = {}
    for model_name in WITH_PARENTS:
        model = apps.get_model("cooperation", model_name)
        own_parents[model] = model.objects.using(db).filter(parent=F("pk"))
        others = model.objects.using(db).filter(parent__isnull=False).exclude(parent=F("pk"))
        parents = dict(others.values_list("id", "parent_id"))
        for cycle in cycles(parents):
            records = model.objects.using(db).in_bulk(cycle)
            path = " -> ".join(records[pk].slug for pk in cycle + cycle[:1])
            problems.append(f"{model_name} parents form a cycle: {path}")
    if problems:
        raise RuntimeError(
            "These records break rules this migration adds; correct them (in the admin or the "
            "fixtures) and migrate again:\n  " + "\n  ".join(problems)
        )
    for model, rows in own_parents.items():
        if slugs := list(rows.values_list("slug", flat=True)):
            rows.update(parent=None)
            print(f"\n  {model.__name__} was its own parent, parent cleared: {', '.join(slugs)}")


# Walk up from the new parent: reaching the row itself means the change would close a cycle.
# The triggers run only for a parent that is set and is not the row itself (comparing with NULL
# is not true): the check constraints *_not_own_parent refuse that, under their own names.
# UNION (not UNION ALL) ends the walk even on a cycle already present. One index lookup per
# level, a few for real nesting (a trip, its meetings). The same SQL on both engines.
WALK = """
    WITH RECURSIVE up(id) AS (
        SELECT NEW.parent_id
        UNION
        SELECT t.parent_id FROM {table} t JOIN up ON t.id = up.id
        WHERE t.parent_id IS NOT NULL AND up.id <> NEW.id
    ) SELECT 1 FROM up WHERE id = NEW.id
"""
MESSAGE = "{name}: a record cannot be part of itself, even through its parents"

# A function per table, with the table written in: a shared function would need dynamic SQL,
# planned anew on every row (a load of 100,000 events with parents took 12 s longer; now ~0).
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.parent_id IS NOT DISTINCT FROM OLD.parent_id THEN
        RETURN NEW;
    END IF;
    -- Two transactions could each close half of a cycle (A under B, B under A) without seeing
    -- the other's change: changes of parent in one table wait for each other until commit.
    -- The walk then runs on a fresh snapshot (READ COMMITTED, Django's default).
    PERFORM pg_advisory_xact_lock(TG_RELID::bigint);
    IF EXISTS ({walk}) THEN
        RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation', CONSTRAINT = '{name}';
    END IF;
    RETURN NEW;
END
$$
"""
POSTGRESQL_TRIGGER = """
CREATE TRIGGER {name} BEFORE INSERT OR UPDATE OF parent_id ON {table}
FOR EACH ROW WHEN (NEW.parent_id <> NEW.id) EXECUTE FUNCTION {name}()
"""
# SQLite writes one transaction at a time, so it needs no lock. Its triggers cannot call a
# function: each has the walk written in, one trigger for inserts and one for updates.
SQLITE_TRIGGER = """
CREATE TRIGGER {name}_{suffix} BEFORE {event} ON {table}
FOR EACH ROW WHEN NEW.parent_id <> NEW.id{unchanged}
BEGIN
    SELECT RAISE(ABORT, '{message}') WHERE EXISTS ({walk});
END
"""
SQLITE_EVENTS = [
    ("insert", "INSERT", ""),
    ("update", "UPDATE OF parent_id", " AND NEW.parent_id IS NOT OLD.parent_id"),
]


def create_parent_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for model_name, name in WITH_PARENTS.items():
        table = apps.get_model("cooperation", model_name)._meta.db_table
        words = {
            "name": name,
            "table": table,
            "walk": WALK.format(table=table),
            "message": MESSAGE.format(name=name),
        }
        if vendor == "postgresql":
            schema_editor.execute(POSTGRESQL_FUNCTION.format(**words))
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(POSTGRESQL_TRIGGER.format(**words))
        elif vendor == "sqlite":
            for suffix, event, unchanged in SQLITE_EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")
                schema_editor.execute(
                    SQLITE_TRIGGER.format(**words, suffix=suffix, event=event, unchanged=unchanged)
                )


def drop_parent_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for model_name, name in WITH_PARENTS.items():
        table = apps.get_model("cooperation", model_name)._meta.db_table
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        elif vendor == "sqlite":
            for suffix, _, _ in SQLITE_EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0007_catalogue_version"),
    ]

    operations = [
        migrations.RunPython(check_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="end_date",
            field=models.DateField(
                blank=True,
                help_text="Empty for an event of a single day, month or year.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1000, 1, 1),
                        message="The catalogue covers the years 1000 to 9999.",
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(9999, 12, 31),
                        message="The catalogue covers the years 1000 to 9999.",
                    ),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="start_date",
            field=models.DateField(
                help_text="At month or year precision, the first day of the month or year.",
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1000, 1, 1),
                        message="The catalogue covers the years 1000 to 9999.",
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(9999, 12, 31),
                        message="The catalogue covers the years 1000 to 9999.",
                    ),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="historicalevent",
            name="end_date",
            field=models.DateField(
                blank=True,
                help_text="Empty for an event of a single day, month or year.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1000, 1, 1),
                        message="The catalogue covers the years 1000 to 9999.",
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(9999, 12, 31),
                        message="The catalogue covers the years 1000 to 9999.",
                    ),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="historicalevent",
            name="start_date",
            field=models.DateField(
                help_text="At month or year precision, the first day of the month or year.",
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1000, 1, 1),
                        message="The catalogue covers the years 1000 to 9999.",
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(9999, 12, 31),
                        message="The catalogue covers the years 1000 to 9999.",
                    ),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="historicalprogramme",
            name="end_year",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Last year, if it has ended or is planned to.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        1000, message="The catalogue covers the years 1000 to 9999."
                    ),
                    django.core.validators.MaxValueValidator(
                        9999, message="The catalogue covers the years 1000 to 9999."
                    ),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="historicalprogramme",
            name="start_year",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="First year the sources place it in, if known.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        1000, message="The catalogue covers the years 1000 to 9999."
                    ),
                    django.core.validators.MaxValueValidator(
                        9999, message="The catalogue covers the years 1000 to 9999."
                    ),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="historicalsource",
            name="published_on",
            field=models.DateField(
                blank=True,
                help_text="Date the document carries; empty when it has none.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1000, 1, 1),
                        message="The catalogue covers the years 1000 to 9999.",
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(9999, 12, 31),
                        message="The catalogue covers the years 1000 to 9999.",
                    ),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="programme",
            name="end_year",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Last year, if it has ended or is planned to.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        1000, message="The catalogue covers the years 1000 to 9999."
                    ),
                    django.core.validators.MaxValueValidator(
                        9999, message="The catalogue covers the years 1000 to 9999."
                    ),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="programme",
            name="start_year",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="First year the sources place it in, if known.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        1000, message="The catalogue covers the years 1000 to 9999."
                    ),
                    django.core.validators.MaxValueValidator(
                        9999, message="The catalogue covers the years 1000 to 9999."
                    ),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="source",
            name="published_on",
            field=models.DateField(
                blank=True,
                help_text="Date the document carries; empty when it has none.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1000, 1, 1),
                        message="The catalogue covers the years 1000 to 9999.",
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(9999, 12, 31),
                        message="The catalogue covers the years 1000 to 9999.",
                    ),
                ],
            ),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("start_date__isnull", True),
                    models.Q(
                        ("start_date__gte", datetime.date(1000, 1, 1)),
                        ("start_date__lte", datetime.date(9999, 12, 31)),
                    ),
                    _connector="OR",
                ),
                name="event_start_date_in_supported_years",
                violation_error_message="The catalogue covers the years 1000 to 9999.",
            ),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("end_date__isnull", True),
                    models.Q(
                        ("end_date__gte", datetime.date(1000, 1, 1)),
                        ("end_date__lte", datetime.date(9999, 12, 31)),
                    ),
                    _connector="OR",
                ),
                name="event_end_date_in_supported_years",
                violation_error_message="The catalogue covers the years 1000 to 9999.",
            ),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.CheckConstraint(
                condition=models.Q(("parent", models.F("pk")), _negated=True),
                name="event_not_own_parent",
                violation_error_message="An event cannot be part of itself.",
            ),
        ),
        migrations.AddConstraint(
            model_name="organization",
            constraint=models.CheckConstraint(
                condition=models.Q(("parent", models.F("pk")), _negated=True),
                name="organization_not_own_parent",
                violation_error_message="An organization cannot be part of itself.",
            ),
        ),
        migrations.AddConstraint(
            model_name="programme",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("start_year__isnull", True),
                    models.Q(("start_year__gte", 1000), ("start_year__lte", 9999)),
                    _connector="OR",
                ),
                name="programme_start_year_in_supported_years",
                violation_error_message="The catalogue covers the years 1000 to 9999.",
            ),
        ),
        migrations.AddConstraint(
            model_name="programme",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("end_year__isnull", True),
                    models.Q(("end_year__gte", 1000), ("end_year__lte", 9999)),
                    _connector="OR",
                ),
                name="programme_end_year_in_supported_years",
                violation_error_message="The catalogue covers the years 1000 to 9999.",
            ),
        ),
        migrations.AddConstraint(
            model_name="programme",
            constraint=models.CheckConstraint(
                condition=models.Q(("parent", models.F("pk")), _negated=True),
                name="programme_not_own_parent",
                violation_error_message="A programme cannot be part of itself.",
            ),
        ),
        migrations.AddConstraint(
            model_name="source",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("published_on__isnull", True),
                    models.Q(
                        ("published_on__gte", datetime.date(1000, 1, 1)),
                        ("published_on__lte", datetime.date(9999, 12, 31)),
                    ),
                    _connector="OR",
                ),
                name="source_published_on_in_supported_years",
                violation_error_message="The catalogue covers the years 1000 to 9999.",
            ),
        ),
        migrations.RunPython(create_parent_triggers, drop_parent_triggers),
    ]
