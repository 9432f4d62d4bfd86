"""Exports that are complete or visibly incomplete (docs/csv.md, "Checking that a download is
complete"): X-Record-Count gives the number of records, counted in the snapshot the rows are
read in, and a failure once streaming has begun aborts the transfer instead of ending it.

The first part runs in process; the second cuts real downloads from gunicorn, run with the
production configuration (config/gunicorn.py), by killing its worker or, on PostgreSQL, the
export's database connection, over HTTP/1.1 (chunked) and HTTP/1.0 (no framing to break).
"""

import csv
import http.client
import io
import json
import os
import signal
import socket
import sqlite3
import tempfile
import threading
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.urls import resolve

from bench.serve import gunicorn
from cooperation import exports, exports_sql
from cooperation.api import records
from cooperation.lists import LISTS

from .conftest import empty_catalogue
from .engines import postgresql_only
from .factories import EventFactory


def csv_records(body: bytes) -> int | None:
    """The number of records in a CSV body (after its header line); None if it does not parse
    (a download cut inside a quoted cell or a character)."""
    try:
        text = body.decode("utf-8-sig")
        return len(list(csv.reader(io.StringIO(text, newline="")))) - 1
    except (UnicodeDecodeError, csv.Error):
        return None


def json_records(body: bytes) -> int | None:
    """The number of objects in a JSON export; None if it does not parse."""
    try:
        return len(json.loads(body))
    except ValueError:
        return None


def received(extension: str, body: bytes) -> int | None:
    return (csv_records if extension == "csv" else json_records)(body)


# ---- In process -------------------------------------------------------------------------


QUERIES = [  # every list; a filter, a sort by a count (a ranking), a choice of columns
    *((name, "") for name in LISTS),
    ("events", "country=tz&sort=title"),
    ("events", "q=water"),
    ("events", "sort=-participants&fields=id,title"),
    ("countries", "sort=-events"),
    ("organizations", "sort=-events&fields=slug"),
    ("years", "country=cn"),
]


@pytest.mark.parametrize("extension", ["csv", "json"])
@pytest.mark.parametrize(("name", "query"), QUERIES)
def test_the_record_count_is_the_number_of_records_written(client, sample, name, query, extension):
    response = client.get(f"/{name}/export.{extension}?{query}")
    assert response.status_code == 200
    number = received(extension, b"".join(response.streaming_content))
    assert number == int(response["X-Record-Count"])
    if not query:
        assert number > 0  # a test of an empty file could not fail


@pytest.fixture
def python_writer(monkeypatch):
    """The events CSV from the Python writer on PostgreSQL too (SQLite has no other)."""
    arguments = resolve("/events/export.csv").func.view_initkwargs  # as_view(catalogue_list=…)
    python_only = replace(arguments["catalogue_list"], sql_writer=False)
    monkeypatch.setitem(arguments, "catalogue_list", python_only)


@postgresql_only("on SQLite the Python writer is the only one (tested above)")
def test_the_python_writer_counts_the_events_on_postgresql_too(client, sample, python_writer):
    response = client.get("/events/export.csv?country=tz")
    body = b"".join(response.streaming_content)
    assert csv_records(body) == int(response["X-Record-Count"]) == 3


def test_scripts_in_browsers_may_read_the_record_count(client, sample):
    response = client.get("/events/export.csv", headers={"origin": "https://example.org"})
    exposed = response["Access-Control-Expose-Headers"].lower().split(", ")
    assert "x-record-count" in exposed


def test_answers_without_a_download_carry_no_count(client, sample):
    first = client.get("/events/export.csv")
    b"".join(first.streaming_content)
    again = client.get("/events/export.csv", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert "X-Record-Count" not in again
    assert "X-Record-Count" not in client.get("/events/export.csv?country=zz")


LOST = "server closed the connection unexpectedly"


def fail_after(function, calls: int):
    """`function` that raises OperationalError (a lost connection) once it has been called
    `calls` times."""
    done = []

    def failing(*args, **kwargs):
        if len(done) == calls:
            raise OperationalError(LOST)
        done.append(1)
        return function(*args, **kwargs)

    return failing


def cut_short(response) -> bytes:
    """What a server gets from the response before its iterator raises; the error must reach
    the server (which then aborts the transfer), never end the body cleanly."""
    assert response.status_code == 200
    chunks = []
    with pytest.raises(OperationalError, match=LOST):
        for chunk in response.streaming_content:
            chunks.append(chunk)
    assert chunks, "the failure came before the first chunk: that is a 503, not a cut"
    return b"".join(chunks)


def test_a_failure_in_the_python_writer_propagates_after_the_first_chunk(
    client, sample, monkeypatch, python_writer
):
    monkeypatch.setattr(exports, "BATCH_SIZE", 1)
    batched = exports.batched

    def third_batch_lost(iterable, size):
        for number, batch in enumerate(batched(iterable, size)):
            if number == 2:
                raise OperationalError(LOST)
            yield batch

    monkeypatch.setattr(exports, "batched", third_batch_lost)
    response = client.get("/events/export.csv")
    body = cut_short(response)
    assert response["X-Record-Count"] == "4"
    assert csv_records(body) == 2


@postgresql_only("the database writes the CSV on PostgreSQL only")
def test_a_failure_in_the_copy_writer_propagates_after_the_first_chunk(client, sample, monkeypatch):
    monkeypatch.setattr(exports_sql, "ONE_STATEMENT", 0)  # two statements, the second fails
    monkeypatch.setattr(exports_sql, "FIRST_SLICE", 1)
    monkeypatch.setattr(exports_sql, "CHUNK_BYTES", 1)  # every row its own chunk
    monkeypatch.setattr(exports_sql, "copy_statement", fail_after(exports_sql.copy_statement, 1))
    response = client.get("/events/export.csv")
    body = cut_short(response)
    assert response["X-Record-Count"] == "4"
    assert csv_records(body) == 1  # the first slice, of one event


def test_a_failure_in_the_json_writer_propagates_after_the_first_chunk(client, sample, monkeypatch):
    monkeypatch.setattr(records, "BATCH_SIZE", 1)
    monkeypatch.setattr(records, "with_event_counts", fail_after(records.with_event_counts, 2))
    response = client.get("/events/export.json")
    body = cut_short(response)
    assert response["X-Record-Count"] == "4"
    assert json_records(body) is None  # no closing bracket: not JSON
    assert body.count(b'\n{"id": ') == 2


@postgresql_only("a snapshot other connections can write beside is PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # the export's own transaction must be the outermost
@pytest.mark.parametrize(
    "url", ["/events/export.csv", "/events/export.json", "/countries/export.csv?sort=-events"]
)
def test_the_count_and_the_rows_are_read_in_one_snapshot(client, monkeypatch, url):
    """Events added by another connection once the first chunk is out are in neither."""
    from .factories import CountryFactory, EventCountryFactory

    monkeypatch.setattr(exports_sql, "ONE_STATEMENT", 0)  # the edit between two statements
    monkeypatch.setattr(exports_sql, "FIRST_SLICE", 1)
    monkeypatch.setattr(exports_sql, "CHUNK_BYTES", 1)
    monkeypatch.setattr(records, "BATCH_SIZE", 1)
    tanzania = CountryFactory(code="TZ", name="Tanzania")
    for event in EventFactory.create_batch(3):
        EventCountryFactory(event=event, country=tanzania, role="host")
    response = client.get(url)
    chunks = iter(response.streaming_content)
    first = next(chunks)

    def edit():  # its own thread: its own connection, committed at once

        CountryFactory(code="MZ", name="Mozambique")
        for event in EventFactory.create_batch(2):
            EventCountryFactory(event=event, country=tanzania, role="host")
        connection.close()

    editor = threading.Thread(target=edit)
    editor.start()
    editor.join()
    body = first + b"".join(chunks)
    extension = url.split("?")[0].rsplit(".", 1)[1]
    expected = 1 if url.startswith("/countries/") else 3
    assert received(extension, body) == int(response["X-Record-Count"]) == expected


# ---- Through gunicorn ---------------------------------------------------------------------

# Enough events that a full export outlasts what the kernel buffers between server and
# client (about 4 MB here; the client's receive window is kept small): when a download is cut,
# the server was still writing it. About 7 MB of CSV and 30 MB of JSON.
EVENTS = 10_000
RECEIVE_BUFFER = 16 * 1024
FIRST_READ = 64 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(settings_dict) -> str:
    """The test database as a URL for the server's DATABASE_URL (PostgreSQL)."""
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{settings_dict['NAME']}"


class Server:
    def __init__(self, port: int, pid_file: Path):
        self.port, self.pid_file = port, pid_file

    def worker(self) -> int:
        """The pid of the one worker (started with one)."""
        master = int(self.pid_file.read_text())
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        assert len(children) == 1, children
        return int(children[0])


def is_test_database(settings_dict) -> bool:
    name = settings_dict["NAME"]
    return name.startswith("test_") or "mode=memory" in name


@pytest.fixture(scope="class")
def server(django_db_setup, django_db_blocker):
    """gunicorn with the production configuration, serving EVENTS synthetic events from the
    test database (PostgreSQL) or from a copy of it in a file (SQLite: the test database is
    in this process's memory). One worker, so that the one serving a download is known.

    The tests that use it are marked django_db: pytest-django creates the test database only
    when a selected test asks for one, and this fixture writes (and then empties) it."""
    # It writes 10,000 events and then deletes every record: never outside a test database.
    assert is_test_database(connection.settings_dict), connection.settings_dict["NAME"]
    with tempfile.TemporaryDirectory() as tmp, django_db_blocker.unblock():
        call_command("synthesize", events=EVENTS, stdout=io.StringIO())
        try:
            if connection.vendor == "sqlite":
                path = Path(tmp) / "db.sqlite3"
                connection.ensure_connection()
                with closing(sqlite3.connect(path)) as copy:
                    connection.connection.backup(copy)
                url = f"sqlite:///{path}"
            else:
                url = database_url(connection.settings_dict)
            port, pid_file = free_port(), Path(tmp) / "gunicorn.pid"
            with gunicorn(url, port=port, workers=1, pid_file=pid_file):
                yield Server(port, pid_file)
        finally:
            empty_catalogue()


class SmallWindow(http.client.HTTPConnection):
    """HTTP/1.1 with a small receive buffer, so that the server cannot get far ahead."""

    def connect(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        self.sock.settimeout(60)
        self.sock.connect((self.host, self.port))


def http11(server, path, cut=None) -> tuple[int, bytes, bool]:
    """GET over HTTP/1.1: (X-Record-Count, body, complete). `cut()` runs after the first
    FIRST_READ bytes; `complete` is False when http.client saw the body end without its last
    chunk (IncompleteRead)."""
    client = SmallWindow("127.0.0.1", server.port)
    try:
        client.request("GET", path)
        response = client.getresponse()
        assert response.status == 200
        assert response.getheader("Transfer-Encoding") == "chunked"
        count = int(response.getheader("X-Record-Count"))
        body = response.read(FIRST_READ)
        if cut:
            cut()
        try:
            return count, body + response.read(), True
        except http.client.IncompleteRead as error:
            return count, body + error.partial, False
    finally:
        client.close()


def http10(server, path, cut=None) -> tuple[int, bytes]:
    """GET over HTTP/1.0, as a proxy with default settings asks upstream: the body is
    whatever comes before the connection closes. (X-Record-Count, body)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        sock.settimeout(60)
        sock.connect(("127.0.0.1", server.port))
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        assert status_line.split()[1] == "200", status_line
        headers = {
            name.lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines)
        }
        assert "transfer-encoding" not in headers and "content-length" not in headers
        while True:
            if cut and len(body) >= FIRST_READ:
                cut()
                cut = None
            try:
                chunk = sock.recv(1 << 20)
            except ConnectionResetError:
                break
            if not chunk:
                break
            body += chunk
    return int(headers["x-record-count"]), body


def kill_worker(server):
    os.kill(server.worker(), signal.SIGKILL)


def terminate_export_backend():
    """pg_terminate_backend on the one connection in a transaction: the export's snapshot (the
    server's other connections, and this process's, are idle outside any)."""
    import psycopg

    settings_dict = connection.settings_dict
    ours = [connection.connection.info.backend_pid] if connection.connection else []
    with psycopg.connect(database_url(settings_dict), autocommit=True) as admin:
        pids = [
            pid
            for (pid,) in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
                " AND backend_type = 'client backend' AND xact_start IS NOT NULL"
                " AND NOT pid = ANY(%s)",
                [settings_dict["NAME"], ours],
            )
        ]
        assert len(pids) == 1, pids
        admin.execute("SELECT pg_terminate_backend(%s)", pids)


WHOLE = "/events/export.{}?type=training"  # about a tenth of the events
FULL = "/events/export.{}"


# One server for these tests only: a transactional test elsewhere in this module empties the
# database after its run (pytest-django runs those last), and they need the events.
@pytest.mark.django_db  # the test database exists (see `server`)
class TestCutDownloads:
    @pytest.mark.parametrize("extension", ["csv", "json"])
    def test_a_whole_download_holds_the_records_the_header_counts(self, server, extension):
        count, body, complete = http11(server, WHOLE.format(extension))
        assert complete
        assert received(extension, body) == count > 0
        count_10, body_10 = http10(server, WHOLE.format(extension))
        assert (count_10, body_10) == (count, body)

    @pytest.mark.parametrize("extension", ["csv", "json"])
    def test_a_download_cut_by_a_killed_worker_is_visibly_incomplete(self, server, extension):
        count, body, complete = http11(
            server, FULL.format(extension), cut=lambda: kill_worker(server)
        )
        assert count == EVENTS
        assert not complete  # chunked: no last chunk, IncompleteRead
        assert received(extension, body) != count
        count, body = http10(server, FULL.format(extension), cut=lambda: kill_worker(server))
        assert count == EVENTS
        assert received(extension, body) != count  # over HTTP/1.0 only the count tells

    @postgresql_only("SQLite has no server connection to lose")
    @pytest.mark.parametrize("extension", ["csv", "json"])
    def test_a_download_cut_by_the_database_is_visibly_incomplete(self, server, extension):
        count, body, complete = http11(server, FULL.format(extension), cut=terminate_export_backend)
        assert count == EVENTS
        assert not complete
        assert received(extension, body) != count
        count, body = http10(server, FULL.format(extension), cut=terminate_export_backend)
        assert count == EVENTS
        assert received(extension, body) != count
