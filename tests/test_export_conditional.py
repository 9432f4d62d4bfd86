"""Conditional requests on the exports: ETag and Last-Modified from the catalogue's version,
304 when the client's copy is current, and validation before any of it."""

import pytest
from django.utils.http import http_date

from cooperation import versions

pytestmark = pytest.mark.django_db

EXPORTS = [
    "/events/export.csv",  # on PostgreSQL: COPY
    "/events/export.json",
    "/events/export.csv?country=tz&fields=id,title&bom=1",
    "/countries/export.json?region=africa",
    "/years/export.csv",
]


@pytest.fixture
def version(db):
    """The current version (its row made again if a flush removed it: see versions.current)."""
    return versions.current()


def read(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("url", EXPORTS)
def test_every_export_carries_the_catalogue_versions_validators(client, sample, version, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.streaming
    assert response["ETag"] == version.etag
    assert response["Last-Modified"] == version.last_modified
    assert set(response["Cache-Control"].split(", ")) == {"public", "no-cache"}
    read(response)


@pytest.mark.parametrize("url", EXPORTS)
def test_a_matching_if_none_match_is_a_304_without_a_body(client, sample, version, url):
    response = client.get(url, headers={"if-none-match": version.etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == version.etag
    assert "Content-Disposition" not in response
    assert "no-cache" in response["Cache-Control"]


def test_a_304_costs_one_query(client, sample, version, django_assert_num_queries):
    with django_assert_num_queries(1):  # the version; nothing of the export runs
        response = client.get("/events/export.csv", headers={"if-none-match": version.etag})
    assert response.status_code == 304


def test_the_etag_is_compared_weakly_and_in_a_list(client, sample, version):
    strong = version.etag.removeprefix("W/")
    response = client.get("/events/export.json", headers={"if-none-match": f'"x", {strong}'})
    assert response.status_code == 304


def test_another_etag_gets_the_file(client, sample, version):
    response = client.get("/events/export.csv", headers={"if-none-match": 'W/"older"'})
    assert response.status_code == 200
    assert read(response).startswith(b"id,url,title")


def test_if_modified_since(client, sample, version):
    changed = version.changed_at.timestamp()
    same = client.get("/events/export.csv", headers={"if-modified-since": version.last_modified})
    assert same.status_code == 304
    earlier = client.get(
        "/events/export.csv", headers={"if-modified-since": http_date(changed - 2)}
    )
    assert earlier.status_code == 200
    read(earlier)


def test_if_none_match_wins_over_if_modified_since(client, sample, version):
    response = client.get(
        "/events/export.csv",
        headers={"if-none-match": 'W/"older"', "if-modified-since": version.last_modified},
    )
    assert response.status_code == 200
    read(response)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/events/export.csv?country=zz", "country: Select a valid choice"),
        ("/events/export.json?fields=nope", "fields: “nope” is not a field"),
        ("/years/export.csv?year=x", "year: “x” is not a year."),
    ],
)
def test_a_bad_query_is_a_400_whatever_the_client_holds(client, sample, version, url, message):
    response = client.get(
        url,
        headers={"if-none-match": version.etag, "if-modified-since": version.last_modified},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "ETag" not in response


@pytest.mark.django_db(transaction=True)  # the version rises when a transaction commits
def test_an_edit_gives_a_fresh_etag_and_the_old_one_gets_the_new_file(client):
    from cooperation.models import Event

    from .factories import EventFactory

    event = EventFactory(title="Before")
    first = client.get("/events/export.csv", {"fields": "title"})
    assert read(first) == b"title\nBefore\n"
    old = first["ETag"]
    assert (
        client.get("/events/export.csv?fields=title", headers={"if-none-match": old}).status_code
        == 304
    )

    event = Event.objects.get(pk=event.pk)
    event.title = "After"
    event.save()

    again = client.get("/events/export.csv?fields=title", headers={"if-none-match": old})
    assert again.status_code == 200
    assert read(again) == b"title\nAfter\n"
    assert again["ETag"] != old
    assert again["ETag"] == versions.current().etag
    fresh = client.get("/events/export.csv?fields=title", headers={"if-none-match": again["ETag"]})
    assert fresh.status_code == 304
