"""`fields=` on the exports: the chosen columns, in the order given, validated against the
list's declared columns (columns.choose_columns, which the API reads too)."""

import csv
import io
import json

import pytest
from django.http import QueryDict
from django.utils import timezone

from cooperation import exports, exports_sql, versions
from cooperation.columns import UnknownColumns, choose_columns
from cooperation.lists import LISTS

from .engines import postgresql_only
from .test_csv_export import HEADER

pytestmark = pytest.mark.django_db

EVENT_COLUMNS = LISTS["events"].columns


def body_of(response) -> str:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode("utf-8")


def header_of(response) -> str:
    return body_of(response).lstrip("\ufeff").splitlines()[0]


@pytest.fixture
def catalogue_version(db):
    """The version row (a flush or empty_catalogue removes it and the first read creates it
    again, in more queries): present before queries are counted."""
    return versions.current()


# ---- choose_columns -----------------------------------------------------------------------


def names(columns) -> list[str]:
    return [column.name for column in columns]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["title,id"], ["title", "id"]),
        (["title", "id,url"], ["title", "id", "url"]),  # repeated and comma-separated
        (["id,title,id", "title"], ["id", "title"]),  # each once, where it first appears
        ([" ID , Title "], ["id", "title"]),  # any case, spaces around names
        (["id,,title,"], ["id", "title"]),
        ("parent", ["parent"]),  # one string is one value, not its letters
    ],
)
def test_choose_columns_keeps_the_order_given_each_once(raw, expected):
    assert names(choose_columns(EVENT_COLUMNS, raw)) == expected


@pytest.mark.parametrize("raw", [[], [""], [" "], [",", " , "], ""])
def test_no_name_chooses_every_column(raw):
    assert choose_columns(EVENT_COLUMNS, raw) == EVENT_COLUMNS


def test_unknown_names_are_named_with_the_valid_ones():
    with pytest.raises(UnknownColumns) as raised:
        choose_columns(EVENT_COLUMNS, ["id,nope,title", "host"])
    message = str(raised.value)
    assert message.startswith("“nope”, “host” are not columns of this list; its columns are ")
    assert message.endswith(", ".join(names(EVENT_COLUMNS)) + ".")
    assert raised.value.unknown == ["nope", "host"]
    assert isinstance(raised.value, ValueError)  # what a caller without our types catches


def test_an_error_quotes_few_short_printable_names():
    with pytest.raises(UnknownColumns) as one:
        choose_columns(EVENT_COLUMNS, ["x" * 100])
    assert f"“{'x' * 40}…” is not a column" in str(one.value)
    with pytest.raises(UnknownColumns) as many:
        choose_columns(EVENT_COLUMNS, [",".join(f"c{n}" for n in range(12)) + ",a\x00b"])
    message = str(many.value)
    assert message.startswith("“c0”, “c1”, “c2”, “c3”, “c4” and 8 more are not columns")
    assert "\x00" not in str(UnknownColumns(["a\x00b"], [c.name for c in EVENT_COLUMNS]))


def test_every_list_chooses_among_its_own_columns():
    for catalogue_list in LISTS.values():
        last = catalogue_list.columns[-1].name
        assert names(catalogue_list.columns_for([last])) == [last]
        with pytest.raises(UnknownColumns):
            catalogue_list.columns_for(["no_such_column"])


# ---- The exports --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "header"),
    [
        ("fields=title,id,start_date", "title,id,start_date"),
        ("fields=title&fields=id,title", "title,id"),
        ("fields=Countries,ID", "countries,id"),
        ("fields=", HEADER),
        ("fields=,", HEADER),
        ("fields=parent&bom=1", "parent"),
    ],
)
def test_csv_has_the_chosen_columns_in_the_order_given(client, sample, query, header):
    assert header_of(client.get(f"/events/export.csv?{query}")) == header


def test_chosen_columns_hold_the_same_cells_as_in_the_full_file(client, sample):
    full = list(csv.DictReader(io.StringIO(body_of(client.get("/events/export.csv")))))
    chosen = ["people", "title", "host_country_code", "parent"]
    rows = list(
        csv.DictReader(
            io.StringIO(body_of(client.get("/events/export.csv", {"fields": ",".join(chosen)})))
        )
    )
    assert rows == [{name: row[name] for name in chosen} for row in full]
    assert any(row["people"] for row in rows) and any(row["parent"] for row in rows)


def test_json_has_the_chosen_keys_in_the_order_given(client, sample):
    response = client.get("/events/export.json", {"fields": "participants,host_countries"})
    records = json.loads(body_of(response))
    assert [list(record) for record in records] == [["participants", "host_countries"]] * 4
    assert {"value": 120, "is_minimum": True} in [record["participants"] for record in records]
    assert ["MZ", "TZ"] in [[c["code"] for c in r["host_countries"]] for r in records]


@pytest.mark.parametrize(
    ("url", "fields", "header"),
    [
        ("/years/export.csv", "url,year", "url,year"),
        ("/countries/export.csv?region=africa", "events_hosted,code", "events_hosted,code"),
        ("/people/export.csv", "name", "name"),
        ("/sources/export.csv", "document_url,slug", "document_url,slug"),
    ],
)
def test_every_list_exports_the_chosen_columns(client, sample, url, fields, header):
    separator = "&" if "?" in url else "?"
    assert header_of(client.get(f"{url}{separator}fields={fields}")) == header


def test_years_json_with_fields(client, sample):
    records = json.loads(body_of(client.get("/years/export.json", {"fields": "events,year"})))
    assert records == [{"events": 1, "year": 2013}, {"events": 3, "year": 2012}]


def test_the_file_name_does_not_change_with_fields(client, sample):
    today = timezone.localdate().isoformat()
    response = client.get("/events/export.csv", {"country": "tz", "fields": "id,title"})
    assert response["Content-Disposition"] == (
        f'attachment; filename="events-tanzania-{today}.csv"'
    )


@pytest.mark.parametrize("url", ["/events/export.csv", "/years/export.csv"])
def test_an_unknown_field_is_a_400_naming_it_and_the_valid_ones(client, sample, url):
    response = client.get(url, {"fields": "url,nope"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("Bad request: fields: “nope” is not a column of this list; ")
    columns = ", ".join(column.name for column in LISTS[url.split("/")[1]].columns)
    assert body == (
        f"Bad request: fields: “nope” is not a column of this list; its columns are {columns}.\n"
    )


def test_a_bad_filter_and_a_bad_field_are_both_named(client, sample):
    response = client.get("/events/export.csv", {"country": "zz", "fields": "nope"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "country: Select a valid choice" in body and "fields: “nope”" in body
    assert body.count("\n") == 1


def test_a_column_of_another_list_is_unknown(client, sample):
    response = client.get("/countries/export.csv", {"fields": "title"})
    assert response.status_code == 400
    assert "its columns are code, alpha3," in response.content.decode()


# ---- Only what the chosen columns need ----------------------------------------------------


def test_an_unknown_json_field_names_the_api_s_fields(client, sample):
    response = client.get("/events/export.json", {"fields": "url,host_country"})
    assert response.status_code == 400
    body = response.content.decode()
    assert body.startswith("Bad request: fields: “host_country” is not a field of this list; ")
    assert "host_countries" in body


def test_json_reads_only_the_chosen_fields_links(
    client, sample, catalogue_version, django_assert_num_queries
):
    # The catalogue version, the number of events (X-Record-Count), the events (with their
    # parent joined), then one query per kind of link chosen: countries serve both
    # host_countries and countries.
    with django_assert_num_queries(3):
        body_of(client.get("/events/export.json", {"fields": "id,title,parent"}))
    with django_assert_num_queries(5):
        body_of(client.get("/events/export.json", {"fields": "title,host_countries,people"}))
    with django_assert_num_queries(5):
        body_of(client.get("/events/export.json", {"fields": "countries,host_countries,people"}))
    with django_assert_num_queries(9):
        body_of(client.get("/events/export.json"))


def test_counts_are_computed_only_when_chosen(client, sample, catalogue_version):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def event_counts(captured):  # the record count (X-Record-Count) reads no event link
        return any("cooperation_eventcountry" in query["sql"] for query in captured)

    with CaptureQueriesContext(connection) as captured:
        body_of(client.get("/countries/export.csv", {"fields": "code,name"}))
    assert not event_counts(captured.captured_queries)
    with CaptureQueriesContext(connection) as captured:
        body_of(client.get("/countries/export.csv", {"fields": "code,events_hosted"}))
    assert event_counts(captured.captured_queries)


def test_sql_writer_joins_only_what_the_chosen_columns_read():
    key = LISTS["events"].filter(QueryDict()).sort().key
    link_tables = [
        "cooperation_eventcountry",
        "cooperation_event_programmes",
        "cooperation_eventorganization",
        "cooperation_eventperson",
        "cooperation_eventcitation",
    ]

    def tables(fields):
        sql = exports_sql.export_sql(LISTS["events"].columns_for([fields]), key)
        return [
            table for table in [*link_tables, "LEFT JOIN cooperation_event par"] if table in sql
        ]

    assert tables("id,title,start_date") == []
    assert tables("host_country,country_codes") == ["cooperation_eventcountry"]
    assert tables("people,parent") == ["cooperation_eventperson", "LEFT JOIN cooperation_event par"]
    assert tables("") == [*link_tables, "LEFT JOIN cooperation_event par"]


# ---- Both writers, byte for byte ----------------------------------------------------------


@postgresql_only("COPY exists on PostgreSQL only; SQLite always uses the Python writer")
@pytest.mark.parametrize(
    "fields",
    [
        "id",
        "title,id",
        "url,parent,participants",
        "countries,host_country_code,country_codes,host_country",
        "sources,people,organizations,programmes,description",
        "note,city,type,end_date,date_precision,participant_countries,start_date",
    ],
)
@pytest.mark.parametrize("query", ["sort=title", "country=tz&sort=-participants", "q=water"])
def test_copy_with_fields_is_the_python_writers_file_byte_for_byte(client, sample, fields, query):
    from .factories import EventCountryFactory, EventFactory

    hostile = EventFactory(
        title='=cmd|" /C calc"!A1', description='Quote " and, comma\nline', city="@SUM(1)"
    )
    EventCountryFactory(event=hostile, country=sample["tanzania"], role="host")
    response = client.get(f"/events/export.csv?{query}&fields={fields}&bom=1")
    assert response.status_code == 200
    copied = b"".join(response.streaming_content)
    events = LISTS["events"]
    filterset = events.filter(QueryDict(query))
    assert filterset.is_valid()
    columns = events.columns_for([fields])
    written = "".join(
        exports.csv_stream(
            columns, exports.rows(filterset.qs, columns, base="http://testserver"), bom=True
        )
    ).encode()
    assert copied == written
    assert copied.decode("utf-8-sig").splitlines()[0] == fields
