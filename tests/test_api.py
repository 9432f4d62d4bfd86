"""The read API (/api/): the lists' own parameters, keyset pages, objects with addresses, the
OpenAPI document checked against real answers, conditional requests and CORS."""

import csv
import gc
import io
import json
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from cooperation.models import Event, EventCountry, EventOrganization, EventPerson
from cooperation.models.sources import Citation

pytestmark = pytest.mark.django_db

LISTS = ["events", "countries", "years", "programmes", "organizations", "people", "sources"]


@pytest.fixture(scope="module")
def openapi(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return OpenAPI.from_dict(json.loads(json.dumps(schema, default=str)))


def checked(openapi, response):
    """The response, after checking it against the OpenAPI document."""
    openapi.validate_response(
        DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
    )
    return response


def read_all(client, path, params, **extra):
    """Every record of a list, following `next` links; and how many pages it took."""
    response = client.get(path, params, **extra)
    pages = [response]
    while response.json()["next"]:
        response = client.get(response.json()["next"])
        assert response.status_code == 200, response.content
        pages.append(response)
    return [record for page in pages for record in page.json()["results"]], len(pages)


def csv_ids(client, path, params):
    response = client.get(path, params)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return [int(row["id"]) for row in csv.DictReader(io.StringIO(body))]


# ---- Pages ---------------------------------------------------------------------------------


def test_a_script_pages_through_a_filtered_list_in_the_csv_s_order(client, catalogue):
    params = {"country": "tz", "year": "2012"}
    records, pages = read_all(client, "/api/events/", {**params, "page_size": 5})
    assert pages == 3  # 12 events, 5 a page
    assert [r["id"] for r in records] == csv_ids(client, "/events/export.csv", params)
    first = client.get("/api/events/", {**params, "page_size": 5}).json()
    assert first["count"] == 12 and first["count_is_minimum"] is False
    assert first["previous"] is None


@pytest.mark.parametrize("sort", ["-date", "date", "title", "-title", "-participants"])
def test_every_sort_pages_like_the_export(client, catalogue, sort):
    records, _ = read_all(client, "/api/events/", {"sort": sort, "page_size": 40})
    assert [r["id"] for r in records] == csv_ids(client, "/events/export.csv", {"sort": sort})


def test_previous_links_go_back_to_the_same_page(client, catalogue):
    first = client.get("/api/events/", {"page_size": 7}).json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]


def test_link_header_carries_the_next_page(client, catalogue):
    response = client.get("/api/events/", {"page_size": 2})
    assert response["Link"] == f'<{response.json()["next"]}>; rel="next"'


@pytest.mark.parametrize(
    ("path", "sort"),
    [("/api/programmes/", "-events"), ("/api/organizations/", "-events"),
     ("/api/countries/", "-hosted"), ("/api/sources/", "-events"), ("/api/people/", "name")],
)  # fmt: skip
def test_named_lists_page_in_their_export_order(client, catalogue, path, sort):
    records, _ = read_all(client, path, {"sort": sort, "page_size": 9})
    name = path.split("/")[2]
    key = "code" if name == "countries" else "slug"
    response = client.get(f"/{name}/export.csv", {"sort": sort})
    body = b"".join(response.streaming_content).decode()
    assert [r[key] for r in records] == [row[key] for row in csv.DictReader(io.StringIO(body))]


def test_years_page_newest_first(client, catalogue):
    records, pages = read_all(client, "/api/years/", {"page_size": 5})
    years = [r["year"] for r in records]
    assert years == sorted(years, reverse=True) and pages == 3  # 15 years with events
    assert sum(r["events"] for r in records if r["year"] == 2012) == 91


def test_page_size_has_a_documented_maximum(client, catalogue):
    assert len(client.get("/api/events/", {"page_size": 200}).json()["results"]) == 126
    for bad in ("0", "201", "ten", "-1", "１"):
        response = client.get("/api/events/", {"page_size": bad})
        assert response.status_code == 400, bad
        assert "page_size" in response.json()["detail"]


def test_a_count_too_slow_to_finish_is_a_true_lower_bound(client, catalogue, monkeypatch, settings):
    """The whole count is out of its budget on every list: counting stops past the floor, and
    says "more than" the floor where there are more, the exact number where there are not.
    The exact count is then made outside the request, and shown from then on."""
    from cooperation import pagination

    def run_within(budget_ms, function):
        bounded = getattr(function, "__self__", None)
        if bounded is not None and bounded.query.high_mark is None:
            return None  # the whole count: too slow
        return function()

    monkeypatch.setattr(pagination, "run_within", run_within)
    monkeypatch.setattr(pagination, "COUNT_FLOOR", 100)
    settings.CATALOGUE_REFRESH_AFTER_EDIT = "off"  # no exact count made outside the request
    # Every event, by a filter no counter holds (cooperation/counters.py counts every event,
    # one type or one country at once on PostgreSQL).
    every = {"date_from": "1000-01-01"}
    assert Event.objects.filter(start_date__lt="1000-01-01").count() == 0
    body = client.get("/api/events/", every).json()
    assert Event.objects.count() > 100
    assert (body["count"], body["count_is_minimum"]) == (100, True)
    page = client.get("/events/", every).content.decode()
    assert "<strong>more than 100</strong> matching events" in page
    body = client.get("/api/events/", {"country": "tz", **every}).json()
    assert (body["count"], body["count_is_minimum"]) == (17, False)

    summaries_cleared()
    settings.CATALOGUE_REFRESH_AFTER_EDIT = "inline"  # the exact count, made after the answer
    body = client.get("/api/events/", every).json()
    assert (body["count"], body["count_is_minimum"]) == (100, True)
    body = client.get("/api/events/", every).json()
    assert (body["count"], body["count_is_minimum"]) == (Event.objects.count(), False)
    assert f"<strong>{Event.objects.count():,}</strong> matching events" in (
        client.get("/events/", every).content.decode()
    )


def test_a_count_that_not_even_its_floor_finishes_is_at_least_the_page(
    client, catalogue, monkeypatch, settings
):
    """Where even the count up to the floor runs out of time (a search at ten million
    events), the lists say what the page itself shows rather than "many": more than its rows
    when another page follows, every row when none does."""
    from cooperation import pagination, summaries

    monkeypatch.setattr(summaries, "count_within", lambda *args: pagination.Count(None, False))
    settings.CATALOGUE_REFRESH_AFTER_EDIT = "off"  # no exact count made outside the request
    every = {"date_from": "1000-01-01"}  # every event, by a filter no counter holds
    body = client.get("/api/events/", every).json()
    assert (body["count"], body["count_is_minimum"]) == (50, True)
    page = client.get("/events/", every)
    assert f"<strong>more than {len(page.context['events'])}</strong> matching" in (
        page.content.decode()
    )
    few = {"country": "tz", **every}
    body = client.get("/api/events/", few).json()
    assert (body["count"], body["count_is_minimum"]) == (17, False)
    assert "<strong>17</strong> matching events" in client.get("/events/", few).content.decode()
    second = client.get("/api/events/", {**every, "page_size": 2}).json()["next"]
    body = client.get(second.replace("page_size=2", "page_size=200")).json()
    assert body["count_is_minimum"] and body["count"] == len(body["results"]), (
        "the last page: more than its own rows, as others come before it"
    )


def summaries_cleared():
    from django.core.cache import caches

    for summaries_cache in caches.all(initialized_only=False):
        summaries_cache.clear()


# ---- Same parameters, same 400s ------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{"country": "zz"}, {"year": "12"}, {"date_from": "2012-13-01"}, {"type": "party"},
     {"sort": "random"}, {"q": "a\x00b"}, {"organization": "x" * 300},
     {"date_from": "2013-01-01", "date_to": "2012-01-01"}],
)  # fmt: skip
def test_bad_values_are_the_exports_400s(client, catalogue, params):
    api = client.get("/api/events/", params)
    export = client.get("/events/export.csv", params)
    assert api.status_code == export.status_code == 400
    assert api["Content-Type"] == "application/json"
    assert api.json()["detail"] == export.content.decode().strip()


@pytest.mark.parametrize(
    ("params", "words"),
    [({"contry": "tz"}, "unknown parameter contry"), ({"page": "2"}, "unknown parameter page"),
     ({"after": "bm9wZQ"}, "position is not valid"), ({"after": "x", "before": "y"}, "not both"),
     ({"fields": "id,nope"}, "fields: “nope” is not a field")],
)  # fmt: skip
def test_api_parameters_are_checked_too(client, catalogue, params, words):
    response = client.get("/api/events/", params)
    assert response.status_code == 400
    assert words in response.json()["detail"]
    assert response.json()["errors"]


def test_records_take_only_fields(client, catalogue):
    assert client.get("/api/events/nope/").status_code == 404
    assert client.get("/api/countries/zz/").status_code == 404
    assert client.get("/api/years/1/").status_code == 404
    assert client.get("/api/countries/tz/", {"sort": "x"}).status_code == 400
    assert client.get("/api/countries/TZ/").json()["code"] == "TZ"
    for address in ("/api/events/%EA%9B%B9/", "/api/years/null/", "/api/nope/"):
        response = client.get(address)
        assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert client.get("/api/events")["Location"] == "/api/events/"


# ---- Objects, not strings -------------------------------------------------------------------


def test_an_event_names_everything_it_links_by_id_and_address(client, catalogue):
    slug = "2012-08-08-workshop-on-development-of-rural-water-conservancy-and-poverty-reduction-in-tanzania"  # noqa: E501
    event = client.get(f"/api/events/{slug}/").json()
    assert event["url"] == f"http://testserver/api/events/{slug}/"
    assert event["html_url"] == f"http://testserver/events/{slug}/"
    assert (event["start_date"], event["end_date"], event["date_precision"]) == (
        "2012-08-08", "2012-08-18", "day")  # fmt: skip
    assert event["host_countries"] == [
        {"code": "CN", "name": "China", "url": "http://testserver/api/countries/cn/",
         "html_url": "http://testserver/countries/cn/"}]  # fmt: skip
    assert {"code": "TZ", "role": "participant"}.items() <= event["countries"][1].items()
    organizer = event["organizations"][0]
    assert organizer["role"] == "organizer" and organizer["url"].startswith("http://testserver")
    citation = event["citations"][0]
    assert citation["source"]["slug"] == "lgop-yearbook-2012-international-cooperation"
    assert citation["locator"]
    assert client.get(citation["source"]["url"]).status_code == 200
    assert client.get(organizer["url"]).status_code == 200


def test_people_carry_their_title_at_the_time(client, catalogue):
    events = client.get("/api/events/", {"person": "fan-xiaojian", "page_size": 200}).json()
    titles = {
        link["title_at_the_time"]
        for event in events["results"]
        for link in event["people"]
        if link["slug"] == "fan-xiaojian"
    }
    assert "Minister of LGOP" in titles


def test_parent_and_parts_link_both_ways(client, catalogue):
    child = Event.objects.filter(parent__isnull=False).select_related("parent").first()
    data = client.get(f"/api/events/{child.slug}/").json()
    assert data["parent"]["slug"] == child.parent.slug
    parent = client.get(data["parent"]["url"]).json()
    assert child.slug in [part["slug"] for part in parent["parts"]]


def test_a_record_s_events_are_one_link_away(client, catalogue):
    lgop = client.get("/api/organizations/lgop/").json()
    events = client.get(lgop["events_url"]).json()
    assert events["count"] == lgop["events"] > 0


def test_stated_counts_keep_their_lower_bound_flag(client, catalogue):
    minimum = Event.objects.filter(participants_is_minimum=True).first()
    data = client.get(f"/api/events/{minimum.slug}/").json()
    assert data["participants"] == {"value": minimum.participants, "is_minimum": True}


def test_fields_choose_what_each_record_carries(client, catalogue):
    body = client.get("/api/events/", {"fields": "id,title", "page_size": 3}).json()
    assert [sorted(r) for r in body["results"]] == [["id", "title"]] * 3
    assert sorted(client.get("/api/countries/tz/?fields=code&fields=name").json()) == [
        "code", "name"]  # fmt: skip


# ---- OpenAPI --------------------------------------------------------------------------------


def test_the_openapi_document_is_served_and_valid(client, db):
    from openapi_spec_validator import validate

    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    validate(document)
    assert {f"/api/{name}/" for name in LISTS} <= set(document["paths"])
    events = document["paths"]["/api/events/"]["get"]
    names = [p["name"] for p in events["parameters"]]
    # The list's own parameters, from its declaration, and the API's.
    assert {"country", "and_country", "year", "sort", "after", "page_size", "fields"} <= set(names)


@pytest.mark.parametrize("name", LISTS)
def test_every_list_answers_as_its_schema_says(client, catalogue, openapi, name):
    response = checked(openapi, client.get(f"/api/{name}/", {"page_size": 3}))
    assert response.status_code == 200
    for record in response.json()["results"]:
        if "url" in record:
            checked(openapi, client.get(record["url"]))


def test_filtered_empty_and_error_answers_match_the_schema(client, catalogue, openapi):
    for params in ({"country": "tz", "type": "training"}, {"q": "no such words anywhere"}):
        checked(openapi, client.get("/api/events/", params))
    checked(openapi, client.get("/api/years/2012/"))
    checked(openapi, client.get("/api/events/", {"fields": "title,participants"}))
    for path, params, status in [
        ("/api/events/", {"country": "zz"}, 400),
        ("/api/events/", {"page_size": "0"}, 400),
        ("/api/events/no-such-event/", {}, 404),
        ("/api/countries/tz/", {"fields": "nope"}, 400),
        ("/api/events/", {"q": "x" * 8_100}, 414),
    ]:
        assert checked(openapi, client.get(path, params)).status_code == status


def test_the_api_page_is_self_hosted(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui-bundle.js" in page and "//cdn" not in page and "https://" not in page
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and b"/api/openapi.json" in script.content


# ---- Conditional requests and CORS ----------------------------------------------------------


def test_an_unchanged_catalogue_answers_304(client, catalogue):
    response = client.get("/api/events/", {"country": "tz"})
    etag, modified = response["ETag"], response["Last-Modified"]
    assert client.get("/api/events/", {"country": "tz"}, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/api/countries/tz/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # A bad query is a 400 whatever the client holds.
    bad = client.get("/api/events/", {"country": "zz"}, HTTP_IF_NONE_MATCH=etag)
    assert bad.status_code == 400


def test_an_edit_changes_the_etag(client, catalogue, django_capture_on_commit_callbacks):
    before = client.get("/api/events/")["ETag"]
    event = Event.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        event.title += " (corrected)"
        event.save()
    response = client.get("/api/events/", HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200 and response["ETag"] != before


def test_any_origin_may_read(client, catalogue):
    response = client.get("/api/events/", HTTP_ORIGIN="https://notebook.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/events/",
        HTTP_ORIGIN="https://notebook.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 200
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
    assert client.post("/api/events/").status_code == 405
    page = client.get("/events/", HTTP_ORIGIN="https://notebook.example")
    assert "Access-Control-Allow-Origin" not in page


# ---- Queries per answer ---------------------------------------------------------------------


def queries(client, path, params):
    client.get(path, params)  # cached summaries (counts) are warm from here on
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/api/events/", 9), ("/api/programmes/", 7), ("/api/organizations/", 5),
     ("/api/people/", 5), ("/api/sources/", 4), ("/api/countries/", 4), ("/api/years/", 2)],
)  # fmt: skip
def test_queries_per_page_do_not_grow_with_the_page(client, catalogue, path, expected):
    small = queries(client, path, {"page_size": 2})
    large = queries(client, path, {"page_size": 100})
    assert small == large == expected


def test_queries_per_record(client, catalogue):
    slug = Event.objects.filter(parent__isnull=False).first().slug
    assert queries(client, f"/api/events/{slug}/", {}) == 8
    assert queries(client, "/api/organizations/lgop/", {}) == 4


# ---- Memory ---------------------------------------------------------------------------------

# The rows of the link tables: each refers to the record it was prefetched for.
LINKS = (Citation, EventCountry, EventOrganization, EventPerson)


@contextmanager
def cyclic_garbage():
    """What the block leaves that reference counting cannot free: objects in, or only reachable
    from, reference cycles, which wait for the garbage collector's full pass."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    left = []
    try:
        yield left
        gc.collect()
        left.extend(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


@pytest.mark.parametrize(
    "path",
    ["/api/events/?page_size=200", "/api/events/?country=cn&sort=title", "/api/programmes/",
     "/api/organizations/?sort=-events", "/events/export.json", "/people/export.json"],
)  # fmt: skip
def test_a_page_s_links_are_freed_once_it_is_written(client, catalogue, monkeypatch, path):
    """Without release(), a page of 200 events left about 14,000 objects to the full pass.
    (The rows themselves wait for it still: DRF ties a serializer to its fields in a cycle.)"""
    from cooperation.api import records

    monkeypatch.setattr(records, "BATCH_SIZE", 7)  # several batches, each one row more
    with cyclic_garbage() as left:
        response = client.get(path)
        assert response.status_code == 200
        if response.streaming:
            assert b"".join(response.streaming_content)
        del response
    assert [type(item).__name__ for item in left if issubclass(type(item), LINKS)] == []


def test_a_record_s_links_are_freed_once_it_is_written(client, catalogue):
    slug = Event.objects.filter(parent__isnull=False, citations__isnull=False).first().slug
    with cyclic_garbage() as left:
        assert client.get(f"/api/events/{slug}/").status_code == 200
    assert [type(item).__name__ for item in left if issubclass(type(item), LINKS)] == []


# ---- The JSON exports are the same objects --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params"),
    [("events", {"country": "cn", "sort": "title"}), ("programmes", {"sort": "-events"}),
     ("people", {}), ("years", {})],
)  # fmt: skip
def test_a_json_export_is_every_page_of_the_api(client, catalogue, monkeypatch, name, params):
    from cooperation.api import records

    monkeypatch.setattr(records, "BATCH_SIZE", 7)  # several batches
    response = client.get(f"/{name}/export.json", params)
    exported = json.loads(b"".join(response.streaming_content))
    paged, _ = read_all(client, f"/api/{name}/", {**params, "page_size": 11})
    assert exported == paged and len(exported) > 7


def test_each_reference_writes_the_fields_it_declares():
    """Links are written by hand for speed; the OpenAPI document reads their declarations."""
    from cooperation.api import serializers

    country = type("C", (), {"code": "TZ", "name": "Tanzania"})()
    source = type("S", (), {"slug": "s", "title": "T"})()
    organization = type("O", (), {"slug": "o", "name": "O", "acronym": ""})()
    person = type("P", (), {"slug": "p", "name": "P"})()
    link = type(
        "L",
        (),
        {
            "country": country,
            "organization": organization,
            "person": person,
            "role": "host",
            "title": "",
            "source": source,
            "locator": "¶1",
        },
    )()
    event = type("E", (), {"id": 1, "slug": "e", "title": "E"})()
    samples = {
        serializers.CountryRef: country, serializers.CountryLink: link,
        serializers.OrganizationRef: organization, serializers.OrganizationLink: link,
        serializers.PersonLink: link, serializers.ProgrammeRef: organization,
        serializers.SourceRef: source, serializers.Citation: link, serializers.EventRef: event,
    }  # fmt: skip
    assert set(samples) == set(serializers.Reference.__subclasses__())
    for reference, sample in samples.items():
        assert list(reference.write(sample, "https://x")) == list(reference().fields), reference
