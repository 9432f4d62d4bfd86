"""Faults: a database outage is a friendly 503, and the site recovers by itself."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

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


def test_postgresql_connections_time_out_quickly_and_are_health_checked(settings):
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("SQLite is a file: there is no server to lose")
    assert database["OPTIONS"]["connect_timeout"] <= 5
    assert database["CONN_HEALTH_CHECKS"] is True
