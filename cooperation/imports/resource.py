"""Events read from a file into the catalogue: django-import-export's resource for events.

A row is keyed by its slug (the `slug` column, else the last part of `url`, else its start date
and title): a slug already in the catalogue updates that event, so re-importing an export never
duplicates a record. Only the columns the file has are written; an event's other fields, and
the notes of links it keeps, stay as they are. Every write is a `save()` or `delete()` with the
editor as history user, so every record written has its historical row.

The admin runs the import twice (imports/admin.py): a dry run whose writes are rolled back,
shown as a preview, then, after the editor confirms, the same rows for real in one transaction
that is rolled back whole if any row fails.
"""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections
from django.urls import reverse
from django.utils.text import slugify
from import_export import resources
from import_export.fields import Field

from .. import duplicates
from ..columns import EVENT_COLUMNS, shown_name
from ..models import (
    Country,
    Event,
    EventCitation,
    EventCountry,
    EventOrganization,
    EventPerson,
    Organization,
    Person,
    Programme,
    Source,
    alias_lines,
    iso_date,
)
from . import cells

# The export's columns, plus what the export leaves out but an editor may want to set.
COLUMNS = [column.name for column in EVENT_COLUMNS] + ["slug", "venue", "theme"]
REQUIRED = ["title", "type", "start_date"]
# Each row is read twice (preview, then confirmation) at some 30 ms a row: a thousand rows keep
# each step within a proxy's usual 60-second timeout.
MAX_ROWS = 1000
# Columns the export derives from `countries`: read only in a file without it.
HOST_COLUMNS = ["host_country_code", "host_country"]
# Columns written as they are, and the event field each fills.
TEXT_FIELDS = {
    "title": "title",
    "city": "city",
    "venue": "venue",
    "theme": "theme",
    "description": "description",
    "note": "editor_note",
}
# Where a field's error shows: the column the editor wrote it in.
FIELD_COLUMNS = {
    **{name: column for column, name in TEXT_FIELDS.items()},
    "slug": "url",
    "date_precision": "start_date",
    "end_date_precision": "end_date",
    "participants_is_minimum": "participants",
    "participant_countries_is_minimum": "participant_countries",
    "editor_note": "note",
    "status": "",
    NON_FIELD_ERRORS: "",
}
ROLES = {
    "country": EventCountry.Role,
    "organization": EventOrganization.Role,
    "person": EventPerson.Role,
}
ACTIONS = {
    "new": "New",
    "update": "Update",
    "unchanged": "Unchanged",
    "invalid": "Not imported",
    "error": "Not imported",
}
CITE = " — "
END_BEFORE_START = next(
    constraint
    for constraint in Event._meta.constraints
    if constraint.name == "event_end_not_before_start"
)  # between a source and the locator, as columns.py writes a citation


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (its header); the message says why."""


@dataclass
class Link:
    """A record a row links its event to, as the preview shows it."""

    kind: str  # "country", "organization", "person", "programme", "source"
    written: str  # the name as the file gives it
    record: object = None  # the record; for a new one, set once the import creates it
    how: str = ""  # what matched: "name", "alias", "code", "acronym", "key"; "" when new
    role: str = ""
    detail: str = ""  # a person's title, a citation's locator
    candidates: list = field(default_factory=list)  # possible duplicates of a new record
    key: tuple = ()  # what makes two links one: the record (or new name) and the role
    is_new: bool = False  # a person or organization the import creates

    @property
    def role_words(self) -> str:
        """The role as the export writes it, with a person's title."""
        if not self.role:
            return ""
        words = cells.label(ROLES[self.kind], self.role)
        return f"{words}, {self.detail}" if self.kind == "person" and self.detail else words

    @property
    def candidate_links(self) -> list[tuple[str, str]]:
        """(admin address, name) of each possible duplicate."""
        opts = (Person if self.kind == "person" else Organization)._meta
        name = f"admin:{opts.app_label}_{opts.model_name}_change"
        return [(reverse(name, args=[record.pk]), str(record)) for record in self.candidates]


@dataclass
class RowReport:
    """One row of the preview: what the row will do, what it links to, what is wrong."""

    line: int  # the row's number in a spreadsheet (the header is row 1)
    slug: str = ""
    title: str = ""
    action: str = ""  # "new", "update", "unchanged", "invalid", "error"
    status: str = ""
    links: list[Link] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)

    def add_validation_error(self, error: ValidationError):
        for name, messages in error.message_dict.items():
            column = FIELD_COLUMNS.get(name, name)
            for message in messages:
                if (column, message) not in self.errors:
                    self.errors.append((column, message))

    @property
    def duplicates(self) -> list[Link]:
        return [link for link in self.links if link.candidates]

    @property
    def action_words(self) -> str:
        return ACTIONS.get(self.action, self.action)


class Names:
    """The records of one model by every name a file may give them (case ignored): exact
    names first, then the other keys in the order given."""

    def __init__(self, model, keys: dict):
        self.model = model
        self.keys = keys
        self.found = {}
        for record in model._default_manager.all():
            self.add(record)

    def add(self, record):
        for how, names_of in self.keys.items():
            for name in names_of(record):
                if name:
                    self.found.setdefault((how, name.casefold()), {})[record.pk] = record

    def find(self, name: str) -> tuple[list, str]:
        for how in self.keys:
            records = self.found.get((how, name.casefold()))
            if records:
                return list(records.values()), how
        return [], ""


def lookups() -> dict:
    def aliases(record):
        return alias_lines(record.aliases)

    return {
        Country: Names(
            Country,
            {"name": lambda c: [c.name], "code": lambda c: [c.code, c.alpha3], "alias": aliases},
        ),
        Organization: Names(
            Organization,
            {
                "name": lambda o: [o.name],
                "acronym": lambda o: [o.acronym],
                "key": lambda o: [o.slug],
                "alias": aliases,
            },
        ),
        Person: Names(
            Person,
            {
                "name": lambda p: [p.name],
                "key": lambda p: [p.slug],
                "native name": lambda p: [p.native_name],
                "alias": aliases,
            },
        ),
        Programme: Names(
            Programme,
            {
                "name": lambda p: [p.name],
                "acronym": lambda p: [p.acronym],
                "key": lambda p: [p.slug],
                "alias": aliases,
            },
        ),
        Source: Names(Source, {"name": lambda s: [s.title], "key": lambda s: [s.slug]}),
    }


def row_slug(values: dict) -> str:
    """The row's key: its slug, the end of its url, or its start date and title."""
    if values.get("slug"):
        return values["slug"]
    if values.get("url"):
        return cells.slug_from_url(values["url"])
    if not values.get("start_date"):
        return ""  # the row's missing date is its error
    start = cells.date(values.get("start_date", ""), values.get("date_precision", ""))
    return slugify(f"{iso_date(*start)} {values.get('title', '')}")[:150].strip("-")


@dataclass
class Reading:
    """What one row asks for, resolved: links are None where the file lacks the column
    (the event keeps the links it has)."""

    countries: list | None = None
    organizations: list | None = None
    people: list | None = None
    programmes: list | None = None
    citations: list | None = None
    explicit_id: int | None = None
    changed: bool = True


class EventResource(resources.ModelResource):
    slug = Field(attribute="slug", column_name="slug")

    class Meta:
        model = Event
        name = "events"
        fields = ("slug",)
        import_id_fields = ("slug",)
        use_transactions = True
        clean_model_instances = True  # full_clean(): field limits, dates, parents, status
        skip_diff = True
        report_skipped = True

    def __init__(self, publish: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.publish = publish
        self.lines = []  # the spreadsheet row of each dataset row, after reordering
        self.problems = {}  # spreadsheet row → [(column, message)] found before the rows
        self.file_slugs = set()
        self.created = {}  # (model, casefolded name) → the record this import created
        self.candidates = {}  # (model, casefolded name) → possible duplicates of a new record
        self.names = {}

    def get_queryset(self):
        return Event.all_objects.all()

    def get_user_visible_fields(self):
        return [Field(column_name=name) for name in COLUMNS]

    # ---- The file ------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        """Check the header, key every row by its slug, and put each event after its parent
        when both are in the file (so the parent exists when its part is read). A file whose
        header is wrong is emptied: no row is read (django-import-export would go on)."""
        try:
            self._prepare(dataset)
        except ImportFileError:
            dataset.wipe()
            raise

    def _prepare(self, dataset):
        headers = [cells.text(header).lower() for header in dataset.headers or []]
        if not any(headers):
            raise ImportFileError(
                "The file has no header row: its first row must name the "
                "columns, as the events export does."
            )
        named = [header for header in headers if header]
        if unknown := [header for header in named if header not in COLUMNS]:
            raise ImportFileError(
                f"Unknown column{'s' if len(unknown) > 1 else ''}: "
                f"{', '.join(f'“{shown_name(h)}”' for h in unknown)}. The columns are "
                f"those of the events export: {', '.join(COLUMNS)}."
            )
        if repeated := sorted({header for header in named if named.count(header) > 1}):
            raise ImportFileError(f"Columns named twice: {', '.join(repeated)}.")
        if missing := [column for column in REQUIRED if column not in headers]:
            raise ImportFileError(
                f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
                "Start from the events export (/events/export.csv) for the expected header."
            )
        original = [list(row) for row in dataset]
        # Rows left blank (a spreadsheet's trailing rows) are no events.
        kept = [i for i, row in enumerate(original) if any(cells.text(cell) for cell in row)]
        if not kept:
            raise ImportFileError("The file has a header but no rows.")
        if len(kept) > MAX_ROWS:
            raise ImportFileError(
                f"The file has {len(kept):,} rows; at most {MAX_ROWS:,} are imported at once. "
                "Split it into several files."
            )
        slugs, parents = [], []
        for i in kept:
            number = i + 2  # the spreadsheet's row: the header is row 1
            values = {
                name: cells.text(value, name)
                for name, value in zip(headers, original[i], strict=False)
                if name
            }
            try:
                slug = row_slug(values)
            except cells.CellError as error:
                column = "url" if values.get("url") else "start_date"
                self.problems.setdefault(number, []).append((column, str(error)))
                slug = ""
            if slug and slug in slugs:
                first = kept[slugs.index(slug)] + 2
                self.problems.setdefault(number, []).append(
                    ("url", f"Row {first} already imports the event “{slug}”.")
                )
            slugs.append(slug)
            try:
                parents.append(
                    cells.slug_from_url(values["parent"]) if values.get("parent") else ""
                )
            except cells.CellError:
                parents.append("")  # reported with the row
        self.file_slugs = {slug for slug in slugs if slug}
        order = parents_first(slugs, parents)  # positions in `kept`
        self.lines = [kept[n] + 2 for n in order]
        dataset.wipe()
        dataset.headers = [*[h or f"_{i}" for i, h in enumerate(headers)], "_key"]
        for n in order:
            dataset.append([*original[kept[n]], slugs[n]])
        self.fields["slug"].column_name = "_key"
        self.names = lookups()

    def after_import(self, dataset, result, **kwargs):
        """Nothing to do: ids given in the file moved PostgreSQL's sequence as they were
        written (bump_sequence), and the base class's reset could move it back below ids
        handed out meanwhile."""

    # ---- One row -------------------------------------------------------------------------

    def import_row(self, row, instance_loader, **kwargs):
        self.report = RowReport(line=self.lines[kwargs["row_number"] - 1])
        self.reading = Reading()
        row_result = super().import_row(row, instance_loader, **kwargs)
        report = self.report
        if row_result.validation_error is not None:
            report.add_validation_error(row_result.validation_error)
            report.action = "invalid"
        for error in row_result.errors:
            report.errors.append(("", str(error.error)))
            report.action = "error"
        if report.action not in ("invalid", "error"):
            report.action = {"skip": "unchanged"}.get(
                row_result.import_type, row_result.import_type
            )
        row_result.report = report
        return row_result

    def import_instance(self, instance, row, **kwargs):
        """Set the event's fields from the row and resolve its links; every problem with the
        column it is in, raised together as one ValidationError."""
        values = {
            name: cells.text(value, name) for name, value in row.items() if not name.startswith("_")
        }
        report, reading = self.report, self.reading
        errors = {}

        def problem(column, message):
            errors.setdefault(column or NON_FIELD_ERRORS, []).append(message)

        for column, message in self.problems.get(report.line, []):
            problem(column, message)
        new = instance._state.adding
        before = {f.attname: getattr(instance, f.attname) for f in Event._meta.concrete_fields}
        instance.slug = row["_key"]
        report.slug, report.title = instance.slug, values.get("title", "")

        for column, name in TEXT_FIELDS.items():
            if column in values:
                setattr(instance, name, values[column])
        if "title" in values and not values["title"]:
            problem("title", "Give the event's title.")
        if "type" in values:
            kind = cells.choice(Event.Type, values["type"])
            if kind is None:
                problem(
                    "type",
                    f"“{values['type']}” is not a type: write one of "
                    f"{cells.choice_words(Event.Type)}.",
                )
            else:
                instance.type = kind
        self._read_dates(instance, values, problem)
        for column in ("participants", "participant_countries"):
            if column in values:
                try:
                    count, minimum = cells.count(values[column])
                except cells.CellError as error:
                    problem(column, str(error))
                else:
                    setattr(instance, column, count)
                    setattr(instance, f"{column}_is_minimum", minimum)
        self._read_id(instance, values, new, problem)
        self._read_parent(instance, values, problem)
        self._read_links(values, problem)

        if errors:
            report.status = ""
            raise ValidationError(errors)
        self._decide_status(instance, new)
        changed_fields = [
            name
            for name, value in before.items()
            if getattr(instance, name) != value and name != "updated_at"
        ]
        reading.changed = new or bool(changed_fields) or self._links_changed(instance)

    def _read_dates(self, instance, values, problem):
        if not values.get("start_date"):
            problem("start_date", "Give the date the event started: 2012, 2012-07 or 2012-07-21.")
        else:
            try:
                instance.start_date, instance.date_precision = cells.date(
                    values["start_date"], values.get("date_precision", "")
                )
            except cells.CellError as error:
                problem("start_date", str(error))
        if "end_date" in values:
            if not values["end_date"]:
                instance.end_date, instance.end_date_precision = None, ""
            else:
                try:
                    instance.end_date, instance.end_date_precision = cells.date(values["end_date"])
                except cells.CellError as error:
                    problem("end_date", str(error))

    def _read_id(self, instance, values, new, problem):
        """An id in the file is kept for a new event when no other event has it (a catalogue
        restored from its export keeps its ids); an existing event keeps its own id."""
        if not values.get("id"):
            return
        try:
            wanted = int(values["id"])
        except ValueError:
            problem("id", f"“{values['id']}” is not an id: leave it empty for a new event.")
            return
        if not new:
            if wanted != instance.pk:
                self.report.notes.append(
                    f"The file gives id {wanted}; this event's id is {instance.pk} and stays."
                )
            return
        holder = Event.all_objects.filter(pk=wanted).only("slug").first()
        if holder is not None:
            self.report.notes.append(
                f"Id {wanted} belongs to “{holder.slug}”: this event gets a new id."
            )
            return
        instance.pk = wanted
        self.reading.explicit_id = wanted

    def _read_parent(self, instance, values, problem):
        if "parent" not in values:
            return
        if not values["parent"]:
            instance.parent = None
            return
        try:
            slug = cells.slug_from_url(values["parent"])
        except cells.CellError as error:
            problem("parent", str(error))
            return
        parent = Event.all_objects.filter(slug=slug).first()
        if parent is None:
            where = (
                "its row in this file has errors"
                if slug in self.file_slugs
                else "import it first, or in the same file"
            )
            problem("parent", f"No event “{slug}” in the catalogue: {where}.")
        else:
            instance.parent = parent

    # ---- Links ---------------------------------------------------------------------------

    def _find(self, kind, model, written, problem, column, *, create=False) -> Link | None:
        records, how = self.names[model].find(written)
        if len(records) > 1:
            names = ", ".join(f"“{getattr(r, 'slug', r)}”" for r in records[:5])
            problem(
                column,
                f"“{written}” may be any of {names}: write the one you mean by its "
                "key (the last part of its address).",
            )
            return None
        if records:
            return Link(kind, written, records[0], how)
        if not create:
            noun = {
                "country": "country is named or coded",
                "programme": "programme is named",
                "source": "source has the title or key",
            }[kind]
            problem(column, f"No {noun} “{written}”.")
            return None
        key = (model, written.casefold())
        if key not in self.candidates:  # asked once, before the import creates the record
            found = duplicates.candidates(model, [written], most=3)
            self.candidates[key] = [candidate.record for candidate in found]
        return Link(kind, written, None, "", candidates=self.candidates[key], is_new=True)

    def _with_role(self, item, choices, column, problem):
        name, detail = cells.details(item)
        role_words, _, rest = (detail or "").partition(", ")
        role = cells.choice(choices, role_words) if detail else None
        if role is None:
            problem(
                column,
                f"“{item}” needs its role in brackets: “name (role)”, the role one "
                f"of {cells.choice_words(choices)}.",
            )
            return None, None, ""
        return name, role, rest.strip()

    def _read_links(self, values, problem):
        reading, report = self.reading, self.report
        if "countries" in values or any(column in values for column in HOST_COLUMNS):
            reading.countries = []
            if "countries" in values:
                entries = []
                for item in cells.items(values["countries"]):
                    name, role, _ = self._with_role(item, EventCountry.Role, "countries", problem)
                    if name:
                        entries.append((name, role))
            else:  # hosts only, by code where the file gives codes
                column = "host_country_code" if values.get("host_country_code") else "host_country"
                entries = [
                    (name, EventCountry.Role.HOST) for name in cells.items(values.get(column, ""))
                ]
            for name, role in entries:
                link = self._find("country", Country, name, problem, "countries")
                if link:
                    link.role = role
                    self._add(reading.countries, link, (link.record.pk, role))
        if "organizations" in values:
            reading.organizations = []
            for item in cells.items(values["organizations"]):
                name, role, _ = self._with_role(
                    item, EventOrganization.Role, "organizations", problem
                )
                link = name and self._find(
                    "organization", Organization, name, problem, "organizations", create=True
                )
                if link:
                    link.role = role
                    self._add(reading.organizations, link, (identity(link), role))
        if "people" in values:
            reading.people = []
            for item in cells.items(values["people"]):
                name, role, title = self._with_role(item, EventPerson.Role, "people", problem)
                link = name and self._find("person", Person, name, problem, "people", create=True)
                if link:
                    link.role, link.detail = role, title
                    self._add(reading.people, link, (identity(link), role))
        if "programmes" in values:
            reading.programmes = []
            for item in cells.items(values["programmes"]):
                link = self._find("programme", Programme, item, problem, "programmes")
                if link:
                    self._add(reading.programmes, link, (link.record.pk,))
        if "sources" in values:
            reading.citations = []
            for item in self._citation_items(values["sources"]):
                link = self._read_citation(item, problem)
                if link:
                    self._add(reading.citations, link, (link.record.pk, link.detail))
        report.links = [
            link
            for links in (
                reading.countries,
                reading.organizations,
                reading.people,
                reading.programmes,
                reading.citations,
            )
            for link in links or []
        ]

    @staticmethod
    def _add(links: list, link: Link, key: tuple):
        """A link once: the same record in the same role twice is one link."""
        link.key = key
        if all(other.key != key for other in links):
            links.append(link)

    def _citation_items(self, value: str) -> list[str]:
        """Citations, "; " between them; a piece that does not start with a source (a locator
        holding "; ") belongs to the citation before it."""
        found = []
        for piece in cells.items(value):
            if found and not any(self._source_split(piece, whole=False)):
                found[-1] = f"{found[-1]}; {piece}"
            else:
                found.append(piece)
        return found

    def _source_split(self, item: str, whole=True):
        """(source, locator) where the item starts with a source's title or key and CITE."""
        start = 0
        while (at := item.find(CITE, start)) != -1:
            records, _ = self.names[Source].find(item[:at].strip())
            if len(records) == 1:
                return records[0], item[at + len(CITE) :].strip()
            start = at + 1
        return None, None

    def _read_citation(self, item: str, problem) -> Link | None:
        source, locator = self._source_split(item)
        if source is None:
            written = item.split(CITE)[0].strip()
            if CITE not in item:
                problem("sources", f"“{item}” needs a locator: “source title — ¶12”.")
            else:
                problem("sources", f"No source has the title or key “{written}”.")
            return None
        if not locator:
            problem("sources", f"“{item}” needs a locator after “—”: where the source says it.")
            return None
        return Link("source", item, source, "name", detail=locator)

    # ---- Status and changes --------------------------------------------------------------

    def _decide_status(self, instance, new):
        """New events are drafts, unless the editor chose to publish and the event cites a
        source; an existing event stays published while it cites one. A part of a draft
        stays a draft (its page would link to an unpublished event)."""
        reading, report = self.reading, self.report
        if reading.citations is not None:
            cites = bool(reading.citations)
        else:
            cites = not new and instance.citations.exists()
        wants = self.publish or (not new and instance.status == Event.Status.PUBLISHED)
        parent_draft = instance.parent is not None and (
            instance.parent.status != Event.Status.PUBLISHED
        )
        if wants and cites and not parent_draft:
            instance.status = Event.Status.PUBLISHED
        else:
            instance.status = Event.Status.DRAFT
            if wants and not cites:
                report.notes.append("Stays a draft: it cites no source.")
            elif wants:
                report.notes.append("Stays a draft: the event it is part of is a draft.")
        report.status = instance.get_status_display().lower()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """full_clean() without the check constraints' queries (a third of a row's time): the
        row's reading already keeps dates within the years, counts positive and an end
        precision with an end date; the one left, the end not before the start, is checked
        here with the constraint's own message. The database still enforces them all."""
        errors = dict(import_validation_errors or {})
        # A row without a key lacks the date its key is made of: that error says it.
        exclude = {*errors, "slug"} if errors and not instance.slug else set(errors)
        try:
            instance.full_clean(
                exclude=exclude, validate_unique=validate_unique, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        start, end = instance.start_date, instance.end_date
        if start and end and end < start and "end_date" not in errors:
            errors["end_date"] = [END_BEFORE_START.violation_error_message]
        if errors:
            raise ValidationError(errors)

    def _links_changed(self, instance) -> bool:
        reading = self.reading
        if any(link.is_new for link in self.report.links):
            return True
        checks = [
            (
                reading.countries,
                instance.country_links.values_list("country_id", "role"),
                lambda link: (link.record.pk, link.role),
            ),
            (
                reading.organizations,
                instance.organization_links.values_list("organization_id", "role"),
                lambda link: (link.record.pk, link.role),
            ),
            (
                reading.people,
                instance.person_links.values_list("person_id", "role", "title"),
                lambda link: (link.record.pk, link.role, link.detail),
            ),
            (
                reading.programmes,
                instance.programmes.values_list("pk"),
                lambda link: (link.record.pk,),
            ),
            (
                reading.citations,
                instance.citations.values_list("source_id", "locator"),
                lambda link: (link.record.pk, link.detail),
            ),
        ]
        return any(
            wanted is not None and set(existing) != {key(link) for link in wanted}
            for wanted, existing, key in checks
        )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An existing event the row leaves as it is is not saved again: a re-imported export
        writes no history for the events it does not change."""
        return not import_validation_errors and not self.reading.changed

    # ---- Writing -------------------------------------------------------------------------

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = kwargs.get("user")

    def after_save_instance(self, instance, row, **kwargs):
        if self.reading.explicit_id is not None:
            bump_sequence(Event, instance._state.db)

    def save_m2m(self, instance, row, **kwargs):
        """The event's links as the row gives them: links it lacks are added (in the file's
        order), links it no longer names are deleted, the others kept with their notes."""
        user = kwargs.get("user")
        reading = self.reading
        for link in self.report.links:
            if link.is_new:
                link.record = self._create(link, user)
        if reading.countries is not None:
            sync(
                instance.country_links.all(),
                [
                    EventCountry(event=instance, country=link.record, role=link.role)
                    for link in reading.countries
                ],
                ("country_id", "role"),
                user,
            )
        if reading.organizations is not None:
            sync(
                instance.organization_links.all(),
                [
                    EventOrganization(event=instance, organization=link.record, role=link.role)
                    for link in reading.organizations
                ],
                ("organization_id", "role"),
                user,
            )
        if reading.people is not None:
            sync(
                instance.person_links.all(),
                [
                    EventPerson(
                        event=instance, person=link.record, role=link.role, title=link.detail
                    )
                    for link in reading.people
                ],
                ("person_id", "role"),
                user,
                update=("title",),
            )
        if reading.citations is not None:
            sync(
                instance.citations.all(),
                [
                    EventCitation(event=instance, source=link.record, locator=link.detail)
                    for link in reading.citations
                ],
                ("source_id", "locator"),
                user,
            )
        if reading.programmes is not None:
            wanted = [link.record for link in reading.programmes]
            if {p.pk for p in instance.programmes.all()} != {p.pk for p in wanted}:
                instance._history_user = user
                instance.programmes.set(wanted)

    def _create(self, link: Link, user):
        """A new person or organization named by the file, once however many rows name it."""
        model = Person if link.kind == "person" else Organization
        key = (model, link.written.casefold())
        if key not in self.created:
            record = model(name=link.written, slug=free_slug(model, link.written))
            if model is Organization:
                record.kind = Organization.Kind.OTHER
            record.full_clean()
            record._history_user = user
            record.save()
            self.created[key] = record
        return self.created[key]


def identity(link: Link):
    """The record a link names, or for a record still to create, its name."""
    return link.record.pk if link.record is not None else link.written.casefold()


def parents_first(slugs: list[str], parents: list[str]) -> list[int]:
    """Row indexes in the file's order, except that a row whose parent is in the file comes
    after the parent's row. A cycle keeps the file's order (the database refuses it)."""
    index = {slug: i for i, slug in enumerate(slugs) if slug}
    placed, order = set(), []

    def place(i, seen):
        if i in placed or i in seen:
            return
        seen.add(i)
        parent = index.get(parents[i])
        if parent is not None:
            place(parent, seen)
        placed.add(i)
        order.append(i)

    for i in range(len(slugs)):
        place(i, set())
    return order


def sync(existing, wanted: list, key: tuple, user, update: tuple = ()):
    """Make the links in `existing` (a queryset) those in `wanted` (unsaved), matched by the
    fields in `key`: delete the others, add the missing, update the fields in `update`."""
    have = {tuple(getattr(link, name) for name in key): link for link in existing}
    keep = set()
    for link in wanted:
        link_key = tuple(getattr(link, name) for name in key)
        keep.add(link_key)
        current = have.get(link_key)
        if current is None:
            # Field limits only: the links are distinct and their records exist by
            # construction (Reading), and the queries checking that took half the import's
            # time; the database still enforces both.
            link.clean_fields(exclude=[f.name for f in link._meta.fields if f.is_relation])
            link._history_user = user
            link.save()
        elif any(getattr(current, name) != getattr(link, name) for name in update):
            for name in update:
                setattr(current, name, getattr(link, name))
            current._history_user = user
            current.save()
    for link_key, link in have.items():
        if link_key not in keep:
            link._history_user = user
            link.delete()


def free_slug(model, name: str) -> str:
    base = slugify(name)[:100].strip("-") or model._meta.model_name
    slug, n = base, 1
    while model._default_manager.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def bump_sequence(model, using: str):
    """After a row written with its own id: PostgreSQL's id sequence moved past it (never
    back), so the next event without an id does not get the same one. SQLite needs nothing
    (AUTOINCREMENT continues after the largest id)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(seq::regclass, GREATEST("
            f"(SELECT max(id) FROM {connection.ops.quote_name(table)}), "
            "COALESCE(pg_sequence_last_value(seq::regclass), 1))) "
            "FROM (SELECT pg_get_serial_sequence(%s, 'id') AS seq) AS s",
            [table],
        )
