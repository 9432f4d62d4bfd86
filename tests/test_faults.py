"""Faults: a database outage is a friendly 503, and the site recovers by itself."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from .engines import postgresql_only
from .factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    yield monkeypatch
    monkeypatch.undo()  # the database is back before the test database is cleaned up


@pytest.mark.parametrize(
    "url", ["/", "/events/", "/events/export.csv", "/countries/tz/", "/events/some-event/"]
)
def test_unreachable_database_gives_a_friendly_503(client, url, database_down):
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "temporarily unavailable" in body
    assert "Traceback" not in body and "OperationalError" not in body


@pytest.fixture
def event(db):
    return EventFactory(title="Still here")


def test_the_site_recovers_when_the_database_returns(client, event, database_down):
    client.raise_request_exception = False
    assert client.get("/events/").status_code == 503
    database_down.undo()
    response = client.get("/events/")
    assert response.status_code == 200
    assert "Still here" in response.content.decode()


@postgresql_only("SQLite is a file: there is no server to lose")
def test_postgresql_connections_time_out_quickly_and_are_health_checked(settings):
    database = settings.DATABASES["default"]
    assert database["OPTIONS"]["connect_timeout"] <= 5
    assert database["CONN_HEALTH_CHECKS"] is True


@postgresql_only("SQLite is a file: there is no server to lose")
@pytest.mark.django_db(transaction=True)  # the connection is killed: no test transaction on it
@pytest.mark.parametrize(
    "url", ["/events/export.csv", "/events/export.json", "/countries/export.csv"]
)
def test_an_export_after_the_server_dropped_the_connection_is_complete(client, url):
    """PostgreSQL restarted (or a pooler cut idle connections) between two requests: the
    export's first statement must not meet the dead connection once headers are out."""
    import psycopg
    from django.db import connection

    EventFactory.create_batch(3, title="Still here")
    before = b"".join(client.get(url).streaming_content)
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"],
        dbname=settings_dict["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    connection.close_if_unusable_or_obsolete()  # what request_started does outside tests
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == before


@postgresql_only("the database writes the CSV on PostgreSQL only")
def test_an_export_whose_first_statement_fails_is_a_503_not_a_cut_download(
    client, event, monkeypatch
):
    from cooperation import exports_sql

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(exports_sql, "copy_statement", lost)
    client.raise_request_exception = False
    response = client.get("/events/export.csv")
    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()
