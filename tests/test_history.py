"""Accountability: every editor's change is kept, viewable, and can be restored."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from cooperation.models import Event, EventCountry

from .factories import CitedEventFactory, CountryFactory, EventCountryFactory
from .test_admin import event_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_user():
    user = User.objects.create_user("ana", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor(client, editor_user):
    client.force_login(editor_user)
    return client


def change(editor, event, **fields):
    response = editor.post(
        reverse("admin:cooperation_event_change", args=[event.pk]), event_form(event, **fields)
    )
    assert response.status_code == 302, response.content.decode()[:3000]


def test_each_change_records_who_when_and_what(editor, editor_user):
    event = CitedEventFactory(title="Original title")
    change(editor, event, title="Corrected title")
    latest = event.history.latest()
    assert latest.history_user == editor_user
    assert latest.history_type == "~"
    assert latest.title == "Corrected title"
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("title", "Original title", "Corrected title")
    ]


def test_history_page_shows_changes_in_the_admin(editor):
    event = CitedEventFactory(title="Original title")
    change(editor, event, title="Corrected title")
    page = editor.get(reverse("admin:cooperation_event_history", args=[event.pk]))
    assert page.status_code == 200
    assert "ana" in page.content.decode()


def test_a_previous_version_can_be_restored(editor):
    event = CitedEventFactory(title="Original title")
    change(editor, event, title="Wrong title")
    original = event.history.earliest() if event.history.count() > 1 else None
    assert original is None or original.title == "Original title"
    # The admin's history form for the version before the change, then "Revert".
    before = event.history.filter(title="Original title").latest()
    url = reverse("admin:cooperation_event_simple_history", args=[event.pk, before.history_id])
    assert editor.get(url).status_code == 200
    response = editor.post(url, event_form(event, title="Original title"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Original title"


def test_link_changes_are_kept_too(editor):
    link = EventCountryFactory(event=CitedEventFactory())
    event = link.event
    tanzania = CountryFactory(code="TZ", name="Tanzania")
    change(
        editor,
        event,
        **{
            "country_links-TOTAL_FORMS": "2",
            "country_links-INITIAL_FORMS": "1",
            "country_links-0-id": str(link.pk),
            "country_links-0-event": str(event.pk),
            "country_links-0-country": str(link.country.pk),
            "country_links-0-role": "host",
            "country_links-0-DELETE": "on",
            "country_links-1-country": str(tanzania.pk),
            "country_links-1-role": "host",
        },
    )
    assert list(event.country_links.values_list("country__code", flat=True)) == ["TZ"]
    kinds = sorted(
        EventCountry.history.filter(event_id=event.pk).values_list("history_type", flat=True)
    )
    assert kinds == ["+", "+", "-"]  # factory create, editor add, editor delete


def test_a_failed_save_changes_nothing(editor):
    """The event is valid but an inline is not: nothing at all is saved."""
    event = CitedEventFactory(title="Original title")
    before = event.history.count()
    response = editor.post(
        reverse("admin:cooperation_event_change", args=[event.pk]),
        event_form(
            event,
            title="Changed",
            **{
                "country_links-TOTAL_FORMS": "1",
                "country_links-0-country": "999999",  # no such country
                "country_links-0-role": "host",
            },
        ),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Original title"
    assert event.history.count() == before
    assert not event.country_links.exists()


def test_an_error_while_saving_rolls_back_the_whole_edit(editor, monkeypatch):
    """Even a failure after the event row is written leaves the record as it was."""
    event = CitedEventFactory(title="Original title")
    tanzania = CountryFactory(code="TZ", name="Tanzania")

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(EventCountry, "save", fail)
    editor.raise_request_exception = False
    response = editor.post(
        reverse("admin:cooperation_event_change", args=[event.pk]),
        event_form(
            event,
            title="Changed",
            **{
                "country_links-TOTAL_FORMS": "1",
                "country_links-0-country": str(tanzania.pk),
                "country_links-0-role": "host",
            },
        ),
    )
    assert response.status_code == 500
    event.refresh_from_db()
    assert event.title == "Original title"
    assert Event.history.filter(id=event.pk, title="Changed").count() == 0


def test_history_page_shows_an_inline_change_with_before_and_after(editor):
    link = EventCountryFactory(event=CitedEventFactory(), role="participant")
    event = link.event
    change(
        editor,
        event,
        **{
            "country_links-TOTAL_FORMS": "1",
            "country_links-INITIAL_FORMS": "1",
            "country_links-0-id": str(link.pk),
            "country_links-0-event": str(event.pk),
            "country_links-0-country": str(link.country.pk),
            "country_links-0-role": "host",
        },
    )
    page = editor.get(reverse("admin:cooperation_event_history", args=[event.pk]))
    html = page.content.decode()
    assert f"Event country &#x27;{link.country.name} (participant)&#x27;</strong>, role:" in html
    assert "&#x27;Participant&#x27;&nbsp;&rarr;&nbsp;&nbsp;&#x27;Host&#x27;" in html


def test_history_page_shows_inline_rows_added_and_deleted(editor):
    link = EventCountryFactory(event=CitedEventFactory())
    event = link.event
    tanzania = CountryFactory(code="TZ", name="Tanzania")
    change(
        editor,
        event,
        **{
            "country_links-TOTAL_FORMS": "2",
            "country_links-INITIAL_FORMS": "1",
            "country_links-0-id": str(link.pk),
            "country_links-0-event": str(event.pk),
            "country_links-0-country": str(link.country.pk),
            "country_links-0-role": link.role,
            "country_links-0-DELETE": "on",
            "country_links-1-country": str(tanzania.pk),
            "country_links-1-role": "host",
        },
    )
    html = editor.get(reverse("admin:cooperation_event_history", args=[event.pk])).content
    html = html.decode()
    assert "Event country &#x27;Tanzania (host)&#x27;</strong>: added" in html
    assert f"Event country &#x27;{link}&#x27;</strong>: deleted" in html


def test_history_page_shows_nothing_for_a_missing_change_reason(editor):
    event = CitedEventFactory(title="Original title")
    change(editor, event, title="Corrected title")
    assert event.history.latest().history_change_reason is None
    html = editor.get(reverse("admin:cooperation_event_history", args=[event.pk])).content
    table = html.decode().split('id="change-history"')[1].split("</table>")[0]
    headers = re.findall(r"<th[^>]*>(.*?)</th>", table)
    reason = headers.index("Change reason")
    rows = [re.findall(r"<td>(.*?)</td>", row, re.S) for row in table.split("<tr>")[2:]]
    assert len(rows) == 2
    assert [cells[reason].strip() for cells in rows] == ["", ""]
