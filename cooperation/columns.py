"""The export columns of every list, declared once.

A column knows its name, what it means (docs/csv.md is checked against it), how its value is
computed in Python (the CSV and JSON writers) and, for the events list, in SQL (PostgreSQL
writes that CSV itself with COPY). Formatting shared by both writers lives here too, built
from one source each: ISO dates at their precision, "over N", role words from the models'
choices, "; " between several values, and neutralised spreadsheet formulas.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q

from .models import (
    Event,
    EventCitation,
    EventCountry,
    EventOrganization,
    EventPerson,
    iso_date,
)
from .models.events import count_events

SEPARATOR = "; "
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BASE = "%(base)s"  # in SQL: the site's address, "https://example.org"

# Kinds of cell: how both writers turn a value into CSV text.
INT = "int"  # a number, never empty
TEXT = "text"  # text that a spreadsheet might run as a formula: neutralised
PLAIN = "plain"  # text the catalogue itself makes (codes, dates, labels, its own URLs)
LIST = "list"  # several texts, "; " between them in CSV, an array in JSON
COUNT = "count"  # a stated count: "120", "over 120" (JSON: {"value", "is_minimum"})
CODES = "codes"  # several codes, "; " between them in CSV, an array in JSON; never formulas


@dataclass(frozen=True)
class Links:
    """Records linked to each event: fetched per batch of events for the Python writer, and
    aggregated per event in one pass over the link table for the SQL writer.

    `fields` maps the names a column's Python value reads to ORM lookups on `model`;
    `order` is the order those rows arrive in (the database's collation decides, for both
    writers). `sql_from` joins the link table (alias `alias`, which has `event_id`) to what
    the columns' SQL aggregates read.
    """

    name: str
    model: object
    fields: dict
    order: tuple
    sql_from: str
    alias: str

    def rows_for(self, ids) -> dict:
        """{event id: [ {field: value} ]} for the events in `ids`, in `order`."""
        names = list(self.fields)
        grouped = {}
        rows = (
            self.model.objects.filter(event_id__in=ids)
            .order_by(*self.order)
            .values_list("event_id", *self.fields.values())
        )
        for event_id, *values in rows:
            grouped.setdefault(event_id, []).append(dict(zip(names, values, strict=True)))
        return grouped


@dataclass(frozen=True)
class Column:
    """One export column. `value(row)` reads `row` (the `fields` of the record, each link set
    as a list under its name, and "base", the site's address); `sql` is the same cell as a
    PostgreSQL expression over `e` (the event), any `join`, or, with `links`, an aggregate
    over the linked rows of one event."""

    name: str
    doc: str
    value: Callable[[dict], object]
    kind: str = TEXT
    fields: tuple[str, ...] = ()
    sql: str = ""
    links: Links | None = None
    join: str = ""
    annotations: dict = field(default_factory=dict)


# ---- Choosing columns (`fields=`) ----------------------------------------------------------

MAX_NAMES_SHOWN = 5  # unknown names quoted in an error; a long list ends with "and N more"


class UnknownColumns(ValueError):
    """`fields=` named columns (or API fields) the list does not have. The message names them
    and lists the valid names, without the parameter's name (the caller says which parameter
    it read)."""

    def __init__(self, unknown: list[str], valid: list[str], noun: str = "column"):
        self.unknown = unknown
        self.valid = list(valid)
        shown = ", ".join(f"“{shown_name(name)}”" for name in unknown[:MAX_NAMES_SHOWN])
        if len(unknown) > MAX_NAMES_SHOWN:
            shown += f" and {len(unknown) - MAX_NAMES_SHOWN} more"
        verb = f"is not a {noun}" if len(unknown) == 1 else f"are not {noun}s"
        super().__init__(f"{shown} {verb} of this list; its {noun}s are {', '.join(self.valid)}.")


def shown_name(name: str) -> str:
    """A name as an error quotes it: short, and without control characters."""
    shown = "".join(char if char.isprintable() else "\ufffd" for char in name[:40])
    return shown + ("…" if len(name) > 40 else "")


def choose(valid: list[str], raw_values, noun: str = "column") -> list[str] | None:
    """The names `fields=` chooses among `valid`, in the order given, each once; None when it
    names none (every one, then).

    `raw_values` are the parameter's values as the query string has them (a QueryDict's
    `getlist("fields")`): names separated by commas, the parameter repeated, or both; names in
    any case, blanks ignored. Raises UnknownColumns. Every export and the API read their
    `fields=` through this one function.
    """
    if isinstance(raw_values, str):  # one value, not its characters
        raw_values = [raw_values]
    names = [
        name.strip().lower() for value in raw_values for name in value.split(",") if name.strip()
    ]
    if not names:
        return None
    names = list(dict.fromkeys(names))
    unknown = [name for name in names if name not in valid]
    if unknown:
        raise UnknownColumns(unknown, valid, noun)
    return names


def choose_columns(columns: list[Column], raw_values) -> list[Column]:
    """The columns `fields=` chooses (see choose), every column when it names none."""
    by_name = {column.name: column for column in columns}
    chosen = choose(list(by_name), raw_values)
    return list(columns) if chosen is None else [by_name[name] for name in chosen]


# ---- Shared formatting, in Python and in SQL -------------------------------------------


def neutralise(value):
    """A cell a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def sql_neutralise(expression: str) -> str:
    starts = ", ".join(
        sql_literal(prefix) if prefix.isprintable() else {"\t": "E'\\t'", "\r": "E'\\r'"}[prefix]
        for prefix in FORMULA_PREFIXES
    )
    return (
        f"(CASE WHEN left({expression}, 1) IN ({starts}) THEN '''' || {expression} "
        f"ELSE {expression} END)"
    )


def sql_literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def stated(value: int | None, is_minimum: bool):
    """A count as the source states it: None, or (value, is it a lower bound)."""
    return None if value is None else (value, bool(is_minimum))


def stated_text(count) -> str:
    if count is None:
        return ""
    value, is_minimum = count
    return f"over {value}" if is_minimum else str(value)


def sql_stated(value: str, is_minimum: str) -> str:
    return (
        f"(CASE WHEN {value} IS NULL THEN '' WHEN {is_minimum} THEN 'over ' || {value} "
        f"ELSE {value}::text END)"
    )


def sql_iso_date(date_column: str, precision_column: str) -> str:
    return (
        f"(CASE WHEN {date_column} IS NULL THEN '' "
        f"WHEN {precision_column} = 'year' THEN to_char({date_column}, 'YYYY') "
        f"WHEN {precision_column} = 'month' THEN to_char({date_column}, 'YYYY-MM') "
        f"ELSE to_char({date_column}, 'YYYY-MM-DD') END)"
    )


def label(choices, value, *, lower=False) -> str:
    """A choice's words; a value no longer among the choices reads as itself."""
    words = str(words_of(choices).get(value, value))
    return words.lower() if lower else words


@functools.cache
def words_of(choices) -> dict:
    """{value: words} of a choices class, made once: building it for each label was a tenth
    of the API's 200-event page (4,400 lookups of enum members per request)."""
    return dict(choices.choices)


def sql_label(column: str, choices, *, lower=False) -> str:
    whens = " ".join(
        f"WHEN {sql_literal(value)} THEN {sql_literal(label(choices, value, lower=lower))}"
        for value in choices.values
    )
    return f"(CASE {column} {whens} ELSE {column} END)"


def with_details(name: str, *details: str) -> str:
    details = [detail for detail in details if detail]
    return f"{name} ({', '.join(details)})" if details else name


def record_url(base: str, prefix: str, key: str | None) -> str:
    return f"{base}/{prefix}/{key}/" if key else ""


def sql_record_url(prefix: str, key: str) -> str:
    return f"(CASE WHEN {key} IS NULL THEN '' ELSE {BASE} || '/{prefix}/' || {key} || '/' END)"


# ---- Events -------------------------------------------------------------------------------

COUNTRIES = Links(
    "countries",
    EventCountry,
    {"name": "country__name", "code": "country__code", "role": "role"},
    order=("role", "country__name", "pk"),
    sql_from="cooperation_eventcountry ec JOIN cooperation_country co ON co.id = ec.country_id",
    alias="ec",
)
PROGRAMMES = Links(
    "programmes",
    Event.programmes.through,
    {"name": "programme__name"},
    order=("programme__name", "pk"),
    sql_from="cooperation_event_programmes ep "
    "JOIN cooperation_programme pr ON pr.id = ep.programme_id",
    alias="ep",
)
ORGANIZATIONS = Links(
    "organizations",
    EventOrganization,
    {"name": "organization__name", "role": "role"},
    order=("role", "organization__name", "pk"),
    sql_from="cooperation_eventorganization eo "
    "JOIN cooperation_organization org ON org.id = eo.organization_id",
    alias="eo",
)
PEOPLE = Links(
    "people",
    EventPerson,
    {"name": "person__name", "role": "role", "title": "title"},
    order=("pk",),
    sql_from="cooperation_eventperson epe JOIN cooperation_person per ON per.id = epe.person_id",
    alias="epe",
)
CITATIONS = Links(
    "citations",
    EventCitation,
    {"source": "source__title", "locator": "locator"},
    order=("source__title", "pk"),
    sql_from="cooperation_eventcitation ci JOIN cooperation_source so ON so.id = ci.source_id",
    alias="ci",
)


def hosts(row) -> list[dict]:
    return [link for link in row["countries"] if link["role"] == EventCountry.Role.HOST]


EVENT_COLUMNS = [
    Column("id", "the catalogue's stable id of the event", lambda r: r["id"], INT,
           fields=("id",), sql="e.id"),
    Column("url", "the event's page", lambda r: record_url(r["base"], "events", r["slug"]),
           PLAIN, fields=("slug",), sql=sql_record_url("events", "e.slug")),
    Column("title", "the event's title, as the source names it", lambda r: r["title"],
           fields=("title",), sql="e.title"),
    Column("type", 'the event type, in words ("Training", "Visit or delegation")',
           lambda r: label(Event.Type, r["type"]), PLAIN, fields=("type",),
           sql=sql_label("e.type", Event.Type)),
    Column("start_date", "ISO 8601 at its precision: `2012`, `2012-07` or `2012-07-21`",
           lambda r: iso_date(r["start_date"], r["date_precision"]), PLAIN,
           fields=("start_date", "date_precision"),
           sql=sql_iso_date("e.start_date", "e.date_precision")),
    Column("end_date", "the same, empty for a single day, month or year",
           lambda r: iso_date(r["end_date"], r["end_date_precision"]) if r["end_date"] else "",
           PLAIN, fields=("end_date", "end_date_precision"),
           sql=sql_iso_date("e.end_date", "e.end_date_precision")),
    Column("date_precision", "`day`, `month` or `year`: how precisely the sources place the start",
           lambda r: r["date_precision"], PLAIN, fields=("date_precision",),
           sql="e.date_precision"),
    Column("city", "city or town, normalised", lambda r: r["city"], fields=("city",),
           sql="e.city"),
    Column("host_country", "the country or countries where it took place",
           lambda r: [link["name"] for link in hosts(r)], LIST, links=COUNTRIES,
           sql="string_agg(co.name, '; ' ORDER BY co.name) FILTER (WHERE ec.role = 'host')"),
    Column("host_country_code", "their ISO alpha-2 codes, in the same order",
           lambda r: [link["code"] for link in hosts(r)], CODES, links=COUNTRIES,
           sql="string_agg(co.code, '; ' ORDER BY co.name) FILTER (WHERE ec.role = 'host')"),
    Column("countries",
           "every linked country with its role: `Tanzania (host); China (participant)`",
           lambda r: [with_details(link["name"], label(EventCountry.Role, link["role"], lower=True))
                      for link in r["countries"]],
           LIST, links=COUNTRIES,
           sql="string_agg(co.name || ' (' || "
               f"{sql_label('ec.role', EventCountry.Role, lower=True)} || ')', '; ' "
               "ORDER BY ec.role, co.name, ec.id)"),
    Column("country_codes", "every linked country's ISO alpha-2 code, sorted, each once",
           lambda r: sorted({link["code"] for link in r["countries"]}), CODES, links=COUNTRIES,
           sql="string_agg(DISTINCT co.code, '; ' ORDER BY co.code)"),
    Column("programmes", "programmes the event belongs to",
           lambda r: [link["name"] for link in r["programmes"]], LIST, links=PROGRAMMES,
           sql="string_agg(pr.name, '; ' ORDER BY pr.name, ep.id)"),
    Column("organizations", "organizations with their role: `IPRCC … (organizer)`",
           lambda r: [
               with_details(link["name"], label(EventOrganization.Role, link["role"], lower=True))
               for link in r["organizations"]],
           LIST, links=ORGANIZATIONS,
           sql="string_agg(org.name || ' (' || "
               f"{sql_label('eo.role', EventOrganization.Role, lower=True)} || ')', '; ' "
               "ORDER BY eo.role, org.name, eo.id)"),
    Column("people",
           "people with their role and the title they held at the time: "
           "`Fan Xiaojian (head of delegation, Minister of LGOP)`",
           lambda r: [
               with_details(link["name"], label(EventPerson.Role, link["role"], lower=True),
                            link["title"])
               for link in r["people"]],
           LIST, links=PEOPLE,
           sql="string_agg(per.name || ' (' || "
               f"{sql_label('epe.role', EventPerson.Role, lower=True)} "
               "|| CASE WHEN epe.title <> '' THEN ', ' || epe.title ELSE '' END || ')', '; ' "
               "ORDER BY epe.id)"),
    Column("participants",
           "the number of participants as the source states it; `over 120` where the source "
           "gives a lower bound",
           lambda r: stated(r["participants"], r["participants_is_minimum"]), COUNT,
           fields=("participants", "participants_is_minimum"),
           sql=sql_stated("e.participants", "e.participants_is_minimum")),
    Column("participant_countries",
           "the number of participating countries as stated, with `over` for a lower bound",
           lambda r: stated(r["participant_countries"], r["participant_countries_is_minimum"]),
           COUNT, fields=("participant_countries", "participant_countries_is_minimum"),
           sql=sql_stated("e.participant_countries", "e.participant_countries_is_minimum")),
    Column("description", "one to three sentences in the editors' words",
           lambda r: r["description"], fields=("description",), sql="e.description"),
    Column("sources", "each citation: `source title — locator`",
           lambda r: [f"{link['source']} — {link['locator']}" for link in r["citations"]],
           LIST, links=CITATIONS,
           sql="string_agg(so.title || ' — ' || ci.locator, '; ' ORDER BY so.title, ci.id)"),
    Column("note",
           "the editors' note: inferred dates, evident source errors kept as given, counts that "
           "disagree with the source's own list",
           lambda r: r["editor_note"], fields=("editor_note",), sql="e.editor_note"),
    Column("parent", "the page of the trip or larger event this one is part of",
           lambda r: record_url(r["base"], "events", r["parent__slug"]), PLAIN,
           fields=("parent__slug",), sql=sql_record_url("events", "par.slug"),
           join="LEFT JOIN cooperation_event par ON par.id = e.parent_id"),
]  # fmt: skip


# ---- Other lists (Python writer only) ----------------------------------------------------


def text(name, doc, lookup=None, kind=TEXT) -> Column:
    lookup = lookup or name
    return Column(name, doc, lambda r: "" if r[lookup] is None else r[lookup], kind,
                  fields=(lookup,))  # fmt: skip


def url(prefix: str, key: str = "slug") -> Column:
    return Column("url", "the record's page", lambda r: record_url(r["base"], prefix, r[key]),
                  fields=(key,))  # fmt: skip


def aliases() -> Column:
    return Column(
        "aliases",
        "other spellings the sources use, `; ` between them",
        lambda r: (r["aliases"] or "").splitlines(),
        LIST,
        fields=("aliases",),
    )


def event_count(relation: str, doc="the number of events linked to the record") -> Column:
    return Column("events", doc, lambda r: r["event_count"], INT, fields=("event_count",),
                  annotations={"event_count": count_events(relation)})  # fmt: skip


COUNTRY_COLUMNS = [
    text("code", "ISO 3166-1 alpha-2 code"),
    text("alpha3", "ISO alpha-3 code"),
    text("numeric", "ISO numeric code"),
    text("name", "the name the catalogue uses"),
    text("official_name", "the official name"),
    text("region", "UN region"),
    text("subregion", "UN subregion"),
    Column("url", "the country's page",
           lambda r: record_url(r["base"], "countries", r["code"].lower()), fields=("code",)),
    Column("events_hosted", "events the country hosted", lambda r: r["events_hosted"], INT,
           fields=("events_hosted",),
           annotations={"events_hosted": count_events(
               "event_links__event", Q(event_links__role="host"))}),
    Column("events_taken_part", "events it took part in in any other role",
           lambda r: r["events_taken_part"], INT, fields=("events_taken_part",),
           annotations={"events_taken_part": count_events(
               "event_links__event", ~Q(event_links__role="host"))}),
    aliases(),
]  # fmt: skip

PROGRAMME_COLUMNS = [
    text("slug", "the programme's key, the last part of its address"),
    url("programmes"),
    text("name", "the programme's name"),
    text("acronym", "its acronym, if any"),
    text("kind", "series, fund, project…"),
    text("start_year", "the first year, if known"),
    text("end_year", "the last year, if known"),
    event_count("events"),
    text("description", "one or two sentences in the editors' words"),
    aliases(),
]
ORGANIZATION_COLUMNS = [
    text("slug", "the organization's key, the last part of its address"),
    url("organizations"),
    text("name", "the organization's name"),
    text("acronym", "its acronym, if any"),
    text("kind", "government body, agency, company…"),
    text("country", "the country where it is based", "country__name"),
    text("country_code", "that country's ISO alpha-2 code", "country__code"),
    text("parent", "the body it belongs to", "parent__name"),
    event_count("events"),
    text("description", "one or two sentences in the editors' words"),
    aliases(),
]
PERSON_COLUMNS = [
    text("slug", "the person's key, the last part of their address"),
    url("people"),
    text("name", "the name as commonly written in English"),
    text("native_name", "the name in the original script"),
    text("country", "the country they served or represented", "country__name"),
    text("country_code", "that country's ISO alpha-2 code", "country__code"),
    event_count("events"),
    text("description", "one or two sentences in the editors' words"),
    aliases(),
]
SOURCE_COLUMNS = [
    text("slug", "the source's key, the last part of its address"),
    url("sources"),
    text("title", "the document's title"),
    text("kind", "news article, transcript, yearbook chapter…"),
    text("publisher", "as the document gives it; empty when not stated"),
    text("author", "byline as given"),
    Column("published_on", "the date the document carries, `YYYY-MM-DD`",
           lambda r: r["published_on"].isoformat() if r["published_on"] else "",
           fields=("published_on",)),
    text("document_url", "where the document is published", "url"),
]  # fmt: skip

YEAR_COLUMNS = [
    Column("year", "the year", lambda r: r["year"], INT),
    Column("events", "the number of the chosen events under way at any time in that year",
           lambda r: r["events"], INT),
    Column("url", "the events list of those events", lambda r: f"{r['base']}/events/?{r['query']}"),
]  # fmt: skip
