"""Synthetic catalogue data at any scale, for load tests and page benchmarks.

`synthesize(events=N, seed=S)` adds N events and the records they need (sources,
organizations, people, programmes, and every kind of link and citation), the same rows for
the same seed. Every synthetic record has a slug starting with `syn-`, so curated records are
never touched and `clear_synthetic()` can remove exactly what was added.

Rows are generated as plain tuples in batches and written with COPY on PostgreSQL (1,000,000
events in a few minutes) or `bulk_create` elsewhere; nothing holds more than one batch, so
memory stays flat. Ids are assigned here, so links can point at records in the same batch;
the sequences are reset afterwards. These raw writes leave no history.
"""

import datetime
import random
import shutil
import tempfile
import time
from bisect import bisect
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from django.core.management.color import no_style
from django.db import connection, reset_queries, transaction
from django.db.models import Max
from django.utils import timezone

from . import counters, versions
from .models import (
    Country,
    Event,
    EventCitation,
    EventCountry,
    EventOrganization,
    EventPerson,
    Organization,
    OrganizationCitation,
    Person,
    PersonCitation,
    Programme,
    ProgrammeCitation,
    Source,
)
from .services import default_fixture_dir, load_catalogue
from .synthetic_vocabulary import (
    AREAS,
    AUDIENCES,
    CHILD_TYPES,
    CHINESE_FAMILY,
    CHINESE_GIVEN,
    CITIES,
    DOMAINS,
    ENTERPRISE_WORDS,
    EVENT_TYPES,
    FAMILY,
    GIVEN,
    INSTITUTION_WORDS,
    JUNIOR_TITLES,
    NGO_WORDS,
    ORG_KINDS,
    ORG_ROLES,
    PARTICIPANTS,
    PERSON_ROLES,
    PROGRAMME_KINDS,
    PROMINENT,
    PROVINCES,
    REGION_ADJECTIVES,
    REPORTS,
    SECTIONS,
    SECTORS,
    SENIOR_TITLES,
    TITLES,
    TOPICS,
    VENUES,
)

SLUG_PREFIX = "syn-"
FIRST_YEAR, LAST_YEAR = 1980, 2025
SYNTHETIC_NOTE = "Synthetic record made by `manage.py synthesize`; not a real document."

EventProgramme = Event.programmes.through
ProgrammeCountry = Programme.countries.through
ProgrammeLead = Programme.lead_organizations.through

# The column order of the tuples built below. Checked against the models before any write,
# so a model change stops the command with a message instead of writing shifted columns.
LAYOUTS = {
    Source: "id created_at updated_at slug title kind publisher author published_on "
    "date_note url file_name notes text",
    Organization: "id created_at updated_at aliases slug name acronym kind country_id "
    "parent_id description",
    OrganizationCitation: "id source_id locator note organization_id",
    Person: "id created_at updated_at aliases slug name native_name country_id description",
    PersonCitation: "id source_id locator note person_id",
    Programme: "id created_at updated_at aliases slug name acronym kind description "
    "start_year end_year parent_id",
    ProgrammeCitation: "id source_id locator note programme_id",
    ProgrammeCountry: "id programme_id country_id",
    ProgrammeLead: "id programme_id organization_id",
    Event: "id created_at updated_at slug title type start_date date_precision end_date "
    "end_date_precision city venue parent_id theme description participants "
    "participants_is_minimum participant_countries participant_countries_is_minimum "
    "editor_note status",
    EventCountry: "id event_id country_id role note",
    EventOrganization: "id event_id organization_id role note",
    EventPerson: "id event_id person_id role title organization_id note",
    EventProgramme: "id event_id programme_id",
    EventCitation: "id source_id locator note event_id",
}
# Records with a slug: synthetic ones are those whose slug has the prefix.
SLUGGED = [Source, Organization, Person, Programme, Event]


class SynthesisError(Exception):
    """The synthesis cannot run; nothing was written."""


@dataclass(frozen=True)
class Plan:
    """How many primary records N events need: supporting records grow with N, capped."""

    events: int

    @property
    def organizations(self) -> int:
        return min(20_000, max(50, self.events // 100)) if self.events else 0

    @property
    def people(self) -> int:
        return min(50_000, max(100, self.events // 50)) if self.events else 0

    @property
    def programmes(self) -> int:
        return min(2_000, max(20, self.events // 2000)) if self.events else 0


@dataclass
class SynthesisReport:
    created: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    countries_loaded: int = 0
    seconds: float = 0.0
    dry_run: bool = False

    def lines(self) -> list[str]:
        lines = [f"{label}: {count} deleted" for label, count in self.deleted.items() if count]
        if self.countries_loaded:
            lines.append(f"cooperation.Country: {self.countries_loaded} loaded from fixtures")
        lines += [f"{label}: {count} created" for label, count in self.created.items()]
        return lines


def synthetic_counts() -> Counter:
    return Counter(
        {
            model._meta.label: model.objects.filter(slug__startswith=SLUG_PREFIX).count()
            for model in SLUGGED
        }
    )


def synthesize(
    events: int,
    *,
    seed: int = 0,
    clear: bool = False,
    dry_run: bool = False,
    batch_size: int = 10_000,
    progress: Callable[[int], None] | None = None,
) -> SynthesisReport:
    """Add `events` synthetic events and what they need, in one transaction.

    Refuses to run while synthetic records exist, unless `clear` removes them first.
    A dry run generates every row, counts them and rolls everything back.
    """
    if events < 0:
        raise SynthesisError("The number of events cannot be negative.")
    _check_layouts()
    started = time.monotonic()
    report = SynthesisReport(dry_run=dry_run)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Ids are assigned here: keep other writers out until the commit.
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in LAYOUTS)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        existing = synthetic_counts()
        if existing.total() and not clear:
            found = ", ".join(f"{n} {label}" for label, n in existing.items() if n)
            raise SynthesisError(
                f"Synthetic records already exist ({found}). Run with --clear to replace them."
            )
        # The event counters' triggers would look up each row's links: recounted at the end.
        with counters.rebuilt_after(connection):
            if clear:
                report.deleted = clear_synthetic()
            report.countries_loaded = _ensure_countries()
            if events:
                write = _writer_for(dry_run)
                generator = _Generator(Plan(events), seed, batch_size)
                with _parent_checks_off():
                    for model, rows in generator.batches(progress):
                        write(model, rows)
                        report.created[model._meta.label] += len(rows)
                        reset_queries()  # with DEBUG on, Django keeps every statement's SQL
        if dry_run:
            transaction.set_rollback(True)
        else:
            if events:
                _after_load(list(LAYOUTS))
            if events or clear:  # written with COPY and raw DELETEs: no signals fired
                versions.bump()
    report.seconds = time.monotonic() - started
    return report


# The triggers that refuse a parent cycle (migration 0008), on PostgreSQL.
PARENT_TRIGGERS = {
    Event: "event_parent_not_in_cycle",
    Organization: "organization_parent_not_in_cycle",
    Programme: "programme_parent_not_in_cycle",
}


@contextmanager
def _parent_checks_off():
    """The cycle triggers off while synthetic rows are written, in this transaction only.

    Synthetic parents are one level deep by construction (a visit and its parts, a ministry
    and its departments), so there is no cycle to find. And the trigger's walk, planned for
    the few rows the table held before this transaction, read the whole growing table for
    every part of a visit: a million events took over 20 minutes instead of 9."""
    if connection.vendor != "postgresql":
        yield
        return
    statements = [
        f"ALTER TABLE {connection.ops.quote_name(model._meta.db_table)} {{}} TRIGGER {name}"
        for model, name in PARENT_TRIGGERS.items()
    ]
    with connection.cursor() as cursor:
        # A table with deferred checks pending (rows written earlier in this transaction)
        # cannot be altered: they run now rather than at the commit.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in statements:
            cursor.execute(statement.format("DISABLE"))
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the synthetic rows' checks
        for statement in statements:
            cursor.execute(statement.format("ENABLE"))
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def clear_synthetic() -> Counter:
    """Delete every record whose slug starts with `syn-`, and their links and citations.

    Plain DELETE statements: Django's collector would load every row (history signals
    are connected), which does not scale to a million events.
    """
    deleted = Counter()

    def delete(queryset):
        deleted[queryset.model._meta.label] += queryset._raw_delete(queryset.db)

    synthetic = {"slug__startswith": SLUG_PREFIX}
    for model in [EventCitation, EventCountry, EventOrganization, EventPerson]:
        delete(model.all_objects.filter(event__slug__startswith=SLUG_PREFIX))
    delete(EventProgramme.objects.filter(event__slug__startswith=SLUG_PREFIX))
    Event.all_objects.filter(**synthetic).exclude(parent=None).update(parent=None)
    delete(Event.all_objects.filter(**synthetic))
    for model in [ProgrammeCitation, ProgrammeCountry, ProgrammeLead]:
        delete(model.objects.filter(programme__slug__startswith=SLUG_PREFIX))
    Programme.objects.filter(**synthetic).exclude(parent=None).update(parent=None)
    delete(Programme.objects.filter(**synthetic))
    delete(PersonCitation.objects.filter(person__slug__startswith=SLUG_PREFIX))
    delete(Person.objects.filter(**synthetic))
    delete(OrganizationCitation.objects.filter(organization__slug__startswith=SLUG_PREFIX))
    Organization.objects.filter(**synthetic).exclude(parent=None).update(parent=None)
    delete(Organization.objects.filter(**synthetic))
    delete(Source.objects.filter(**synthetic))
    return deleted


def _check_layouts() -> None:
    for model, layout in LAYOUTS.items():
        actual = [f.attname for f in model._meta.concrete_fields]
        if actual != layout.split():
            raise SynthesisError(
                f"{model._meta.label} has the columns {actual}, but the synthesis writes "
                f"{layout.split()}: update LAYOUTS and the generator in cooperation/synthesis.py."
            )


def _ensure_countries() -> int:
    """Synthetic events need the ISO countries: load them from the fixture if none exist."""
    if Country.objects.exists():
        return 0
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(default_fixture_dir() / "countries.json", Path(folder) / "countries.json")
        load_catalogue(Path(folder))
    return Country.objects.count()


# --- Writers: each takes one batch of rows for one model. ---------------------------------


def _writer_for(dry_run: bool):
    if dry_run:
        return lambda model, rows: None
    return _copy_rows if connection.vendor == "postgresql" else _bulk_create_rows


def _bulk_create_rows(model, rows, chunk=2000):
    # Model instances weigh far more than tuples: build them a chunk at a time.
    for start in range(0, len(rows), chunk):
        model.objects.bulk_create([model(*row) for row in rows[start : start + chunk]])


def _copy_rows(model, rows):
    """COPY ... FROM STDIN through psycopg 3, on Django's connection and in its transaction."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
        write_row = copy.write_row
        for row in rows:
            write_row(row)


def _after_load(written) -> None:
    """Move the sequences past the ids given here (SQLite's follow by themselves), and
    refresh the planner's statistics so that pages can be measured on the new rows at once."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), written):
            cursor.execute(sql)
        for model in written:
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")


# --- Generation ----------------------------------------------------------------------------


def _zipf(count: int, exponent: float = 1.0) -> list[float]:
    """Cumulative Zipf weights for ranks 1..count."""
    return list(accumulate(1 / (rank**exponent) for rank in range(1, count + 1)))


class _Picker:
    """Draw from fixed weights with one random() and one bisect: the hot path of the loop."""

    def __init__(self, rng, items, cum_weights):
        self.items, self.cum, self.total, self.random = (
            items,
            cum_weights,
            cum_weights[-1],
            rng.random,
        )

    def __call__(self):
        return self.items[bisect(self.cum, self.random() * self.total)]


def _capitalized(words: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in words.split())


def _acronym(name: str) -> str:
    return "".join(w[0] for w in name.replace("-", " ").split() if w[0].isupper())[:10]


class _Generator:
    """Rows as tuples in LAYOUTS order, ids included.

    One random.Random drives every choice in a fixed order, so a seed gives the same rows.
    """

    def __init__(self, plan: Plan, seed: int, batch_size: int):
        self.plan, self.batch_size = plan, batch_size
        self.rng = rng = random.Random(seed)
        self.now = timezone.now()
        self.next_id = {
            model: (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1 for model in LAYOUTS
        }
        countries = Country.objects.values_list("id", "code", "name", "region")
        rank = {code: i for i, code in enumerate(PROMINENT)}
        countries = sorted(countries, key=lambda c: (rank.get(c[1], len(rank)), c[1]))
        self.country_ids = [pk for pk, _, _, _ in countries]
        self.id_of = {code: pk for pk, code, _, _ in countries}
        self.country_name = {pk: name for pk, _, name, _ in countries}
        self.region_of = {pk: region for pk, _, _, region in countries}
        self.china = self.id_of.get("CN")
        self.country = _Picker(rng, self.country_ids, _zipf(len(self.country_ids), 1.05))
        others = [pk for pk in self.country_ids if pk != self.china] or self.country_ids
        self.other_country = _Picker(rng, others, _zipf(len(others), 1.05))
        self.used_names = {
            model: set(model.objects.values_list("name", flat=True))
            for model in (Organization, Programme)
        }

    def batches(self, progress=None) -> Iterator[tuple[type, list[tuple]]]:
        yield from self._sources()
        yield from self._organizations()
        yield from self._people()
        yield from self._programmes()
        yield from self._events(progress)

    def _ids(self, model, count: int) -> range:
        first = self.next_id[model]
        self.next_id[model] = first + count
        return range(first, first + count)

    def _unique(self, model, name: str) -> str:
        """A name not yet used; the suffix consumes no randomness, so output stays stable."""
        used, candidate, n = self.used_names[model], name, 1
        while candidate in used:
            n += 1
            candidate = f"{name} ({n})"
        used.add(candidate)
        return candidate

    def _in_batches(self, model, rows):
        for start in range(0, len(rows), self.batch_size):
            yield model, rows[start : start + self.batch_size]

    def _citations_of(self, model, record_ids, heading):
        rng = self.rng
        rows = []
        for pk, record in zip(self._ids(model, len(record_ids)), record_ids, strict=True):
            book = self.yearbook[rng.randint(FIRST_YEAR, LAST_YEAR)]
            rows.append(
                (pk, book, f"Directory > {heading}, entry {rng.randint(1, 400)}", "", record)
            )
        return rows

    # --- Supporting records: a few thousand at most, written before the events. --------------

    def _sources(self):
        """One yearbook a year, plus a few collections of news and reports."""
        now, rows = self.now, []
        years = range(FIRST_YEAR, LAST_YEAR + 1)
        ids = iter(self._ids(Source, len(years) + len(REPORTS)))
        self.yearbook = {}
        for year in years:
            pk = self.yearbook[year] = next(ids)
            title = f"Yearbook of International Poverty Reduction Cooperation {year}"
            published = datetime.date(year + 1, 6, 1)
            rows.append(
                (pk, now, now, f"{SLUG_PREFIX}yearbook-{year}", title, "yearbook",
                 "Synthetic Yearbook Press", "", published, "", "", "", SYNTHETIC_NOTE, "")
            )  # fmt: skip
        self.reports = []
        for n, (kind, title) in enumerate(REPORTS, start=1):
            pk = next(ids)
            self.reports.append(pk)
            rows.append(
                (pk, now, now, f"{SLUG_PREFIX}source-{n}", title, kind, "", "", None,
                 "Collection, various dates", "", "", SYNTHETIC_NOTE, "")
            )  # fmt: skip
        yield Source, rows

    def _organizations(self):
        rng, now = self.rng, self.now
        kind = _Picker(rng, list(ORG_KINDS), list(accumulate(w for w, _ in ORG_KINDS.values())))
        ids = self._ids(Organization, self.plan.organizations)
        rows, by_country, ministries = [], {}, {}
        self.org_short = {}
        for n, pk in enumerate(ids, start=1):
            k = kind()
            country = self.country() if rng.random() < ORG_KINDS[k][1] else None
            name, parent = self._org_name(k, country), None
            if k == "government" and country in ministries and rng.random() < 0.15:
                parent = rng.choice(ministries[country])
                name = f"Department of {rng.choice(DOMAINS)}, {self.org_short[parent]}"
            elif k == "government":
                ministries.setdefault(country, []).append(pk)
            name = self._unique(Organization, name)
            acronym = _acronym(name) if rng.random() < 0.6 else ""
            aliases = ""
            if rng.random() < 0.2:
                aliases = f"{name.replace(' and ', ' & ')}\n{acronym or _acronym(name)}"
            where = self.country_name[country] if country else "several countries"
            description = f"A {Organization.Kind(k).label.lower()} working in {where}."
            rows.append(
                (pk, now, now, aliases, f"{SLUG_PREFIX}org-{n:05d}", name, acronym, k, country,
                 parent, description)
            )  # fmt: skip
            self.org_short[pk] = acronym or name
            by_country.setdefault(country, []).append(pk)
        yield from self._in_batches(Organization, rows)
        cites = self._citations_of(OrganizationCitation, ids, "Institutions")
        yield from self._in_batches(OrganizationCitation, cites)
        self.org = _Picker(rng, list(ids), _zipf(len(ids), 0.9))
        self.org_in = {
            country: _Picker(rng, pks, _zipf(len(pks), 0.9))
            for country, pks in by_country.items()
            if country is not None
        }

    def _org_name(self, kind, country) -> str:
        choice = self.rng.choice
        place, domain, area = self.country_name.get(country, ""), choice(DOMAINS), choice(AREAS)
        if kind == "government":
            return f"Ministry of {domain} of {place}"
        if kind == "local_government" and country == self.china:
            return f"{choice(PROVINCES)} Provincial Office of {domain}"
        if kind == "local_government":
            return f"{area} Region {domain} Office, {place}"
        if kind == "research":
            return f"{place} {choice(INSTITUTION_WORDS[:3])} of {domain} Studies".strip()
        if kind == "ngo":
            return f"{choice(NGO_WORDS)} {domain} Foundation {place}".strip()
        if kind == "enterprise":
            return f"{choice(ENTERPRISE_WORDS)} {choice(SECTORS)} Group ({place})"
        if kind == "media":
            return f"{place} {choice(['Daily', 'Times', 'Herald', 'Broadcasting'])}"
        if kind == "bilateral_agency":
            return f"{place} Agency for International {domain} Cooperation"
        if kind == "development_bank":
            return f"{area} Development Bank for {domain}"
        if kind == "un_agency":
            return f"United Nations {domain} Programme for {area} Areas"
        return f"{area} Commission on {domain} {place}".strip()

    def _people(self):
        rng, now, choice = self.rng, self.now, self.rng.choice
        ids = self._ids(Person, self.plan.people)
        rows, by_country = [], {}
        self.careers = {}
        for n, pk in enumerate(ids, start=1):
            country, aliases, native = self.country(), "", ""
            if country == self.china:
                family, family_zh = choice(CHINESE_FAMILY).split(":")
                given, given_zh = choice(CHINESE_GIVEN).split(":")
                name, native = f"{family} {given}", family_zh + given_zh
                if rng.random() < 0.3:
                    aliases = f"{given} {family}"
            else:
                region = self.region_of[country] if self.region_of[country] in GIVEN else "other"
                given, family = choice(GIVEN[region]), choice(FAMILY[region])
                name = f"{given} {family}"
                if rng.random() < 0.15:
                    aliases = f"{given[0]}. {family}"
            # The title held at an event depends on its date: junior before the pivot year.
            org = self.org_in.get(country, self.org)()
            short = self.org_short[org]
            junior, senior = choice(JUNIOR_TITLES), choice(SENIOR_TITLES)
            pivot = rng.randint(FIRST_YEAR, LAST_YEAR + 10)
            self.careers[pk] = (junior.format(org=short), senior.format(org=short), pivot, org)
            description = f"Served with {short}."
            if pivot <= LAST_YEAR:
                description = f"Served with {short}; {senior.format(org=short)} from {pivot}."
            rows.append(
                (pk, now, now, aliases, f"{SLUG_PREFIX}person-{n:05d}", name, native, country,
                 description)
            )  # fmt: skip
            by_country.setdefault(country, []).append(pk)
        yield from self._in_batches(Person, rows)
        cites = self._citations_of(PersonCitation, ids, "People")
        yield from self._in_batches(PersonCitation, cites)
        self.person = _Picker(rng, list(ids), _zipf(len(ids), 0.9))
        self.person_in = {c: _Picker(rng, p, _zipf(len(p), 0.9)) for c, p in by_country.items()}

    def _programmes(self):
        rng, now = self.rng, self.now
        kind = _Picker(rng, list(PROGRAMME_KINDS), list(accumulate(PROGRAMME_KINDS.values())))
        ids = self._ids(Programme, self.plan.programmes)
        rows, countries, leads = [], [], []
        for n, pk in enumerate(ids, start=1):
            k, topic = kind(), rng.choice(TOPICS)
            partner = self.country_name[self.other_country()]
            label = Programme.Kind(k).label.split(" or ")[0]
            name = self._unique(Programme, f"{partner} {_capitalized(f'{topic} {label}')}")
            acronym = _acronym(name) if rng.random() < 0.3 else ""
            aliases = f"{_capitalized(topic)} Programme in {partner}" if rng.random() < 0.2 else ""
            start = rng.randint(FIRST_YEAR, LAST_YEAR) if rng.random() < 0.9 else None
            end = start + rng.randint(0, 10) if start and rng.random() < 0.6 else None
            description = f"A {label.lower()} on {topic} with {partner}."
            rows.append(
                (pk, now, now, aliases, f"{SLUG_PREFIX}programme-{n:04d}", name, acronym, k,
                 description, start, end, None)
            )  # fmt: skip
            countries += [
                (pk, c) for c in sorted({self.country() for _ in range(rng.randint(1, 3))})
            ]
            leads.append((pk, self.org()))
        yield Programme, rows
        yield (
            ProgrammeCitation,
            self._citations_of(ProgrammeCitation, ids, "Programmes"),
        )
        for model, pairs in ((ProgrammeCountry, countries), (ProgrammeLead, leads)):
            ids_ = self._ids(model, len(pairs))
            yield model, [(i, *pair) for i, pair in zip(ids_, pairs, strict=True)]
        self.programme = _Picker(rng, list(ids), _zipf(len(ids), 0.8))

    # --- Events: the hot loop, a few microseconds and a few dozen random draws per event. ---

    def _events(self, progress):
        rng = self.rng
        self.day, self.month_start, self.year_start, self.days_in = _calendar()
        self.pick_type = _Picker(
            rng, list(EVENT_TYPES), list(accumulate(t[0] for t in EVENT_TYPES.values()))
        )
        self.pick_part_type = _Picker(
            rng, list(CHILD_TYPES), list(accumulate(CHILD_TYPES.values()))
        )
        years = list(range(FIRST_YEAR, LAST_YEAR + 1))
        # Cooperation grows over the decades; fewer events in the pandemic years.
        weights = [(1 + y - FIRST_YEAR) ** 1.3 * (0.4 if y in (2020, 2021) else 1) for y in years]
        self.pick_year = _Picker(rng, years, list(accumulate(weights)))
        self.cities = {
            self.id_of[code]: [city.replace("_", " ") for city in names.split()]
            for code, names in CITIES.items()
            if code in self.id_of
        }
        self.visits = deque(maxlen=500)  # recent visits, at day precision, that can have parts
        self.end = self.year_start[LAST_YEAR + 1]
        total, size = self.plan.events, self.batch_size
        tables = (Event, EventCountry, EventOrganization, EventPerson, EventProgramme)
        for first in range(0, total, size):
            self.out = {model: [] for model in (*tables, EventCitation)}
            for n in range(first + 1, min(total, first + size) + 1):
                self._event(n)
            yield from self.out.items()
            if progress:
                progress(min(total, first + size))

    def _add(self, model, *values):
        pk = self.next_id[model]
        self.next_id[model] = pk + 1
        self.out[model].append((pk, *values))

    def _event(self, n):
        random, choice = self.rng.random, self.rng.choice
        eid = self.next_id[Event]
        if self.visits and random() < 0.105:
            parent, start, end, hosts, guests, city = self._part_of_visit()
            kind, precision = self.pick_part_type(), "day"
        else:
            parent, kind = None, self.pick_type()
            precision, start, end = self._dates(kind)
            hosts, guests = self._countries(kind)
            city = choice(self.cities[hosts[0]]) if hosts[0] in self.cities else ""
            # Parts start within their visit: only visits that end by LAST_YEAR can have any.
            if kind == "visit" and precision == "day" and end is not None and end < self.end:
                self.visits.append((eid, start, end, hosts, guests, city))
        start_date = self.day[start]
        topic = choice(TOPICS)
        title, description = self._texts(kind, topic, hosts[0], guests)
        venue = f"{city} {choice(VENUES)}" if city and random() < 0.25 else ""
        note = "Day inferred from the order of items in the source." if random() < 0.02 else ""
        self._add(
            Event, self.now, self.now, f"{SLUG_PREFIX}{n:07d}-{kind.replace('_', '-')}", title,
            kind, start_date, precision, None if end is None else self.day[end],
            "" if end is None else precision, city, venue, parent,
            topic if random() < 0.8 else "", description, *self._counts(kind, guests), note,
            Event.Status.PUBLISHED,
        )  # fmt: skip
        self._country_links(eid, hosts, guests)
        self._organization_links(eid, hosts, guests)
        self._person_links(eid, kind, start_date.year, hosts, guests)
        self._programme_links(eid)
        year = min(start_date.year, LAST_YEAR)
        section = SECTIONS[int(random() * len(SECTIONS))]
        locator = f"{section}, item {self.rng.randint(1, 500)}"
        self._add(EventCitation, self.yearbook[year], locator, "", eid)
        if random() < 0.35:
            locator = f"¶{self.rng.randint(1, 60)}"
            self._add(EventCitation, choice(self.reports), locator, "", eid)

    def _part_of_visit(self):
        """A part of a recent visit: same countries and city, dates within the visit's."""
        random = self.rng.random
        parent, first, last, hosts, guests, city = self.visits[int(random() * len(self.visits))]
        start = first + int(random() * (last - first + 1))
        end = start + int(random() * (last - start + 1)) if random() < 0.25 else start
        return parent, start, (end if end > start else None), hosts, guests, city

    def _dates(self, kind):
        """Precision, start and end (or None) as indexes into the calendar."""
        random, randint = self.rng.random, self.rng.randint
        _, end_share, (shortest, longest) = EVENT_TYPES[kind]
        year, r, has_end = self.pick_year(), random(), random() < end_share
        if r < 0.7:
            start = self.year_start[year] + int(random() * self.days_in[year])
            end = start + randint(shortest, longest) - 1 if has_end else start
            return "day", start, (end if end > start else None)
        if r < 0.9:  # month precision: stored on the 1st
            month = year * 12 + int(random() * 12)
            end = self.month_start[month + randint(1, 3)] if has_end else None
            return "month", self.month_start[month], end
        end = self.year_start[year + randint(1, 3)] if has_end else None  # on 1 January
        return "year", self.year_start[year], end

    def _countries(self, kind):
        """Hosts and participants: China often hosts trainings and often takes part."""
        random, china, country = self.rng.random, self.china, self.country
        if china and random() < (0.45 if kind in ("training", "seminar") else 0.2):
            count = (1, 1, 1, 2, 2, 3, 4, 6)[int(random() * 8)]
            guests = {self.other_country() for _ in range(count)} - {china}
            return (china,), tuple(sorted(guests))
        hosts = (self.other_country(),)
        if random() < 0.05:
            hosts = tuple(sorted({hosts[0], country()}))
        guests = {china} if china and china not in hosts and random() < 0.75 else set()
        for _ in range((0, 0, 1, 1, 2)[int(random() * 5)]):
            guests.add(country())
        return hosts, tuple(sorted(guests - set(hosts)))

    def _counts(self, kind, guests):
        """Participants and participating countries: often unknown, sometimes lower bounds."""
        random, randint = self.rng.random, self.rng.randint
        participants, at_least, countries, countries_at_least = None, False, None, False
        span = PARTICIPANTS.get(kind)
        if span and random() < 0.7:
            participants = randint(*span)
            if random() < 0.15:  # "over 120"
                participants, at_least = max(10, participants // 10 * 10), True
        if len(guests) > 1 and random() < 0.6:
            countries, countries_at_least = len(guests) + randint(0, 20), random() < 0.2
        return participants, at_least, countries, countries_at_least

    def _country_links(self, eid, hosts, guests):
        random, add = self.rng.random, self._add
        for pk in hosts:
            add(EventCountry, eid, pk, "host", "")
        for pk in guests:
            add(EventCountry, eid, pk, "participant", "")
        if random() < 0.1:
            add(
                EventCountry, eid, hosts[0] if random() < 0.7 else self.country(), "beneficiary", ""
            )
        if random() < 0.05:
            partner = self.country()
            if partner not in hosts:
                add(EventCountry, eid, partner, "partner", "")

    def _organization_links(self, eid, hosts, guests):
        random, org, org_in = self.rng.random, self.org, self.org_in
        organizer = org_in[hosts[0]]() if hosts[0] in org_in and random() < 0.6 else org()
        self._add(EventOrganization, eid, organizer, "organizer", "")
        if random() < 0.45:
            other = org_in[guests[0]]() if guests and guests[0] in org_in else org()
            if other != organizer:
                role = self.rng.choice(ORG_ROLES)
                self._add(EventOrganization, eid, other, role, "")
        if random() < 0.12:
            other = org()
            if other != organizer:
                self._add(EventOrganization, eid, other, "supporter", "")

    def _person_links(self, eid, kind, year, hosts, guests):
        random, choice = self.rng.random, self.rng.choice
        roles, seen = PERSON_ROLES[kind], set()
        for _ in range((0, 1, 1, 1, 2, 2, 3)[int(random() * 7)]):
            side = hosts[0] if random() < 0.5 or not guests else choice(guests)
            pk = self.person_in[side]() if side in self.person_in else self.person()
            if pk not in seen:
                seen.add(pk)
                junior, senior, pivot, org = self.careers[pk]
                title = senior if year >= pivot else junior
                affiliation = org if random() < 0.8 else None
                self._add(EventPerson, eid, pk, choice(roles), title, affiliation, "")

    def _programme_links(self, eid):
        r = self.rng.random()
        if r < 0.4:
            first = self.programme()
            self._add(EventProgramme, eid, first)
            if r < 0.1:
                second = self.programme()
                if second != first:
                    self._add(EventProgramme, eid, second)

    def _texts(self, kind, topic, host, guests):
        """A title and a description from word lists, so that free-text search finds words."""
        choice, name_of = self.rng.choice, self.country_name
        host = name_of[host]
        guest = name_of[guests[0]] if guests else "partner countries"
        if len(guests) > 2:
            guest = f"{REGION_ADJECTIVES.get(self.region_of[guests[-1]], 'developing')} countries"
        audience = choice(AUDIENCES)
        title = choice(TITLES[kind]).format(topic=topic, host=host, guest=guest, audience=audience)
        description = (
            f"{title[0].upper()}{title[1:]}. The programme covered {topic} and "
            f"{choice(TOPICS)}, with {audience} from {guest}."
        )
        return title, description


def _calendar():
    """Dates as indexes into one list, so the loop adds integers instead of building dates."""
    first = datetime.date(FIRST_YEAR, 1, 1).toordinal()
    last = datetime.date(LAST_YEAR + 5, 12, 31).toordinal()
    day = [datetime.date.fromordinal(o) for o in range(first, last + 1)]
    year_start = {
        y: datetime.date(y, 1, 1).toordinal() - first for y in range(FIRST_YEAR, LAST_YEAR + 6)
    }
    days_in = {y: year_start[y + 1] - year_start[y] for y in range(FIRST_YEAR, LAST_YEAR + 5)}
    month_start = {
        y * 12 + m: datetime.date(y, m + 1, 1).toordinal() - first
        for y in range(FIRST_YEAR, LAST_YEAR + 5)
        for m in range(12)
    }
    return day, month_start, year_start, days_in
