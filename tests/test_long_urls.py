"""Addresses longer than the site answers (cooperation/middleware.py, config/gunicorn.py)."""

import socket
import tempfile
from pathlib import Path

import pytest

from bench.serve import gunicorn, manage, production_env
from cooperation.middleware import MAX_URL_LENGTH


def padded(prefix: str, length: int) -> str:
    """`prefix` plus an ignored parameter, `length` characters in all."""
    start = prefix + ("&" if "?" in prefix else "?") + "pad="
    assert len(start) < length
    return start + "x" * (length - len(start))


@pytest.mark.django_db
def test_an_address_of_the_longest_length_is_answered(client):
    url = padded("/events/?q=aid", MAX_URL_LENGTH)
    assert len(url) == MAX_URL_LENGTH
    assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["/events/?q=aid", "/events/slug/", "/admin/", "/no-such-page/"])
def test_a_longer_address_gets_a_page_that_explains(client, prefix):
    response = client.get(padded(prefix, MAX_URL_LENGTH + 1))
    assert response.status_code == 414
    body = response.content.decode()
    assert "<h1>That address is too long</h1>" in body
    assert f"It has {MAX_URL_LENGTH + 1:,} characters" in body
    assert 'href="/events/"' in body  # the site's page, with its navigation
    assert "x" * 100 not in body  # the address is not echoed back


@pytest.mark.django_db
def test_a_long_path_counts_too(client):
    response = client.get("/events/" + "a" * MAX_URL_LENGTH + "/")
    assert response.status_code == 414
    assert "That address is too long" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["/api/events/?q=aid", "/api/events/some-key/", "/api/nowhere/"])
def test_a_longer_api_address_gets_json(client, prefix):
    response = client.get(padded(prefix, MAX_URL_LENGTH + 1))
    assert response.status_code == 414
    assert response["Content-Type"] == "application/json"
    problem = f"the address is {MAX_URL_LENGTH + 1} characters long"
    assert response.json()["detail"].startswith("URI too long: " + problem)
    assert response.json()["errors"][0].startswith(problem)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "prefix", ["/events/export.csv?q=aid", "/countries/export.json", "/downloads/catalogue.zip"]
)
def test_a_longer_export_address_gets_one_line_of_text(client, prefix):
    response = client.get(padded(prefix, MAX_URL_LENGTH + 1))
    assert response.status_code == 414
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        f"URI too long: the address is {MAX_URL_LENGTH + 1} characters long; "
        f"this site answers addresses of up to {MAX_URL_LENGTH}.\n"
    )


# ---- Through gunicorn -----------------------------------------------------------------------

GUNICORN_MAX_REQUEST_LINE = 8190  # config/gunicorn.py: limit_request_line


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """gunicorn as production runs it (config/gunicorn.py), on a SQLite file."""
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'db.sqlite3'}"
        manage(production_env(database_url, Path(tmp) / "static"), "migrate", "-v0")
        port = free_port()
        with gunicorn(database_url, port=port, workers=1):
            yield port


def request_line(port: int, target: str) -> tuple[int, str]:
    """Send `GET target HTTP/1.1` as it is, with no client library shortening or refusing it;
    the status and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks).decode("utf-8", "replace")
    head, _, body = answer.partition("\r\n\r\n")
    return int(head.split()[1]), body


def test_gunicorn_accepts_every_address_the_app_answers(server):
    status, _ = request_line(server, padded("/events/?q=aid", MAX_URL_LENGTH))
    assert status == 200


@pytest.mark.parametrize(
    "length",
    [
        MAX_URL_LENGTH + 1,
        # The longest request line gunicorn reads: "GET " + target + " HTTP/1.1".
        GUNICORN_MAX_REQUEST_LINE - len("GET  HTTP/1.1"),
    ],
)
def test_gunicorn_passes_longer_addresses_to_the_app_which_explains(server, length):
    status, body = request_line(server, padded("/events/?q=aid", length))
    assert status == 414
    assert "<h1>That address is too long</h1>" in body


def test_beyond_gunicorns_limit_gunicorn_answers_alone(server):
    """Pins gunicorn's limit: one character more and the app never sees the request."""
    length = GUNICORN_MAX_REQUEST_LINE - len("GET  HTTP/1.1") + 1
    status, body = request_line(server, padded("/events/?q=aid", length))
    assert status in (400, 414)
    assert "That address is too long" not in body
