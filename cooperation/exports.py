"""CSV and JSON exports of any filtered list, streamed.

Rows are read with values_list() in batches; each batch's links are fetched with one query
per kind of link, so memory stays flat and the number of queries grows with the number of
batches, never with the number of links.
"""

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import Count, Q

from .models import (
    Event,
    EventCitation,
    EventCountry,
    EventOrganization,
    EventPerson,
    iso_date,
)

BATCH_SIZE = 2000
SEPARATOR = "; "
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

EVENT_COLUMNS = [
    "id",
    "url",
    "title",
    "type",
    "start_date",
    "end_date",
    "date_precision",
    "city",
    "host_country",
    "host_country_code",
    "countries",
    "country_codes",
    "programmes",
    "organizations",
    "people",
    "participants",
    "participant_countries",
    "description",
    "sources",
]


def neutralise(value):
    """A cell a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a stream."""

    def write(self, value):
        return value


def csv_stream(columns: list[str], rows: Iterable[dict], *, bom: bool = False) -> Iterator[str]:
    writer = csv.writer(Echo())
    if bom:
        yield "\ufeff"
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([neutralise(row[column]) for column in columns])


def json_stream(rows: Iterable[dict]) -> Iterator[str]:
    """A JSON array, written one record at a time."""
    yield "["
    first = True
    for row in rows:
        yield ("\n" if first else ",\n") + json.dumps(row, ensure_ascii=False)
        first = False
    yield "\n]\n"


def batched(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _grouped(queryset, key: str, fields: tuple[str, ...]) -> dict:
    grouped = defaultdict(list)
    for row in queryset.values_list(key, *fields):
        grouped[row[0]].append(row[1:])
    return grouped


def _with_details(name: str, *details: str) -> str:
    details = [d for d in details if d]
    return f"{name} ({', '.join(details)})" if details else name


def event_rows(queryset, *, absolute_url, as_lists: bool = False) -> Iterator[dict]:
    """One dict per event, in the queryset's order. `absolute_url(path)` builds full URLs.

    For CSV several values share a cell, separated by "; "; `as_lists` keeps them as lists
    (for JSON).
    """
    role_labels = {
        "country": dict(EventCountry.Role.choices),
        "organization": dict(EventOrganization.Role.choices),
        "person": dict(EventPerson.Role.choices),
    }
    type_labels = dict(Event.Type.choices)
    fields = (
        "id", "slug", "title", "type", "start_date", "date_precision", "end_date",
        "end_date_precision", "city", "participants", "participants_is_minimum",
        "participant_countries", "participant_countries_is_minimum", "description",
    )  # fmt: skip
    join = (lambda values: values) if as_lists else SEPARATOR.join
    rows = queryset.values_list(*fields).iterator(chunk_size=BATCH_SIZE)
    for batch in batched(rows, BATCH_SIZE):
        ids = [row[0] for row in batch]
        countries = _grouped(
            EventCountry.objects.filter(event_id__in=ids).order_by("role", "country__name"),
            "event_id",
            ("country__name", "country__code", "role"),
        )
        organizations = _grouped(
            EventOrganization.objects.filter(event_id__in=ids).order_by(
                "role", "organization__name"
            ),
            "event_id",
            ("organization__name", "role"),
        )
        people = _grouped(
            EventPerson.objects.filter(event_id__in=ids).order_by("pk"),
            "event_id",
            ("person__name", "role", "title"),
        )
        programmes = _grouped(
            Event.programmes.through.objects.filter(event_id__in=ids).order_by("programme__name"),
            "event_id",
            ("programme__name",),
        )
        sources = _grouped(
            EventCitation.objects.filter(event_id__in=ids).order_by("source__title", "pk"),
            "event_id",
            ("source__title", "locator"),
        )
        for (
            pk, slug, title, kind, start, precision, end, end_precision, city, participants,
            participants_min, n_countries, n_countries_min, description,
        ) in batch:  # fmt: skip
            links = countries.get(pk, [])
            hosts = [(name, code) for name, code, role in links if role == "host"]
            yield {
                "id": pk,
                "url": absolute_url(f"/events/{slug}/"),
                "title": title,
                "type": type_labels.get(kind, kind),
                "start_date": iso_date(start, precision),
                "end_date": iso_date(end, end_precision) if end else "",
                "date_precision": precision,
                "city": city,
                "host_country": join([name for name, _ in hosts]),
                "host_country_code": join([code for _, code in hosts]),
                "countries": join(
                    [
                        _with_details(name, role_labels["country"][role].lower())
                        for name, _, role in links
                    ]
                ),
                "country_codes": join(sorted({code for _, code, _ in links})),
                "programmes": join([name for (name,) in programmes.get(pk, [])]),
                "organizations": join(
                    [
                        _with_details(name, role_labels["organization"][role].lower())
                        for name, role in organizations.get(pk, [])
                    ]
                ),
                "people": join(
                    [
                        _with_details(name, role_labels["person"][role].lower(), person_title)
                        for name, role, person_title in people.get(pk, [])
                    ]
                ),
                "participants": _count(participants, participants_min, as_lists),
                "participant_countries": _count(n_countries, n_countries_min, as_lists),
                "description": description,
                "sources": join(
                    [f"{source} — {locator}" for source, locator in sources.get(pk, [])]
                ),
            }


def _count(value, is_minimum, as_lists):
    """A stated count: "120" or "over 120" for a lower bound (JSON keeps the number)."""
    if value is None:
        return None if as_lists else ""
    if as_lists:
        return {"value": value, "is_minimum": is_minimum}
    return f"over {value}" if is_minimum else str(value)


# ---- Other lists --------------------------------------------------------------------------

COUNTRY_COLUMNS = [
    "code", "alpha3", "numeric", "name", "official_name", "region", "subregion", "url",
    "events_hosted", "events_taken_part", "aliases",
]  # fmt: skip


def with_event_counts(queryset):
    """Countries with how many events they hosted and took part in (any other role)."""
    return queryset.annotate(
        events_hosted=Count(
            "event_links__event", filter=Q(event_links__role="host"), distinct=True
        ),
        events_taken_part=Count(
            "event_links__event", filter=~Q(event_links__role="host"), distinct=True
        ),
    )


def country_rows(queryset, *, absolute_url) -> Iterator[dict]:
    for row in queryset.values(
        "code", "alpha3", "numeric", "name", "official_name", "region", "subregion",
        "events_hosted", "events_taken_part", "aliases",
    ).iterator(chunk_size=BATCH_SIZE):  # fmt: skip
        row["url"] = absolute_url(f"/countries/{row['code'].lower()}/")
        row["aliases"] = SEPARATOR.join(row["aliases"].splitlines())
        yield row


PROGRAMME_COLUMNS = [
    "slug", "url", "name", "acronym", "kind", "start_year", "end_year", "events",
    "description", "aliases",
]  # fmt: skip
ORGANIZATION_COLUMNS = [
    "slug", "url", "name", "acronym", "kind", "country", "country_code", "parent", "events",
    "description", "aliases",
]  # fmt: skip
PERSON_COLUMNS = [
    "slug", "url", "name", "native_name", "country", "country_code", "events", "description",
    "aliases",
]  # fmt: skip


def named_rows(queryset, columns: list[str], *, prefix: str, absolute_url) -> Iterator[dict]:
    """Programmes, organizations or people, with their event counts (annotated as `events`)."""
    lookups = {
        "country": "country__name",
        "country_code": "country__code",
        "parent": "parent__name",
        "events": "event_count",
    }
    fields = [lookups.get(column, column) for column in columns if column != "url"]
    for values in queryset.values_list(*fields).iterator(chunk_size=BATCH_SIZE):
        row = dict(zip([c for c in columns if c != "url"], values, strict=True))
        row["url"] = absolute_url(f"/{prefix}/{row['slug']}/")
        row["aliases"] = SEPARATOR.join((row["aliases"] or "").splitlines())
        yield {column: "" if row[column] is None else row[column] for column in columns}
