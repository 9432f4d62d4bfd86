"""The public contract of every list, generated from its declaration (cooperation/lists.py).

For every list and each of its outputs (HTML, CSV, JSON), over the curated catalogue:
- every parameter with valid values drawn from the catalogue, alone and combined, answers
  200, and the three outputs hold the same records in the same order;
- every parameter with invalid values answers 400 (or 200), never 5xx: an HTML page with the
  error beside its field, or a one-line reason for the exports;
- every facet value's count is the count its link gives;
- on PostgreSQL the SQL writer's CSV is byte for byte the Python writer's.
A parameter or a column added to a declaration is covered here without a new test.
"""

import csv
import io
import json
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cooperation import exports, exports_sql
from cooperation.filters import (
    DateFilter,
    RecordsFilter,
    SortFilter,
    TextFilter,
    YearFilter,
    YearsFilter,
)
from cooperation.lists import LISTS
from cooperation.models import Event

pytestmark = pytest.mark.django_db

LIST_NAMES = sorted(LISTS)
# The key an export row and a list row share, per list.
KEYS = {"events": "id", "countries": "code", "years": "year"}
SEARCH_WORDS = ["poverty", "training", "China", "LGOP", "rural", "seminar", "Tanzania"]

CHECKS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def valid_values(catalogue_list, name) -> list[str]:
    """Values of one parameter that the catalogue holds, as a user would type them."""
    param = catalogue_list.filterset.base_filters[name]
    if isinstance(param, SortFilter):
        return list(param.sorts)
    if isinstance(param, TextFilter):
        return SEARCH_WORDS
    if isinstance(param, YearsFilter):
        return ["2012", "2013", "2016", "2018", "2023"]
    if isinstance(param, DateFilter):
        return ["2012-06-01", "2013-01-01", "2016-10-17"]
    if isinstance(param, RecordsFilter):
        key = param.extra["to_field_name"]
        values = param.extra["queryset"].order_by("pk").values_list(key, flat=True)
        return [str(value).lower() for value in values[:: max(1, values.count() // 4)]][:4]
    return [str(value) for value, _ in param.extra["choices"]]


def some_values(catalogue_list, name) -> list[str]:
    """A few of them, for the one-parameter checks (the combined ones draw from all)."""
    values = valid_values(catalogue_list, name)
    return values[:: max(1, len(values) // 3)]


@st.composite
def valid_queries(draw, list_name):
    catalogue_list = LISTS[list_name]
    names = list(catalogue_list.filterset.base_filters)
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    pairs = []
    for name in chosen:
        values = valid_values(catalogue_list, name)
        pairs.append((name, draw(st.sampled_from(values))))
    return pairs


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return body, list(csv.DictReader(io.StringIO(body)))


def read_json(response):
    return json.loads(b"".join(response.streaming_content))


def html_keys(response, list_name):
    if list_name == "events":
        return [event.pk for event in response.context["events"]]
    key = KEYS.get(list_name, "slug")
    return [
        record[key] if isinstance(record, dict) else getattr(record, key)
        for record in response.context["records"]
    ]


def fetch_all(client, list_name, query):
    """(page, CSV response and rows, JSON response and records), each download read to its
    end before the next request: on PostgreSQL a CSV is a COPY that holds its connection
    until it has been read."""
    page = client.get(f"/{list_name}/?{query}")
    csv_response = client.get(f"/{list_name}/export.csv?{query}")
    rows = read_csv(csv_response)[1] if csv_response.status_code == 200 else None
    json_response = client.get(f"/{list_name}/export.json?{query}")
    records = read_json(json_response) if json_response.status_code == 200 else None
    return page, (csv_response, rows), (json_response, records)


# ---- Valid values: the same records, in the same order, everywhere ---------------------


@pytest.mark.parametrize("list_name", LIST_NAMES)
def test_every_parameter_alone_with_valid_values(client, catalogue, list_name):
    catalogue_list = LISTS[list_name]
    key = KEYS.get(list_name, "slug")
    for name in catalogue_list.filterset.base_filters:
        for number, value in enumerate(some_values(catalogue_list, name)):
            query = urlencode({name: value})
            csv_response = client.get(f"/{list_name}/export.csv?{query}")
            assert csv_response.status_code == 200, query
            from_csv = [row[key] for row in read_csv(csv_response)[1]]
            json_response = client.get(f"/{list_name}/export.json?{query}")
            assert json_response.status_code == 200, query
            assert [str(record[key]) for record in read_json(json_response)] == from_csv, query
            if number == 0:  # the page, for one value of each parameter
                page = client.get(f"/{list_name}/?{query}")
                assert page.status_code == 200, query
                shown = [str(k) for k in html_keys(page, list_name)]
                assert from_csv[: len(shown)] == shown, query


@pytest.mark.parametrize("list_name", LIST_NAMES)
def test_combined_parameters_agree_in_html_csv_and_json(client, catalogue, list_name):
    @CHECKS
    @given(pairs=valid_queries(list_name))
    def check(pairs):
        query = urlencode(pairs)
        page, (csv_response, rows), (json_response, records) = fetch_all(client, list_name, query)
        if page.status_code == 400:  # a combination the form refuses (an inverted range)
            assert csv_response.status_code == json_response.status_code == 400
            return
        statuses = (page.status_code, csv_response.status_code, json_response.status_code)
        assert statuses == (200, 200, 200), query
        key = KEYS.get(list_name, "slug")
        from_csv = [row[key] for row in rows]
        assert [str(record[key]) for record in records] == from_csv
        shown = [str(k) for k in html_keys(page, list_name)]
        assert from_csv[: len(shown)] == shown
        if list_name == "events":
            assert page.context["total"] == len(rows) or not page.context["count"].exact
        elif list_name != "years":
            assert page.context["total"] == len(rows)

    check()


def test_exports_without_a_query_string_agree_with_the_page(client, catalogue):
    page, (_, rows), (_, records) = fetch_all(client, "events", "")
    ids = [int(row["id"]) for row in rows]
    assert [record["id"] for record in records] == ids
    assert ids[:25] == html_keys(page, "events")


# ---- Invalid values: a clear 400, never a 5xx ------------------------------------------

odd_text = st.one_of(
    st.text(max_size=30),
    st.text(min_size=1000, max_size=10_000).map(lambda text: text[:10_000]),
    st.sampled_from(
        ["", " ", "0", "-1", "99999999999999999999", "2012-02-30", "2020-13-01", "zz", "ZZ",
         "'; DROP TABLE cooperation_event; --", "\x00", "\ud800", "🙂", "ｔｚ", "<script>",
         "!", "?", "—", "1e309", "null", "-date", "host", "africa", "2012"]
    ),
)  # fmt: skip


def encoded(pairs):
    # Lone surrogates cannot be UTF-8: send the bytes a client could send instead.
    return urlencode([(k, v.encode("utf-8", "surrogatepass")) for k, v in pairs])


@pytest.mark.parametrize("list_name", LIST_NAMES)
def test_invalid_values_never_fail_with_5xx(client, catalogue, list_name):
    names = [*LISTS[list_name].filterset.base_filters, "page", "after", "bom", "fields", "unknown"]

    @CHECKS
    @given(pairs=st.lists(st.tuples(st.sampled_from(names), odd_text), min_size=1, max_size=4))
    @example(pairs=[("q", "!")])
    @example(pairs=[("q", "\x00")])
    @example(pairs=[("sort", "")])
    @example(pairs=[("country", "tz")])
    @example(pairs=[("date_from", "2020-01-01"), ("date_to", "2000-01-01")])
    def check(pairs):
        query = encoded(pairs)
        page = client.get(f"/{list_name}/?{query}")
        # 414: longer than any address the site answers (cooperation/middleware.py).
        assert page.status_code in (200, 302, 400, 414), query
        if page.status_code == 400:
            html = page.content.decode()
            assert "<form" in html and 'role="alert"' in html, query
        if page.status_code == 414:
            assert "That address is too long" in page.content.decode()
        for extension in ("csv", "json"):
            response = client.get(f"/{list_name}/export.{extension}?{query}")
            assert response.status_code in (200, 400, 414), query
            if response.status_code in (400, 414):
                body = response.content.decode()
                assert body.startswith(("Bad request: ", "URI too long: ")), body
                assert body.count("\n") == 1, body
            else:
                b"".join(response.streaming_content)

    check()


@pytest.mark.parametrize("list_name", LIST_NAMES)
def test_empty_values_are_ignored_on_every_list(client, catalogue, list_name):
    empty = "&".join(f"{name}=" for name in LISTS[list_name].filterset.base_filters)
    page = client.get(f"/{list_name}/?{empty}", follow=True)
    assert page.status_code == 200
    assert page.redirect_chain == [(f"/{list_name}/", 302)]
    download = client.get(f"/{list_name}/export.csv?{empty}")
    assert download.status_code == 200
    read_csv(download)


# ---- Facets: each count is what its link gives -----------------------------------------


@pytest.mark.parametrize(
    "query",
    ["", "country=tz", "country=tz&country=mz", "country_role=host", "country=cn&country_role=host",
     "year=2012", "type=training&type=seminar", "programme=china-aid-training-programmes",
     "q=poverty", "region=asia&country_role=participant"],
)  # fmt: skip
def test_every_facet_count_is_the_count_after_clicking_it(client, catalogue, query):
    page = client.get(f"/events/?{query}")
    assert page.status_code == 200
    checked = 0
    for facet in page.context["facets"]:
        for number, item in enumerate(facet["values"]):
            if number == 0:  # a click on the page for the first value of each facet
                total = client.get(f"/events/?{item['query']}").context["total"]
            else:  # the same filters the page would apply, counted directly
                clicked = LISTS["events"].filter(QueryDict(item["query"]))
                assert clicked.is_valid()
                total = clicked.qs.count()
            assert total == item["n"], (query, facet["param"], item)
            checked += 1
    assert checked > 0


# ---- The two CSV writers ------------------------------------------------------------------


def test_every_list_with_an_sql_writer_declares_sql_for_every_column():
    for catalogue_list in LISTS.values():
        if catalogue_list.sql_writer:
            assert all(column.sql for column in catalogue_list.columns), catalogue_list.name


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY exists on PostgreSQL only")
def test_sql_and_python_writers_give_byte_identical_files(client, catalogue):
    events = LISTS["events"]

    names = [column.name for column in events.columns]

    @CHECKS
    @given(
        pairs=valid_queries("events"),
        fields=st.lists(st.sampled_from(names), max_size=len(names), unique=True),
    )
    @example(pairs=[("q", "!")], fields=[])
    @example(pairs=[], fields=[])
    @example(pairs=[], fields=["people", "id"])
    def check(pairs, fields):
        filterset = events.filter(QueryDict(urlencode(pairs)))
        if not filterset.is_valid():
            return
        columns = events.columns_for([",".join(fields)])
        base = "http://testserver"
        python = "".join(
            exports.csv_stream(columns, exports.rows(filterset.qs, columns, base=base))
        ).encode()
        sql = b"".join(exports_sql.stream_csv(columns, filterset.qs, filterset.sort().key, base))
        assert sql == python, (pairs, fields)

    check()


def test_hostile_values_are_written_alike_by_both_writers(client, catalogue):
    """Formulas, quotes, line breaks and empty cells, through the writer this database uses
    (PostgreSQL: COPY) and the Python writer."""
    event = Event.objects.order_by("pk").first()
    Event.objects.filter(pk=event.pk).update(
        title='=cmd|" /C calc"!A1', description='Quote " and, comma\r\nline', city="@SUM(1)",
        editor_note="\\.",
    )  # fmt: skip
    events = LISTS["events"]
    _, rows = read_csv(client.get("/events/export.csv"))
    python = "".join(
        exports.csv_stream(
            events.columns,
            exports.rows(
                Event.objects.filter(pk=event.pk), events.columns, base="http://testserver"
            ),
        )
    )
    (expected,) = list(csv.DictReader(io.StringIO(python)))
    (row,) = [row for row in rows if row["id"] == str(event.pk)]
    assert row == expected
    assert row["title"].startswith("'=") and row["city"] == "'@SUM(1)"


# ---- The documentation ----------------------------------------------------------------------


def test_docs_tables_match_the_declarations():
    """docs/csv.md's parameter and column tables are the declarations' (contract_docs)."""
    from cooperation.contract_docs import DOC, render

    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, "docs/csv.md is stale: run `python manage.py contract_docs`"
    for name, catalogue_list in LISTS.items():
        assert f"<!-- columns:{name} -->" in text
        if catalogue_list.filterset is not YearFilter:  # the years list: the events' parameters
            assert f"<!-- parameters:{name} -->" in text
