import csv
import io
import json

import pytest
from django.db import connection
from django.utils import timezone

from cooperation.lists import LISTS
from cooperation.models import Event

from .engines import postgresql_only
from .factories import EventFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "id,url,title,type,start_date,end_date,date_precision,city,host_country,host_country_code,"
    "countries,country_codes,programmes,organizations,people,participants,"
    "participant_countries,description,sources,note,parent"
)


def read_csv(response):
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content).decode("utf-8")
    return body, list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_columns_are_in_the_documented_order(client, sample):
    body, _ = read_csv(client.get("/events/export.csv"))
    assert body.splitlines()[0] == HEADER


def test_note_and_parent_columns(client, sample):
    from cooperation.models import Event

    Event.objects.filter(pk=sample["conference"].pk).update(editor_note="Date as the text says.")
    _, rows = read_csv(client.get("/events/export.csv", {"sort": "date"}))
    by_slug = {row["url"].rsplit("/", 2)[-2]: row for row in rows}
    conference = by_slug["2012-07-28-conference"]
    assert conference["note"] == "Date as the text says."
    assert conference["parent"] == "http://testserver/events/2012-07-21-visit/"
    assert by_slug["2012-07-21-visit"]["parent"] == ""


def test_source_filter_keeps_events_citing_the_source(client, sample):
    from .factories import EventCitationFactory, SourceFactory

    other = SourceFactory(slug="news", title="News article")
    EventCitationFactory(event=sample["later"], source=other, locator="¶1")
    _, rows = read_csv(client.get("/events/export.csv", {"source": "news"}))
    assert [row["title"] for row in rows] == ["Seminar in Beijing"]
    page = client.get("/events/", {"source": "news"})
    assert page.context["title"] == "Events citing News article"


def test_export_is_streamed_as_utf8_csv(client, sample):
    response = client.get("/events/export.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_row_holds_the_record_with_roles_and_titles(client, sample):
    _, rows = read_csv(client.get("/events/export.csv", {"country": "mz"}))
    (row,) = rows
    assert row["url"] == "http://testserver/events/2012-07-21-visit/"
    assert row["type"] == "Visit or delegation"
    assert (row["start_date"], row["end_date"], row["date_precision"]) == (
        "2012-07-21",
        "2012-07-29",
        "day",
    )
    assert row["host_country"] == "Mozambique; Tanzania"
    assert row["host_country_code"] == "MZ; TZ"
    assert row["country_codes"] == "CN; MZ; TZ"
    assert row["organizations"] == "Leading Group Office (organizer)"
    assert row["people"] == "Fan Xiaojian (head of delegation, Minister of LGOP)"
    assert row["sources"].startswith("Yearbook 2012 — ¶")


def test_dates_are_iso_at_their_precision_and_counts_keep_lower_bounds(client, sample):
    _, rows = read_csv(client.get("/events/export.csv", {"sort": "date"}))
    by_slug = {row["url"].rsplit("/", 2)[-2]: row for row in rows}
    assert by_slug["2012-08-training"]["start_date"] == "2012-08"
    assert by_slug["2013-seminar"]["start_date"] == "2013"
    assert by_slug["2012-07-28-conference"]["participants"] == "over 120"
    assert by_slug["2012-07-28-conference"]["programmes"] == "China-Africa Forum"


def test_formula_cells_are_neutralised(client, sample):
    _, rows = read_csv(client.get("/events/export.csv", {"type": "training"}))
    assert rows[0]["description"].startswith("'=HYPERLINK")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_prefix_is_neutralised(client, db, start):
    EventFactory(title=f"{start}1+1 title", description="plain")
    _, rows = read_csv(client.get("/events/export.csv"))
    assert rows[0]["title"] == f"'{start}1+1 title"


def test_bom_option_for_excel(client, sample):
    body = b"".join(client.get("/events/export.csv", {"bom": "1"}).streaming_content)
    assert body.startswith("\ufeff".encode())
    plain = b"".join(client.get("/events/export.csv").streaming_content)
    assert not plain.startswith("\ufeff".encode())


def test_filename_says_what_was_filtered_and_when(client, sample):
    response = client.get("/events/export.csv", {"country": "tz", "year": "2012"})
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="events-tanzania-2012-{today}.csv"'
    )
    response = client.get("/events/export.json")
    assert response["Content-Disposition"] == f'attachment; filename="events-{today}.json"'


QUERIES = [
    "",
    "country=tz",
    "country=TZ&country_role=host",
    "country=tz&country=mz&year=2012",
    "region=africa&type=training&type=forum",
    "year=2012&sort=title",
    "date_from=2012-07-25&date_to=2012-12-31",
    "programme=china-africa-forum",
    "organization=lgop&organization_role=co_organizer",
    "person=fan-xiaojian&sort=-participants",
    "q=tanzania&sort=date",
    "q=state+council&year=2012",
]


@pytest.mark.parametrize("query", QUERIES)
def test_export_and_list_return_the_same_events_in_the_same_order(
    client, sample, query, monkeypatch
):
    from cooperation.views import common as views

    monkeypatch.setattr(views, "PAGE_SIZE", 1000)
    listed = [event.pk for event in client.get(f"/events/?{query}").context["events"]]
    _, rows = read_csv(client.get(f"/events/export.csv?{query}"))
    assert [int(row["id"]) for row in rows] == listed
    response = client.get(f"/events/export.json?{query}")
    records = json.loads(b"".join(response.streaming_content))
    assert [record["id"] for record in records] == listed


def test_export_returns_every_matching_event_not_one_page(client, db, monkeypatch):
    from cooperation import exports
    from cooperation.views import common as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(exports, "BATCH_SIZE", 3)  # several batches
    EventFactory.create_batch(8)
    _, rows = read_csv(client.get("/events/export.csv"))
    assert len(rows) == 8


def test_export_query_count_does_not_grow_with_links(
    client, sample, django_assert_num_queries, monkeypatch
):
    # Both: one query for the catalogue's version (ETag, Last-Modified). SQLite: one that
    # counts the events (X-Record-Count), one for the rows, five for the links of the batch.
    # PostgreSQL: the export's settings and the first ids; the two COPY statements run on the
    # raw connection, which Django does not log. The number of rows: for every event, one
    # type, one country, one year or one country in one year, a counter's sum
    # (cooperation/counters.py); for any other filter, the first ids when they are all (at
    # most exports_sql.PEEK), else a COUNT. 2012 by dates has no counter. A result its counter
    # puts at most exports_sql.ONE_STATEMENT rows long is copied in one statement, no ids read.
    from cooperation import exports_sql, versions

    versions.current()  # its row, if a flush removed it, made before counting
    on_postgresql = connection.vendor == "postgresql"
    expected = {"sqlite": 8, "postgresql": 3}[connection.vendor]
    with django_assert_num_queries(expected):  # PostgreSQL: the counter, not the first ids
        read_csv(client.get("/events/export.csv"))
    in_2012 = "date_from=2012-01-01&date_to=2012-12-31"
    with django_assert_num_queries(expected):
        read_csv(client.get(f"/events/export.csv?{in_2012}"))
    monkeypatch.setattr(exports_sql, "ONE_STATEMENT", 0)
    monkeypatch.setattr(exports_sql, "PEEK", 2)
    monkeypatch.setattr(exports_sql, "FIRST_SLICE", 1)
    # country=cn: and a query that finds China
    for query, rows, counter in [
        ("", 4, True),
        ("country=cn", 4, True),
        ("year=2012", 3, True),
        ("country=cn&year=2012", 3, True),
        (in_2012, 3, False),
    ]:
        lookups = query.startswith("country")
        with django_assert_num_queries(expected + on_postgresql + lookups) as queries:
            assert len(read_csv(client.get(f"/events/export.csv?{query}"))[1]) == rows
        if on_postgresql:
            sql = " ".join(query["sql"] for query in queries.captured_queries)
            assert ("cooperation_eventcounter" in sql) == counter, (query, sql)
            assert ("COUNT(*)" in sql) != counter, (query, sql)


def test_json_is_the_api_s_objects(client, sample):
    response = client.get("/events/export.json", {"country": "mz"})
    assert response["Content-Type"] == "application/json; charset=utf-8"
    (record,) = json.loads(b"".join(response.streaming_content))
    assert [country["code"] for country in record["host_countries"]] == ["MZ", "TZ"]
    (person,) = record["people"]
    assert (person["slug"], person["role"], person["title_at_the_time"]) == (
        "fan-xiaojian", "head_of_delegation", "Minister of LGOP")  # fmt: skip
    assert record == client.get(f"/api/events/{record['slug']}/").json()
    conference = json.loads(
        b"".join(
            client.get("/events/export.json", {"programme": "china-africa-forum"}).streaming_content
        )
    )[0]
    assert conference["participants"] == {"value": 120, "is_minimum": True}


@pytest.mark.parametrize("url", ["/events/export.csv", "/events/export.json"])
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("country=zz", "country: Select a valid choice"),
        ("year=x", "year: “x” is not a year."),
        ("date_to=2012-02-30", "date_to: Enter a valid date."),
    ],
)
def test_invalid_filters_give_400_with_the_reason(client, sample, url, query, message):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("url", "header", "expected"),
    [
        (
            "/countries/export.csv?region=africa",
            "code,alpha3,numeric,name,official_name,region,subregion,url,events_hosted,"
            "events_taken_part,aliases",
            {"MZ", "TZ"},
        ),
        (
            "/programmes/export.csv",
            "slug,url,name,acronym,kind,start_year,end_year,events,description,aliases",
            {"china-africa-forum"},
        ),
        (
            "/organizations/export.csv?q=lgop",
            "slug,url,name,acronym,kind,country,country_code,parent,events,description,aliases",
            {"lgop"},
        ),
        (
            "/people/export.csv?q=fan",
            "slug,url,name,native_name,country,country_code,events,description,aliases",
            {"fan-xiaojian"},
        ),
    ],
)
def test_other_lists_export_their_filtered_rows(client, sample, url, header, expected):
    body, rows = read_csv(client.get(url))
    assert body.splitlines()[0] == header
    key = "code" if url.startswith("/countries") else "slug"
    assert {row[key] for row in rows} == expected


def test_country_export_counts_hosted_and_taken_part(client, sample):
    _, rows = read_csv(client.get("/countries/export.csv", {"q": "tanzania"}))
    assert (rows[0]["events_hosted"], rows[0]["events_taken_part"]) == ("2", "1")


def test_other_exports_reject_bad_filters(client, sample):
    response = client.get("/organizations/export.csv", {"country": "zz"})
    assert response.status_code == 400
    assert "country:" in response.content.decode()


@postgresql_only("COPY exists on PostgreSQL only; SQLite always uses the Python writer")
@pytest.mark.parametrize(
    "query",
    [
        "",
        "sort=title",
        "country=tz&sort=-participants",
        "q=water",
        "year=2012&type=training",
        "fields=countries,title,id",
        "country=tz&fields=parent,sources&fields=host_country_code",
    ],
)
def test_postgresql_copy_writes_the_same_file_as_the_python_writer(client, sample, query):
    """On PostgreSQL the CSV comes from COPY; it must hold exactly what exports.rows
    writes (the SQLite path), cell for cell, including hostile and empty values."""
    from django.http import QueryDict

    from cooperation import exports
    from cooperation.filters import EventFilter

    from .factories import EventCountryFactory

    hostile = EventFactory(
        title='=cmd|" /C calc"!A1',
        description='Quote " and, comma\nline',
        city="@SUM(1)",
        theme="",
        participants=0,
    )
    EventCountryFactory(event=hostile, country=sample["tanzania"], role="host")
    copied, rows = read_csv(client.get(f"/events/export.csv?{query}"))
    data = QueryDict(query)
    filterset = EventFilter(data, queryset=Event.objects.all())
    assert filterset.is_valid()
    columns = LISTS["events"].columns_for(data.getlist("fields"))
    written = "".join(
        exports.csv_stream(columns, exports.rows(filterset.qs, columns, base="http://testserver"))
    )
    assert copied == written
    assert len(rows) > 0


@postgresql_only("COPY exists on PostgreSQL only; SQLite always uses the Python writer")
@pytest.mark.django_db(transaction=True)  # the export's own transaction must be the outermost
@pytest.mark.parametrize("sort", ["-date", "date", "title", "-participants", "participants"])
def test_postgresql_export_in_two_statements_is_one_file_in_one_snapshot(client, monkeypatch, sort):
    """The COPY export runs as two statements in a REPEATABLE READ transaction of its own: the
    first rows over their ids, then the rest, either over the ids already read (a result
    without a counter of at most PEEK rows, counted by reading it) or as the filter again after
    the last of the first rows (a longer one, counted by a query, or any result its counter
    counts); a result its counter puts at most ONE_STATEMENT rows long, as one statement over
    the filter. Wherever the first rows end, across ties on the
    sort value and missing participant counts, the file is the one the Python writer makes,
    row for row, and a filtered-out event stays out of the rest."""
    import datetime

    from django.http import QueryDict

    from cooperation import exports, exports_sql
    from cooperation.filters import EventFilter

    day = datetime.date(2012, 7, 1)
    for number in range(19):  # ties: three events on each date, titles repeat in pairs
        EventFactory(
            title=f"Event {number // 2:02d}",
            start_date=day + datetime.timedelta(days=number // 3),
            participants=None if number % 4 == 0 else number % 5,
            type="forum" if number % 6 == 5 else "seminar",  # 3 forums, filtered out
        )
    statements = []
    original = exports_sql.copy_statement

    def recording(*args, **kwargs):
        statements.append((kwargs["header"], isinstance(args[1], list)))
        return original(*args, **kwargs)

    monkeypatch.setattr(exports_sql, "copy_statement", recording)
    query = f"sort={sort}&type=seminar"
    uncounted = f"{query}&date_from=2012-01-01"  # the same events, and no counter holds them
    filterset = EventFilter(QueryDict(query), queryset=Event.objects.all())
    assert filterset.is_valid()
    columns = LISTS["events"].columns
    written = "".join(
        exports.csv_stream(columns, exports.rows(filterset.qs, columns, base="http://testserver"))
    )
    expected = list(csv.DictReader(io.StringIO(written)))
    assert len(expected) == 16
    monkeypatch.setattr(exports_sql, "ONE_STATEMENT", 15)  # one fewer than there are
    for exported, peek, rest_is_ids in [
        (uncounted, 5, False),
        (uncounted, 50, True),
        (query, 5, False),
        (query, 50, False),  # counted: never all its ids first
    ]:
        monkeypatch.setattr(exports_sql, "PEEK", peek)
        for first in range(1, 5):
            monkeypatch.setattr(exports_sql, "FIRST_SLICE", first)
            statements.clear()
            response = client.get(f"/events/export.csv?{exported}")
            _, copied = read_csv(response)
            assert response["X-Record-Count"] == "16"
            assert copied == expected, (exported, peek, first)
            assert statements == [(True, True), (False, rest_is_ids)], (exported, peek)
    monkeypatch.setattr(exports_sql, "ONE_STATEMENT", 16)  # as many as there are, counted
    statements.clear()
    response = client.get(f"/events/export.csv?{query}")
    assert response["X-Record-Count"] == "16"
    assert read_csv(response)[1] == expected
    assert statements == [(True, False)], "one statement over the filter"


@postgresql_only("COPY exists on PostgreSQL only; SQLite always uses the Python writer")
@pytest.mark.django_db(transaction=True)  # the export's own transaction must be the outermost
def test_the_first_rows_leave_before_the_rest_is_asked_for(client, monkeypatch):
    """The first FIRST_SLICE rows are sent as soon as their statement ends, however few bytes
    they make, and only then does the statement for the rest start: on a catalogue bigger than
    memory that one gives nothing until it has read it all (docs/performance.md)."""
    from cooperation import exports_sql

    for number in range(6):
        EventFactory(title=f"Event {number}")
    statements = []
    original = exports_sql.copy_statement

    def recording(*args, **kwargs):
        statements.append(kwargs["header"])
        return original(*args, **kwargs)

    monkeypatch.setattr(exports_sql, "copy_statement", recording)
    monkeypatch.setattr(exports_sql, "ONE_STATEMENT", 0)
    monkeypatch.setattr(exports_sql, "FIRST_SLICE", 2)
    response = client.get("/events/export.csv")
    assert response["X-Record-Count"] == "6"
    chunks = iter(response.streaming_content)
    first = next(chunks).decode()
    assert statements == [True], "nothing asked of the rest before the first rows are out"
    assert first.count("\n") == 3  # the header and two rows, well short of CHUNK_BYTES
    rest = b"".join(chunks).decode()
    assert statements == [True, False]
    assert rest.count("\n") == 4


@postgresql_only("COPY exists on PostgreSQL only")
@pytest.mark.parametrize(("setting", "expected"), [("", None), ("24MB", "24MB")])
def test_the_export_sorts_in_the_server_s_work_mem_unless_told(
    client, sample, settings, setting, expected
):
    """32MB made the planner pick a slower join order at ten million events (160 s against
    122-139 s with the server's 4MB): the export takes the server's own unless
    CATALOGUE_EXPORT_WORK_MEM says otherwise. (The test's transaction keeps what the
    export set for its own: set_config(..., true) lasts to the transaction's end.)"""
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        (server,) = cursor.fetchone()
    settings.CATALOGUE_EXPORT_WORK_MEM = setting
    read_csv(client.get("/events/export.csv"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        assert cursor.fetchone() == (expected or server, "off")
