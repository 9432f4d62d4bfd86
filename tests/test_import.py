"""Importing events in the admin (cooperation/imports/, docs/import.md): the events export is a
valid import, a dry run previews every row, confirming writes all rows or none, with history.

The curated catalogue's round trip is last in this module: the `catalogue` fixture stays for
the rest of the module once a test asks for it, and the other tests build their own records.
"""

import datetime
import io

import openpyxl
import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from cooperation.imports.admin import MAX_IMPORT_BYTES, PUBLISH_LABEL
from cooperation.imports.resource import MAX_ROWS
from cooperation.models import (
    Event,
    EventCitation,
    EventCountry,
    EventOrganization,
    EventPerson,
    Organization,
    Person,
    Source,
)

from .factories import PersonFactory, SourceFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/cooperation/event/import/"
CONFIRM_URL = "/admin/cooperation/event/process_import/"
HEADER = "title,type,start_date,countries,organizations,people,sources,description"


def export_csv(client) -> bytes:
    response = client.get("/events/export.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def upload(client, content: bytes, name="events.csv", publish=False, **extra):
    # As a browser posts the form: the hidden resource field, the format left to be found.
    data = {
        "import_file": SimpleUploadedFile(name, content),
        "resource": "0",
        "format": "",
        **extra,
    }
    if publish:
        data["publish"] = "on"
    return client.post(IMPORT_URL, data)


def confirm(client, preview):
    """Post the confirmation form the preview offers."""
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["publish"] = "True" if data.get("publish") else ""
    return client.post(CONFIRM_URL, data)


def import_file(client, content: bytes, **kwargs):
    preview = upload(client, content, **kwargs)
    assert preview.status_code == 200
    assert preview.context.get("confirm_form"), form_errors(preview) or row_errors(preview)
    return confirm(client, preview)


def form_errors(response) -> dict:
    form = response.context.get("form")
    return dict(form.errors) if form is not None else {}


def row_errors(response) -> dict:
    return {row.line: row.errors for row in response.context.get("import_rows") or [] if row.errors}


def rows_of(response) -> dict:
    return {row.slug: row for row in response.context["import_rows"]}


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def editor(client):
    user = User.objects.create_user("importer", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    client.user = user
    return client


# ---- The preview ---------------------------------------------------------------------------


def test_preview_shows_the_links_each_row_makes_and_writes_nothing(editor, sample):
    content = csv_bytes(
        HEADER,
        "Seminar in Dodoma,Seminar or workshop,2014-03,Tanganyika (host); CN (participant),"
        'State Council LGOP (organizer),"Fan Xiaojian (speaker, Minister of LGOP)",'
        "Yearbook 2012 — ¶4,A seminar.",
    )
    response = upload(editor, content)
    assert response.status_code == 200
    assert response.context["confirm_form"]
    (row,) = response.context["import_rows"]
    assert (row.line, row.action, row.status) == (2, "new", "draft")
    links = {(link.kind, str(link.record), link.how, link.role) for link in row.links}
    assert links == {
        ("country", "Tanzania", "alias", "host"),
        ("country", "China", "code", "participant"),
        ("organization", "Leading Group Office (LGOP)", "alias", "organizer"),
        ("person", "Fan Xiaojian", "name", "speaker"),
        ("source", "Yearbook 2012", "name", ""),
    }
    page = response.content.decode()
    assert "matched by alias “Tanganyika”" in page
    assert "Fan Xiaojian (speaker, Minister of LGOP)" in page
    assert not Event.all_objects.filter(title="Seminar in Dodoma").exists()


def test_preview_flags_new_people_and_possible_duplicates_before_creating_them(editor, sample):
    content = csv_bytes(
        HEADER,
        "Visit,Visit or delegation,2014,,Poverty Reduction Centre (host),"
        "Xiaojian Fan (head of delegation); Ana Lopes (guest received),Yearbook 2012 — ¶1,A visit.",
    )
    response = upload(editor, content)
    (row,) = response.context["import_rows"]
    new = {link.written: link for link in row.links if link.is_new}
    assert set(new) == {"Poverty Reduction Centre", "Xiaojian Fan", "Ana Lopes"}
    assert new["Xiaojian Fan"].candidates == [sample["fan"]]
    assert new["Poverty Reduction Centre"].candidates == [sample["iprcc"]]
    assert new["Ana Lopes"].candidates == []
    assert response.context["import_summary"]["duplicates"] == 2
    assert response.context["import_summary"]["created"] == 3
    page = response.content.decode()
    assert "possible duplicate of" in page
    assert f"/admin/cooperation/person/{sample['fan'].pk}/change/" in page
    assert not Person.objects.filter(name__in=["Xiaojian Fan", "Ana Lopes"]).exists()
    assert not Organization.objects.filter(name="Poverty Reduction Centre").exists()


def test_preview_gives_each_rows_errors_by_column_and_offers_no_confirmation(editor, sample):
    content = csv_bytes(
        HEADER,
        "Good row,Training,2014-05-02,Tanzania (host),,,Yearbook 2012 — ¶1,Fine.",
        "Bad row,Party,2014-13,Atlantis (host),,,Almanac — ¶2,Wrong.",
        "No role,Training,2014,Tanzania,,,Yearbook 2012,Missing things.",
        ",,,,,,,",  # a blank row, as spreadsheets leave them, is no event
        "No date,Training,,,,,,D.",
    )
    response = upload(editor, content)
    assert "confirm_form" not in response.context
    errors = row_errors(response)
    assert set(errors) == {3, 4, 6}
    assert errors[6] == [
        ("start_date", "Give the date the event started: 2012, 2012-07 or 2012-07-21.")
    ]
    bad = dict(errors[3])
    assert "“Party” is not a type" in bad["type"]
    assert "“2014-13” is not a date" in bad["start_date"]
    assert bad["countries"] == "No country is named or coded “Atlantis”."
    assert bad["sources"] == "No source has the title or key “Almanac”."
    no_role = dict(errors[4])
    assert "needs its role in brackets" in no_role["countries"]
    assert "needs a locator" in no_role["sources"]
    assert response.context["import_summary"]["failed"] == 3
    assert "Rows with errors: nothing will be imported" in response.content.decode()


def test_rows_without_a_citation_stay_drafts_even_when_publishing(editor, sample):
    content = csv_bytes(
        HEADER,
        "Cited,Training,2014,,,,Yearbook 2012 — ¶1,Cited.",
        "Uncited,Training,2014,,,,,Not cited.",
    )
    response = upload(editor, content, publish=True)
    rows = {row.title: row for row in response.context["import_rows"]}
    assert rows["Cited"].status == "published"
    assert rows["Uncited"].status == "draft"
    assert "Stays a draft: it cites no source." in rows["Uncited"].notes
    confirm(editor, response)
    statuses = dict(
        Event.all_objects.filter(title__in=["Cited", "Uncited"]).values_list("title", "status")
    )
    assert statuses == {"Cited": "published", "Uncited": "draft"}


def test_imported_events_are_drafts_unless_publishing_is_ticked(editor, sample):
    assert PUBLISH_LABEL in editor.get(IMPORT_URL).content.decode()
    response = upload(editor, csv_bytes(HEADER, "Cited,Training,2014,,,,Yearbook 2012 — ¶1,C."))
    confirm(editor, response)
    assert Event.all_objects.get(title="Cited").status == Event.Status.DRAFT


# ---- Writing -------------------------------------------------------------------------------


def test_confirmed_import_writes_events_links_and_new_records(editor, sample):
    content = csv_bytes(
        HEADER + ",parent,participants",
        "Part,Meeting,2014-03-02,Tanzania (host),Leading Group Office (organizer),"
        '"Ana Lopes (speaker, Minister; Chair)",Yearbook 2012 — ¶3,A part.,'
        "http://testserver/events/2014-03-trip/,over 40",
        "Trip,Visit or delegation,2014-03,Mozambique (host),,Ana Lopes (head of delegation),"
        "Yearbook 2012 — ¶2,A trip.,,",
    )
    response = import_file(editor, content, publish=True)
    assert response.status_code == 302
    part = Event.all_objects.get(title="Part")
    trip = Event.all_objects.get(slug="2014-03-trip")
    assert part.parent == trip
    assert (part.participants, part.participants_is_minimum) == (40, True)
    assert (trip.start_date.isoformat(), trip.date_precision) == ("2014-03-01", "month")
    ana = Person.objects.get(name="Ana Lopes")  # created once for both rows
    assert list(part.person_links.values_list("person", "role", "title")) == [
        (ana.pk, "speaker", "Minister; Chair")
    ]
    assert part.organization_links.get().organization == sample["lgop"]
    assert part.citations.get().locator == "¶3"
    assert {part.status, trip.status} == {Event.Status.PUBLISHED}


def test_every_written_record_has_history_with_the_editor(editor, sample):
    content = csv_bytes(
        HEADER,
        "Seminar,Seminar or workshop,2014,Tanzania (host),IPRCC (organizer),"
        "Ana Lopes (speaker),Yearbook 2012 — ¶1,S.",
    )
    import_file(editor, content)
    event = Event.all_objects.get(title="Seminar")
    user = editor.user
    assert event.history.get().history_user == user
    assert Person.objects.get(name="Ana Lopes").history.get().history_user == user
    for model in (EventCountry, EventOrganization, EventPerson, EventCitation):
        (record,) = model.history.filter(event_id=event.pk)
        assert (record.history_type, record.history_user) == ("+", user)
    (entry,) = LogEntry.objects.filter(object_id=str(event.pk))
    assert (entry.user, entry.action_flag) == (user, ADDITION)


def test_a_confirmation_after_the_kept_file_expired_asks_for_it_again(editor, sample):
    preview = upload(editor, csv_bytes(HEADER, "A,Training,2014,,,,,D."))
    cache.clear()
    response = confirm(editor, preview)
    assert response.status_code == 200
    assert "The uploaded file has expired: upload it again." in response.content.decode()
    assert not Event.all_objects.filter(title="A").exists()


def test_one_bad_row_at_confirmation_writes_nothing(editor, sample):
    SourceFactory(slug="news", title="News article")
    content = csv_bytes(
        HEADER,
        "First,Training,2014,,,Ana Lopes (speaker),Yearbook 2012 — ¶1,One.",
        "Second,Training,2015,,,,News article — ¶1,Two.",
    )
    preview = upload(editor, content)
    # Between the preview and the confirmation another editor deletes the second row's source.
    Source.objects.filter(slug="news").delete()
    response = confirm(editor, preview)
    assert response.status_code == 200
    assert "Nothing was imported" in response.content.decode()
    assert row_errors(response)
    assert not Event.all_objects.filter(title="First").exists()
    assert not Person.objects.filter(name="Ana Lopes").exists()


def test_reimporting_the_export_changes_nothing(editor, sample):
    before = export_csv(editor)
    response = import_file(editor, before, publish=True)
    assert response.status_code == 302
    assert export_csv(editor) == before
    assert Event.history.filter(history_user=editor.user).count() == 0


def test_a_row_for_an_existing_slug_updates_that_event(editor, sample):
    content = csv_bytes(
        "url,title,type,start_date,countries",
        "http://example.org/events/2013-seminar/,Seminar in Beijing,Seminar or workshop,2013,"
        "China (host); Tanzania (participant)",
    )
    response = upload(editor, content)
    (row,) = response.context["import_rows"]
    assert row.action == "update"
    confirm(editor, response)
    later = Event.all_objects.get(slug="2013-seminar")
    assert sorted(later.country_links.values_list("country__code", "role")) == [
        ("CN", "host"),
        ("TZ", "participant"),
    ]
    assert later.description == "Later."  # a column the file lacks is kept
    assert later.status == Event.Status.PUBLISHED  # stays published: it still cites a source
    assert Event.all_objects.filter(title="Seminar in Beijing").count() == 1


def test_xlsx_upload(editor, sample):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*HEADER.split(","), "date_precision", "participants"])
    # A spreadsheet keeps a year and a count as numbers, and "2014-07" as a full date.
    sheet.append(
        [
            "Year event",
            "Training",
            2014,
            "China (host)",
            "",
            "",
            "Yearbook 2012 — ¶1",
            "From XLSX.",
            "",
            16,
        ]
    )
    sheet.append(
        [
            "Month event",
            "Training",
            datetime.datetime(2014, 7, 1),
            "",
            "",
            "",
            "Yearbook 2012 — ¶2",
            "From XLSX.",
            "month",
            None,
        ]
    )
    sheet.append([])
    buffer = io.BytesIO()
    book.save(buffer)
    import_file(editor, buffer.getvalue(), name="events.xlsx", publish=True)
    year = Event.all_objects.get(title="Year event")
    assert (year.start_date.isoformat(), year.date_precision) == ("2014-01-01", "year")
    assert (year.participants, year.status) == (16, Event.Status.PUBLISHED)
    assert year.country_links.get().country == sample["china"]
    month = Event.all_objects.get(title="Month event")
    assert (month.start_date.isoformat(), month.date_precision) == ("2014-07-01", "month")


# ---- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "events.csv",
            "title,type,start_date\nSéminaire,Training,2014\n".encode("latin-1"),
            "not UTF-8",
        ),
        ("events.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not UTF-8"),
        ("events.xlsx", b"title,type\n", "cannot be read as XLSX"),
        ("events.csv", b"Dear editors,\nhere are the events you asked for.\n", "Unknown column"),
        ("events.csv", b"title,type\nA,Training\n", "Missing column: start_date"),
        ("events.csv", b"title,type,start_date\n", "No valid data to import"),
        ("events.txt", b"title,type,start_date\nA,Training,2014\n", "Choose the format"),
    ],
)
def test_unreadable_files_get_a_message_on_the_form(editor, sample, name, content, message):
    response = upload(editor, content, name=name)
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    errors = " ".join(str(error) for errors in form_errors(response).values() for error in errors)
    assert message in errors
    assert message in response.content.decode()


def test_a_file_with_too_many_rows_is_refused(editor, sample):
    rows = [f"Event {n},Training,2014,,,,,D." for n in range(MAX_ROWS + 1)]
    response = upload(editor, csv_bytes(HEADER, *rows))
    assert "at most 1,000 are imported at once" in str(form_errors(response)["import_file"])
    assert not Event.all_objects.filter(title="Event 1").exists()


def test_a_file_over_the_size_limit_is_refused(editor, sample):
    content = HEADER.encode() + b"\n" + b"x" * MAX_IMPORT_BYTES * 2
    response = upload(editor, content)
    assert response.status_code == 200
    assert "the limit is 5 MB" in str(form_errors(response)["import_file"])


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("A,Training,2014-02-30,,,,,D.", "start_date", "“2014-02-30” is not a date"),
        ("A,Training,1066-99,,,,,D.", "start_date", "“1066-99” is not a date"),
        ("A,Training,2014,Narnia (host),,,,D.", "countries", "No country is named or coded"),
        ("A,Training,2014,XX (host),,,,D.", "countries", "No country is named or coded “XX”"),
        ("A,Training,2014,,,Ana (speaker; x,,D.", "people", "needs its role in brackets"),
        ("A,Training,2014,,,,,D.\nA,Training,2014,,,,,D.", "url", "Row 2 already imports"),
        ("A,Training,2014,,,,no-such-source — ¶1,D.", "sources", "No source has the title"),
        ("A,Training,2014,,Somebody (boss),,,D.", "organizations", "needs its role"),
        ("A,Training,2014,,,,,", "description", "This field cannot be blank."),
        ("T" * 301 + ",Training,2014,,,,,D.", "title", "at most 300 characters"),
    ],
)
def test_bad_cells_are_row_errors(editor, sample, row, column, message):
    response = upload(editor, csv_bytes(HEADER, row))
    assert response.status_code == 200
    ((_line, errors),) = row_errors(response).items()
    assert message in dict(errors)[column]
    assert "confirm_form" not in response.context


def test_a_tampered_confirmation_is_refused_without_an_error_page(editor, sample):
    response = editor.post(
        CONFIRM_URL, {"import_file_name": "x", "original_file_name": "x", "format": "9"}
    )
    assert response.status_code == 200
    assert not Event.all_objects.exclude(
        pk__in=[e.pk for e in sample.values() if isinstance(e, Event)]
    ).exists()


def test_an_end_before_the_start_and_an_event_part_of_itself_are_row_errors(editor, sample):
    response = upload(
        editor,
        csv_bytes(
            "url,title,type,start_date,end_date,parent,description",
            "/events/a/,A,Training,2014-05,2014-04,,D.",
            "/events/2013-seminar/,Seminar,Seminar,2013,,/events/2013-seminar/,D.",
        ),
    )
    errors = row_errors(response)
    assert dict(errors[2])["end_date"] == "The end date cannot be before the start date."
    assert dict(errors[3])["parent"] == "An event cannot be part of itself."


def test_a_name_several_people_go_by_is_an_error_and_their_key_resolves_it(editor, sample):
    PersonFactory(slug="fan-xiaojian-2", name="Fan Xiaojian")
    response = upload(editor, csv_bytes(HEADER, "A,Training,2014,,,Fan Xiaojian (speaker),,D."))
    ((_line, errors),) = row_errors(response).items()
    assert "may be any of “fan-xiaojian”, “fan-xiaojian-2”" in dict(errors)["people"]
    response = upload(editor, csv_bytes(HEADER, "A,Training,2014,,,fan-xiaojian-2 (speaker),,D."))
    (row,) = response.context["import_rows"]
    assert [(link.record.slug, link.how) for link in row.links] == [("fan-xiaojian-2", "key")]


def test_without_countries_the_host_codes_give_the_hosts(editor, sample):
    content = csv_bytes(
        "title,type,start_date,host_country,host_country_code,description",
        'A,Training,2014,"Ignored; names","MZ; TZ",D.',
    )
    import_file(editor, content)
    event = Event.all_objects.get(title="A")
    assert sorted(event.country_links.values_list("country__code", "role")) == [
        ("MZ", "host"),
        ("TZ", "host"),
    ]


def test_a_source_is_found_by_its_key_too(editor, sample):
    response = upload(editor, csv_bytes(HEADER, "A,Training,2014,,,,yearbook — ¶1,D."))
    (row,) = response.context["import_rows"]
    assert [(link.record, link.detail) for link in row.links] == [(sample["source"], "¶1")]


def test_an_editor_without_the_add_permission_cannot_import(client, sample):
    user = User.objects.create_user("reader", password="a-long-reader-password", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_event", "change_event"])
    )
    client.force_login(user)
    assert client.get(IMPORT_URL).status_code == 403
    response = upload(client, csv_bytes(HEADER, "A,Training,2014,,,,,D."))
    assert response.status_code == 403
    assert client.post(CONFIRM_URL, {"import_file_name": "x", "format": "0"}).status_code == 403
    assert "import_link" not in client.get("/admin/cooperation/event/").content.decode()
    assert not Event.all_objects.filter(title="A").exists()


def test_editors_see_the_import_button(editor, sample):
    page = editor.get("/admin/cooperation/event/").content.decode()
    assert f'href="{IMPORT_URL}"' in page
    assert editor.get(IMPORT_URL).status_code == 200


# ---- The curated catalogue's round trip (last: it keeps the catalogue for the module) ------


def test_the_catalogue_export_imports_back_byte_for_byte(admin_client, catalogue):
    before = export_csv(admin_client)
    assert before.count(b"\n") > 100
    Event.all_objects.update(parent=None)
    Event.all_objects.all().delete()  # links and citations go with them
    assert not EventCountry.all_objects.exists()
    preview = upload(admin_client, before, publish=True)
    assert not row_errors(preview)
    assert preview.context["import_summary"]["created"] == 0
    assert preview.context["import_summary"]["drafts"] == 0
    assert not Event.all_objects.exists()  # the preview wrote nothing
    response = confirm(admin_client, preview)
    assert response.status_code == 302
    assert export_csv(admin_client) == before
    # The ids the file gave moved the id sequence past them (PostgreSQL): a new event's is free.
    event = Event.all_objects.create(
        slug="after", title="After", type="training", start_date="2015-01-01", description="A."
    )
    assert event.pk > max(Event.all_objects.exclude(pk=event.pk).values_list("pk", flat=True))
