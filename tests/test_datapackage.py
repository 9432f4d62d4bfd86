"""The whole catalogue as a Frictionless Data Package: what it holds, that it validates, that
it reloads into an empty catalogue as the same catalogue, and how /downloads/ serves it.

Every test here sees the curated catalogue (conftest's `catalogue`, for the module) with, where
it asks for `hostile`, a few factory-made records whose texts and values a CSV writer can get
wrong. Factories make no countries here: a new country's numeric code could take a real one's.
"""

import datetime
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from frictionless import validate

from cooperation import versions
from cooperation.datapackage import build, schema, tables
from cooperation.datapackage.build import copy_table, write_table
from cooperation.models import CATALOGUE_MODELS, Country, Event, OrganizationCitation

from . import factories as f
from .engines import postgresql_only

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]

UTC = datetime.UTC


@pytest.fixture
def hostile():
    """Records whose cells need quoting, hold line breaks (\\n, \\r), PostgreSQL's end-of-data
    marker, non-Latin script, empty and NULL values, true booleans, zero counts, a timestamp
    with no microseconds, links with titles and notes, and many-to-many links."""
    tanzania = Country.objects.get(code="TZ")
    source = f.SourceFactory(
        title='A "quoted", title',
        published_on=datetime.date(2012, 7, 1),
        url="https://example.org/a?b=1&c=2",
        notes="line one\r\nline two",
    )
    body = f.OrganizationFactory(name="Body, with comma", acronym="\\.", country=tanzania)
    person = f.PersonFactory(name="Fan Xiaojian", native_name="范小建", country=tanzania)
    programme = f.ProgrammeFactory(start_year=2010, end_year=2015, aliases="One\nTwo")
    programme.lead_organizations.add(body)
    programme.countries.add(tanzania)
    parent = f.EventFactory(
        title="=cmd|' /C calc'!A1",
        description='Quote " and, comma\nline\rreturn',
        city="",
        venue="\\.",
        participants=0,
        participants_is_minimum=True,
        end_date=datetime.date(2012, 7, 29),
        end_date_precision="day",
    )
    child = f.EventFactory(
        parent=parent,
        theme="Rural water",
        participant_countries=20,
        participant_countries_is_minimum=True,
        editor_note="范小建 spoke.",
    )
    child.programmes.add(programme)
    f.EventCountryFactory(event=parent, country=tanzania, role="host", note="As the text says")
    f.EventOrganizationFactory(event=parent, organization=body, role="co_organizer")
    f.EventPersonFactory(event=child, person=person, title="Minister, LGOP", organization=body)
    f.EventCitationFactory(event=child, source=source, locator="¶1, line 2")
    OrganizationCitation.objects.create(organization=body, source=source, locator="p. 3")
    Event.objects.filter(pk=parent.pk).update(
        created_at=datetime.datetime(2012, 1, 2, 3, 4, 5, tzinfo=UTC)
    )
    return {"parent": parent, "child": child, "body": body, "source": source}


def delete_records():
    """Delete every row of the package's tables (not the catalogue's version, history or
    loads), within the test's transaction; foreign keys are checked at its end."""
    with connection.cursor() as cursor:
        for table in tables():
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table.model._meta.db_table)}")


def package_bytes(**kwargs) -> bytes:
    out = io.BytesIO()
    build(out, **kwargs)
    return out.getvalue()


def extract(data: bytes, folder):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
    return folder / "datapackage.json"


def events_csv(client) -> bytes:
    response = client.get("/events/export.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def report_errors(report) -> list:
    return report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])


# What the package holds


def test_tables_are_the_records_their_links_and_many_to_many_tables():
    names = [table.name for table in tables()]
    assert names == [
        "country", "source", "organization", "person",
        "programme", "programme_lead_organizations", "programme_countries",
        "event", "event_programmes", "eventcountry", "eventorganization", "eventperson",
        "eventcitation", "organizationcitation", "personcitation", "programmecitation",
    ]  # fmt: skip
    assert {table.model for table in tables()} >= set(CATALOGUE_MODELS)
    assert not [name for name in names if "historical" in name or "catalogue" in name]


def test_every_table_and_field_has_a_description():
    missing = [
        f"{table.name}.{field['name']}"
        for table in tables()
        for field in table.descriptor()["schema"]["fields"]
        if not field["description"].strip()
    ]
    assert not missing, f"Describe these fields in docs/data-model.md: {missing}"
    assert all(table.descriptor()["description"] for table in tables())


def test_descriptions_come_from_the_data_model_page():
    fields = {
        (table.name, field["name"]): field["description"]
        for table in tables()
        for field in table.descriptor()["schema"]["fields"]
    }
    assert fields["country", "alpha3"] == 'ISO alpha-3 ("CHN").'
    # A row about one field beats a row about several: the shared conventions' timestamps.
    assert fields["event", "created_at"] == "When the row was first written."
    # One heading for four models, one row for four fields.
    assert fields["personcitation", "person_id"].startswith("The record whose facts")
    assert fields["eventperson", "title"].startswith("The title held at the time")
    assert "`head_of_delegation` Head of delegation" in fields["eventperson", "role"]
    (event,) = [table for table in tables() if table.name == "event"]
    assert event.descriptor()["description"].startswith("Something the sources say happened")


def test_descriptions_fall_back_to_help_text(tmp_path):
    docs = tmp_path / "data-model.md"
    docs.write_text(
        "## Event (`events.py`)\n\nAn event.\n\n| field | type | meaning |\n| --- | --- | --- |\n"
        "| `slug` | Slug | The address. |\n"
    )
    found = schema.documentation(docs)
    assert found.intros["Event"] == "An event."
    assert schema.describe(Event, "slug", found) == "The address."
    assert schema.describe(Event, "theme", found) == "Subject, as the source names it."
    assert schema.describe(Event, "slug", schema.Documentation({}, {})) == ""


def test_schema_has_types_keys_and_constraints():
    (event,) = [table.descriptor() for table in tables() if table.name == "event"]
    fields = {field["name"]: field for field in event["schema"]["fields"]}
    assert event["schema"]["primaryKey"] == ["id"]
    assert {"fields": "parent_id", "reference": {"resource": "event", "fields": "id"}} in event[
        "schema"
    ]["foreignKeys"]
    assert fields["start_date"]["type"] == "date"
    assert fields["created_at"]["type"] == "datetime"
    assert fields["participants_is_minimum"]["type"] == "boolean"
    assert fields["participants"]["constraints"] == {"minimum": 0}
    assert fields["slug"]["constraints"] == {"required": True, "unique": True, "maxLength": 150}
    assert fields["type"]["constraints"]["enum"][:2] == ["training", "seminar"]
    assert "required" not in fields.get("city", {}).get("constraints", {})
    (programme,) = [table.descriptor() for table in tables() if table.name == "programme"]
    assert {field["name"]: field["type"] for field in programme["schema"]["fields"]}[
        "start_year"
    ] == "year"


# The package


def test_package_validates_with_frictionless(hostile, tmp_path):
    data = package_bytes()
    report = validate(str(extract(data, tmp_path)))
    assert report.valid, report_errors(report)
    package = json.loads((tmp_path / "datapackage.json").read_text())
    version = versions.current()
    assert package["version"] == str(version.number)
    assert package["asOf"] == package["created"]
    assert datetime.datetime.fromisoformat(package["asOf"]) == version.changed_at
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    rows = {resource["name"]: resource["rows"] for resource in package["resources"]}
    assert rows["event"] == Event.objects.count() > 100
    assert rows["event_programmes"] == Event.programmes.through.objects.count()


def test_frictionless_finds_a_broken_foreign_key(hostile, tmp_path):
    """The validation above checks the foreign keys: an event link to no event fails it."""
    descriptor = extract(package_bytes(), tmp_path)
    links = tmp_path / "eventcountry.csv"
    header, first, *rest = links.read_text().split("\n")
    cells = first.split(",")
    cells[1] = "999999"  # event_id
    links.write_text("\n".join([header, ",".join(cells), *rest]))
    package = json.loads(descriptor.read_text())
    for resource in package["resources"]:
        if resource["name"] == "eventcountry":  # the edit changes its size and hash too
            del resource["bytes"], resource["hash"]
    descriptor.write_text(json.dumps(package))
    report = validate(str(descriptor))
    assert not report.valid
    assert [error[3] for error in report_errors(report)] == ["foreign-key"]


def test_cells_follow_postgresqls_csv_rules(hostile, tmp_path):
    extract(package_bytes(), tmp_path)
    events = (tmp_path / "event.csv").read_bytes()
    parent = hostile["parent"]
    assert (
        f"{parent.pk},2012-01-02T03:04:05.000000Z,".encode() in events  # ISO, UTC, microseconds
    )
    assert b'"Quote "" and, comma\nline\rreturn"' in events
    assert b",\\.," in events  # COPY quotes its end-of-data marker only in a one-column file
    assert b",0,true," in events  # a zero count, a true flag
    # Empty text and NULL are both empty cells: the child's end date and precision, city, venue.
    assert f"2012-07-21,day,,,,,{parent.pk},Rural water,".encode() in events


def test_one_version_gives_one_zip_byte_for_byte(hostile):
    assert package_bytes() == package_bytes()


@postgresql_only("COPY exists on PostgreSQL only; SQLite always uses the Python writer")
def test_postgresql_copy_and_the_python_writer_give_the_same_bytes(hostile):
    assert package_bytes(writer=copy_table) == package_bytes(writer=write_table)


def test_build_queries_do_not_grow_with_the_catalogue():
    def count():
        with CaptureQueriesContext(connection) as queries:
            package_bytes()
        return len(queries)

    before = count()
    for event in f.EventFactory.create_batch(5):
        f.EventCitationFactory(event=event)
        f.EventPersonFactory(event=event)
    assert count() == before
    # SQLite: the version, then one query per table; PostgreSQL: COPY is not logged.
    assert before == {"sqlite": 1 + len(tables()), "postgresql": 1}[connection.vendor]


# Loading a package


def test_loading_the_package_into_an_empty_catalogue_gives_the_same_events_csv(
    client, hostile, tmp_path
):
    before = events_csv(client)
    assert before.count(b"\n") > 100
    path = tmp_path / "catalogue.zip"
    call_command("build_datapackage", output=path, stdout=io.StringIO())
    original = zipfile.ZipFile(path)

    delete_records()  # within the test's transaction: rolled back after it
    assert events_csv(client).count(b"\n") == 1  # the header alone
    out = io.StringIO()
    call_command("load_datapackage", path, stdout=out)
    assert "Loaded" in out.getvalue()

    assert events_csv(client) == before
    again = zipfile.ZipFile(io.BytesIO(package_bytes()))
    for table in tables():  # every table as it was, ids included
        assert again.read(table.path) == original.read(table.path), table.path
    # The sequences follow the loaded ids.
    new = f.SourceFactory()
    assert new.pk > max(row.pk for row in type(new).objects.exclude(pk=new.pk))


def test_load_raises_the_catalogue_version(tmp_path):
    path = tmp_path / "catalogue.zip"
    path.write_bytes(package_bytes())
    delete_records()  # raw deletes: no signal, the same version
    before = versions.current().number
    call_command("load_datapackage", path, stdout=io.StringIO())
    assert versions.current().number == before + 1


def test_load_refuses_a_catalogue_with_records(tmp_path):
    path = tmp_path / "catalogue.zip"
    path.write_bytes(package_bytes())
    with pytest.raises(CommandError, match="The catalogue is not empty"):
        call_command("load_datapackage", path, stdout=io.StringIO())


def test_a_dry_run_loads_nothing(tmp_path):
    path = tmp_path / "catalogue.zip"
    path.write_bytes(package_bytes())
    delete_records()
    out = io.StringIO()
    call_command("load_datapackage", path, dry_run=True, stdout=out)
    assert "rolled back" in out.getvalue()
    assert not Event.objects.exists()


def test_load_refuses_a_package_with_other_columns(tmp_path):
    source = zipfile.ZipFile(io.BytesIO(package_bytes()))
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "event.csv":
                data = data.replace(b"editor_note", b"remark", 1)
            target.writestr(name, data)
    delete_records()
    with pytest.raises(CommandError, match=r"event\.csv: the columns are"):
        call_command("load_datapackage", path, stdout=io.StringIO())
    assert not Country.objects.exists()


# /downloads/


@pytest.fixture
def downloads(settings, tmp_path):
    settings.CATALOGUE_DOWNLOADS_DIR = tmp_path / "downloads"  # created when needed
    return settings.CATALOGUE_DOWNLOADS_DIR


def packages(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))


def download(client, **headers):
    response = client.get("/downloads/catalogue.zip", **headers)
    # Reading a streamed response to its end closes it (the test client closes its file).
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_downloads_page_lists_the_tables_and_every_lists_csv(client, downloads):
    response = client.get("/downloads/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/downloads/catalogue.zip"' in page
    assert "not built yet" in page
    assert 'href="#table-eventperson"' in page and 'id="table-eventperson"' in page
    for name in ("events", "countries", "programmes", "organizations", "people", "sources"):
        assert f'href="/{name}/export.csv"' in page
    assert 'href="/downloads/">Downloads</a>' in page  # in the site's navigation

    download(client)
    page = client.get("/downloads/").content.decode()
    assert "not built yet" not in page
    assert f'<td class="num">{Event.objects.count()}</td>' in page


def test_package_download_is_cached_until_the_next_edit(
    client, downloads, django_capture_on_commit_callbacks
):
    response, body = download(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    version = versions.current()
    assert response["ETag"] == version.etag
    assert response["Last-Modified"] == version.last_modified
    assert response["Content-Disposition"] == (
        f'attachment; filename="cooperation-catalogue-{version.changed_at:%Y-%m-%d}.zip"'
    )
    assert zipfile.ZipFile(io.BytesIO(body)).read("datapackage.json")
    assert packages(downloads) == [f"catalogue-{version.number}.zip"]

    not_modified, _ = download(client, HTTP_IF_NONE_MATCH=response["ETag"])
    assert not_modified.status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        f.EventFactory(slug="after-the-download")
    assert versions.current().number > version.number
    changed, new_body = download(client, HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != response["ETag"]
    events = zipfile.ZipFile(io.BytesIO(new_body)).read("event.csv")
    assert b"after-the-download" in events
    # The older version's file is gone.
    assert packages(downloads) == [f"catalogue-{versions.current().number}.zip"]


def test_later_downloads_serve_the_built_file(client, downloads, monkeypatch):
    from cooperation.datapackage import cache

    _, first = download(client)
    monkeypatch.setattr(cache, "build_into", lambda folder: pytest.fail("built again"))
    response, again = download(client)
    assert response.status_code == 200
    assert again == first


def test_package_download_allows_any_origin(client, downloads):
    """Public data: a script on any site may fetch it (django-cors-headers, /downloads/)."""
    response, _ = download(client, HTTP_ORIGIN="https://notebook.example.org")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
