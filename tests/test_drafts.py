"""Drafts: an event is a draft until it cites a source and an editor publishes it. Drafts
never appear on public pages, in counts, exports, citations downloads, the API or the data
package; editors see them in the admin with their status."""

import csv
import datetime
import io
import json
import zipfile

import pytest
from django.db import connection
from django.urls import reverse

from cooperation import models
from cooperation.datapackage.build import build, copy_table, write_table

from .factories import (
    CitedEventFactory,
    CountryFactory,
    EventCitationFactory,
    EventCountryFactory,
    EventFactory,
    EventOrganizationFactory,
    EventPersonFactory,
    OrganizationFactory,
    PersonFactory,
    ProgrammeFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

DRAFT = models.Event.Status.DRAFT
PUBLISHED = models.Event.Status.PUBLISHED
# Words that appear nowhere but in the draft and what only it links to.
DRAFT_TITLE = "Unannounced Zanzibar roundtable"
DRAFT_SLUG = "unannounced-zanzibar-roundtable"


@pytest.fixture
def catalogue():
    """A published trip with a published part, and a draft part under the same trip linked to
    a country, an organization, a person and a programme that published events also use, and
    citing a paragraph of its own."""
    tanzania = CountryFactory(code="TZ", name="Tanzania")
    kenya = CountryFactory(code="KE", name="Kenya")  # linked to the draft only
    source = SourceFactory(slug="news", text="First paragraph.\nSecond paragraph.\n")
    programme = ProgrammeFactory(slug="exchange", name="Exchange programme")
    body = OrganizationFactory(slug="iprcc", name="IPRCC")
    person = PersonFactory(slug="fan-xiaojian", name="Fan Xiaojian")
    trip = CitedEventFactory(
        slug="visit", title="Visit to Tanzania", type=models.Event.Type.VISIT,
        start_date=datetime.date(2012, 7, 20),
    )  # fmt: skip
    seminar = EventFactory(slug="seminar", title="Seminar in Dar es Salaam", parent=trip)
    EventCitationFactory(event=seminar, source=source, locator="¶1")
    draft = EventFactory(
        slug=DRAFT_SLUG, title=DRAFT_TITLE, status=DRAFT, parent=trip,
        start_date=datetime.date(2012, 7, 22), description="Not yet checked.",
    )  # fmt: skip
    for event in (seminar, draft):
        EventCountryFactory(event=event, country=tanzania, role="host")
        EventOrganizationFactory(event=event, organization=body, role="organizer")
        EventPersonFactory(event=event, person=person, role="speaker")
        event.programmes.add(programme)
    EventCountryFactory(event=draft, country=kenya, role="participant")
    EventCitationFactory(event=draft, source=source, locator="¶2")
    return {"trip": trip, "seminar": seminar, "draft": draft, "source": source}


PUBLIC_PAGES = [
    "/",
    "/events/",
    "/events/?q=Zanzibar",
    "/events/?country=ke",
    "/events/?year=2012",
    "/events/?parent=visit",
    "/events/visit/",
    "/events/seminar/",
    "/countries/",
    "/countries/tz/",
    "/countries/ke/",
    "/years/",
    "/years/2012/",
    "/programmes/",
    "/programmes/exchange/",
    "/organizations/",
    "/organizations/iprcc/",
    "/people/",
    "/people/fan-xiaojian/",
    "/sources/",
    "/sources/news/",
    "/about/",
    "/api/events/",
    "/api/events/?q=Zanzibar",
    "/api/events/visit/",
    "/api/years/",
    "/api/years/2012/",
    "/api/countries/ke/",
    "/api/people/",
    *(f"/{name}/export.{ext}" for name in ("events", "countries", "programmes", "organizations",
                                            "people", "sources", "years")
      for ext in ("csv", "json")),
    "/events/export.csv?country=ke",
    "/events/export.json?q=Zanzibar",
]  # fmt: skip


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_draft_appears_on_no_public_page_export_or_api_answer(client, catalogue, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200
    text = content(response)
    assert DRAFT_TITLE not in text
    assert DRAFT_SLUG not in text


# Pages that name every event they count: once published, the draft shows on each (so the
# test above can fail).
LISTING_PAGES = [
    "/", "/events/", "/events/?q=Zanzibar", "/events/?country=ke", "/events/visit/",
    "/countries/ke/", "/years/2012/", "/programmes/exchange/", "/organizations/iprcc/",
    "/people/fan-xiaojian/", "/sources/news/", "/api/events/", "/api/events/visit/",
    "/events/export.csv", "/events/export.json", "/events/export.csv?country=ke",
]  # fmt: skip


@pytest.mark.parametrize("url", LISTING_PAGES)
def test_once_published_the_event_appears_on_those_pages(client, catalogue, url):
    draft = catalogue["draft"]
    draft.status = PUBLISHED
    draft.save()
    assert DRAFT_TITLE in content(client.get(url, follow=True)) or DRAFT_SLUG in content(
        client.get(url, follow=True)
    )


def content(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


@pytest.mark.parametrize(
    "url",
    [
        f"/events/{DRAFT_SLUG}/",
        f"/api/events/{DRAFT_SLUG}/",
        f"/events/{DRAFT_SLUG}/cite.ris",
        f"/events/{DRAFT_SLUG}/cite.bib",
        f"/events/{DRAFT_SLUG}/cite.json",
    ],
)
def test_a_drafts_own_addresses_are_not_found(client, catalogue, url):
    assert client.get(url).status_code == 404


def test_counts_leave_drafts_out(client, catalogue):
    api = {
        "/api/people/fan-xiaojian/": 1,
        "/api/organizations/iprcc/": 1,
        "/api/programmes/exchange/": 1,
        "/api/countries/tz/": 1,
        "/api/countries/ke/": 0,
        "/api/years/2012/": 2,
    }
    for url, events in api.items():
        assert client.get(url).json()["events"] == events, url
    people = list(csv.DictReader(io.StringIO(content(client.get("/people/export.csv")))))
    assert [(row["slug"], row["events"]) for row in people] == [("fan-xiaojian", "1")]
    countries = {
        row["code"]: (row["events_hosted"], row["events_taken_part"])
        for row in csv.DictReader(io.StringIO(content(client.get("/countries/export.csv"))))
    }
    assert countries["TZ"] == ("1", "0")
    assert countries["KE"] == ("0", "0")
    assert client.get("/api/events/").json()["count"] == 2
    assert client.get("/events/export.csv").headers["X-Record-Count"] == "2"


def test_the_source_page_lists_no_draft_beside_its_paragraph(client, catalogue):
    html = client.get("/sources/news/").content.decode()
    assert 'aria-label="Records citing ¶1"' in html  # the published seminar's paragraph
    assert 'id="p2"' in html
    assert 'aria-label="Records citing ¶2"' not in html  # the draft's


def package(writer=None) -> dict:
    out = io.BytesIO()
    build(out, writer=writer)
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_data_package_leaves_out_drafts_and_their_links(catalogue):
    files = package()
    draft_id = str(catalogue["draft"].pk)
    events = list(csv.DictReader(io.StringIO(files["event.csv"].decode())))
    assert [row["slug"] for row in events] == ["visit", "seminar"]
    assert {row["status"] for row in events} == {PUBLISHED}
    for name in ("eventcountry.csv", "eventorganization.csv", "eventperson.csv",
                 "eventcitation.csv", "event_programmes.csv"):  # fmt: skip
        rows = list(csv.DictReader(io.StringIO(files[name].decode())))
        assert rows, name
        assert draft_id not in {row["event_id"] for row in rows}, name
    descriptor = json.loads(files["datapackage.json"])
    counts = {resource["name"]: resource.get("rows") for resource in descriptor["resources"]}
    assert counts.get("event", 2) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_and_the_python_writer_leave_out_the_same_rows(catalogue):
    from cooperation import versions

    versions.current()  # its row, if an earlier test's flush removed it: both builds read it
    assert package(writer=copy_table) == package(writer=write_table)


# ---- The admin ------------------------------------------------------------------------------


@pytest.fixture
def editor(client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client


def add_form(**changes):
    data = {
        "status": DRAFT,
        "title": "A new seminar",
        "slug": "a-new-seminar",
        "type": "seminar",
        "start_date": "2013-05-02",
        "date_precision": "day",
        "end_date": "",
        "end_date_precision": "",
        "city": "",
        "venue": "",
        "theme": "",
        "description": "Read in a new document.",
        "participants": "",
        "participant_countries": "",
        "editor_note": "",
    }
    for prefix in ["country_links", "organization_links", "person_links", "citations", "children"]:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data


def with_citation(data, source):
    data.update(
        {
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": str(source.pk),
            "citations-0-locator": "¶1",
            "citations-0-note": "",
        }
    )
    return data


def test_a_new_event_is_a_draft_by_default():
    assert models.Event().status == DRAFT
    form_field = models.Event._meta.get_field("status")
    assert form_field.default == DRAFT


def test_an_editor_saves_a_draft_without_a_citation_and_the_public_cannot_see_it(editor):
    response = editor.post(reverse("admin:cooperation_event_add"), add_form())
    assert response.status_code == 302
    event = models.Event.all_objects.get(slug="a-new-seminar")
    assert event.status == DRAFT
    assert not models.Event.objects.filter(pk=event.pk).exists()
    changelist = editor.get(reverse("admin:cooperation_event_changelist") + "?status__exact=draft")
    assert "A new seminar" in changelist.content.decode()
    assert 'class="status status-draft"' in changelist.content.decode()
    change = editor.get(reverse("admin:cooperation_event_change", args=[event.pk]))
    assert "View on site" not in change.content.decode()  # a draft has no public page


def test_a_published_event_needs_a_citation(editor):
    response = editor.post(reverse("admin:cooperation_event_add"), add_form(status=PUBLISHED))
    assert response.status_code == 200
    assert "A published event cites at least one source" in response.content.decode()
    assert not models.Event.all_objects.filter(slug="a-new-seminar").exists()

    source = SourceFactory()
    data = with_citation(add_form(status=PUBLISHED), source)
    assert editor.post(reverse("admin:cooperation_event_add"), data).status_code == 302
    event = models.Event.objects.get(slug="a-new-seminar")
    assert editor.get(event.get_absolute_url()).status_code == 200


def test_removing_the_last_citation_of_a_published_event_is_refused(editor):
    event = CitedEventFactory(slug="cited")
    citation = event.citations.get()
    data = add_form(
        status=PUBLISHED, title=event.title, slug=event.slug, start_date="2012-07-21",
        **{
            "citations-TOTAL_FORMS": "1", "citations-INITIAL_FORMS": "1",
            "citations-0-id": str(citation.pk), "citations-0-event": str(event.pk),
            "citations-0-source": str(citation.source_id), "citations-0-locator": "¶1",
            "citations-0-DELETE": "on",
        },
    )  # fmt: skip
    response = editor.post(reverse("admin:cooperation_event_change", args=[event.pk]), data)
    assert response.status_code == 200
    assert "A published event cites at least one source" in response.content.decode()
    assert event.citations.count() == 1


def test_publish_action_publishes_cited_drafts_and_names_the_others(editor):
    cited = EventFactory(status=DRAFT, title="Cited draft")
    EventCitationFactory(event=cited)
    uncited = EventFactory(status=DRAFT, title="Uncited draft")
    response = editor.post(
        reverse("admin:cooperation_event_changelist"),
        {"action": "publish", "_selected_action": [cited.pk, uncited.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 event(s) set to published." in page
    assert "“Uncited draft” stays as it is: It cites no source yet." in page
    cited.refresh_from_db()
    uncited.refresh_from_db()
    assert (cited.status, uncited.status) == (PUBLISHED, DRAFT)
    latest = cited.history.latest()
    assert latest.status == PUBLISHED
    assert latest.history_user.username == "editor"
    assert latest.history_change_reason == "Status set to published"


def test_a_part_cannot_be_published_before_its_trip(editor):
    trip = EventFactory(status=DRAFT, title="Draft trip")
    part = EventFactory(status=DRAFT, parent=trip, title="Its meeting")
    EventCitationFactory(event=part)
    editor.post(
        reverse("admin:cooperation_event_changelist"),
        {"action": "publish", "_selected_action": [part.pk]},
    )
    part.refresh_from_db()
    assert part.status == DRAFT
    part.status = PUBLISHED
    assert "“Draft trip”, a draft: publish that event first" in part.publication_error()


def test_publishing_a_trip_and_its_parts_together_publishes_the_trip_first(editor):
    trip = EventFactory(status=DRAFT, title="Draft trip")
    part = EventFactory(status=DRAFT, parent=trip, title="Its meeting")
    for event in (trip, part):
        EventCitationFactory(event=event)
    editor.post(
        reverse("admin:cooperation_event_changelist"),
        {"action": "publish", "_selected_action": [part.pk, trip.pk]},
    )
    assert set(models.Event.all_objects.values_list("status", flat=True)) == {PUBLISHED}


def test_a_trip_with_published_parts_cannot_become_a_draft(editor):
    trip = CitedEventFactory(title="Published trip")
    CitedEventFactory(parent=trip, title="Published meeting")
    response = editor.post(
        reverse("admin:cooperation_event_changelist"),
        {"action": "make_draft", "_selected_action": [trip.pk]},
        follow=True,
    )
    assert "Its published parts (“Published meeting”) would point at a draft" in (
        response.content.decode()
    )
    trip.refresh_from_db()
    assert trip.status == PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_existing_events_migrate_as_published():
    """Migration 0011 gives every event present before it the status published; events
    added after it are drafts."""
    from django.db.migrations.executor import MigrationExecutor

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.migrate([target])
        return executor.loader.project_state(target).apps

    old = migrate(("cooperation", "0010_source_text")).get_model("cooperation", "Event")
    try:
        old.objects.create(slug="before", title="Before", type="other", description=".",
                           start_date=datetime.date(2012, 1, 1))  # fmt: skip
        new = migrate(("cooperation", "0011_event_status")).get_model("cooperation", "Event")
        # From 0011 on, a migration reads every event through all_objects.
        assert new.all_objects.get(slug="before").status == PUBLISHED
        after = new.all_objects.create(slug="after", title="After", type="other", description=".",
                                   start_date=datetime.date(2012, 1, 1))  # fmt: skip
        assert after.status == DRAFT
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        models.Event.all_objects.all().delete()
