"""Optimistic locking in the admin: a save from a form opened before someone else's save is
refused with what changed since, and nothing is overwritten (cooperation/admin_locking.py)."""

import contextlib
import html
import re
import threading

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core import signing
from django.db import connection
from django.test import Client

from cooperation import models
from cooperation.admin_locking import SALT, TOKEN_FIELD, OptimisticLockingMixin

from .engines import postgresql_only
from .factories import (
    CitedEventFactory,
    CountryFactory,
    EventCountryFactory,
    EventOrganizationFactory,
    EventPersonFactory,
    OrganizationFactory,
    PersonFactory,
    ProgrammeFactory,
    SourceFactory,
)
from .test_admin import admin_url

pytestmark = pytest.mark.django_db


def logged_in(name, superuser=False):
    if superuser:  # no Editors group needed (a transactional test may run after a flush)
        user = User.objects.create_superuser(name, password="a-long-editor-password")
    else:
        user = User.objects.create_user(name, password="a-long-editor-password", is_staff=True)
        user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice():
    return logged_in("alice")


@pytest.fixture
def bob():
    return logged_in("bob")


def open_form(client, record):
    """What a browser sends back from the record's change page when nothing is touched: every
    field of the form and of its inline rows as shown, and the page's hidden token."""
    response = client.get(admin_url(type(record), "change", record.pk))
    assert response.status_code == 200
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is True:
                data[field.html_name] = "on"
            elif value is not False:
                data[field.html_name] = "" if value is None else value
    token = re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', response.content.decode())
    assert token, "the change form carries no token"
    data[TOKEN_FIELD] = token.group(1)
    return data


def save(client, record, data):
    return client.post(admin_url(type(record), "change", record.pk), data)


def page(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def event():
    event = CitedEventFactory(title="Old title", description="Old description")
    EventCountryFactory(event=event, country=CountryFactory(name="Tanzania"), role="host")
    return event


def test_a_save_from_a_form_opened_before_another_save_is_refused(alice, bob, event):
    alices, bobs = open_form(alice, event), open_form(bob, event)
    alices["title"] = "Alice's title"
    assert save(alice, event, alices).status_code == 302

    bobs["description"] = "Bob's description"
    bobs["country_links-0-role"] = "partner"
    response = save(bob, event, bobs)

    assert response.status_code == 200
    text = page(response)
    assert "This event was changed after you opened this form" in text
    assert (
        "Title: was 'Old title' when you opened this form, is now 'Alice's title' "
        "(changed by alice at "
    ) in text
    assert "Bob's description" in text  # Bob's input is still in the form
    event.refresh_from_db()
    assert (event.title, event.description) == ("Alice's title", "Old description")
    assert list(event.country_links.values_list("role", flat=True)) == ["host"]


def test_a_changed_inline_row_is_a_conflict(alice, bob, event):
    alices, bobs = open_form(alice, event), open_form(bob, event)
    alices["country_links-0-role"] = "participant"
    assert save(alice, event, alices).status_code == 302

    bobs["title"] = "Bob's title"
    response = save(bob, event, bobs)

    assert response.status_code == 200
    assert (
        "Event country 'Tanzania (participant)', role: was 'Host' when you opened this form, "
        "is now 'Participant' (changed by alice at "
    ) in page(response)
    event.refresh_from_db()
    assert event.title == "Old title"
    assert list(event.country_links.values_list("role", flat=True)) == ["participant"]


def test_inline_rows_added_or_deleted_by_another_editor_are_conflicts(alice, bob, event):
    mozambique = CountryFactory(name="Mozambique")
    alices, bobs = open_form(alice, event), open_form(bob, event)
    alices.update(
        {
            "country_links-0-DELETE": "on",
            "country_links-TOTAL_FORMS": "2",
            "country_links-1-country": str(mozambique.pk),
            "country_links-1-role": "host",
        }
    )
    assert save(alice, event, alices).status_code == 302

    bobs["title"] = "Bob's title"
    text = page(save(bob, event, bobs))

    added = "Event country 'Mozambique (host)': added since you opened this form (added by alice"
    deleted = "Event country 'Tanzania (host)': deleted since you opened this form (deleted by"
    assert added in text
    assert f"{deleted} alice at " in text
    event.refresh_from_db()
    assert event.title == "Old title"


def test_a_many_to_many_change_is_a_conflict(alice, bob, event):
    forum = ProgrammeFactory(name="China-Africa Forum")
    alices, bobs = open_form(alice, event), open_form(bob, event)
    alices["programmes"] = [str(forum.pk)]
    assert save(alice, event, alices).status_code == 302

    bobs["title"] = "Bob's title"
    text = page(save(bob, event, bobs))

    assert (
        "Programmes: was empty when you opened this form, is now 'China-Africa Forum' "
        "(changed by alice at "
    ) in text
    assert list(event.programmes.all()) == [forum]


def test_a_change_without_history_is_a_conflict_too(bob, event):
    bobs = open_form(bob, event)
    models.Event.objects.filter(pk=event.pk).update(city="Dodoma")  # a raw write: no version

    bobs["title"] = "Bob's title"
    response = save(bob, event, bobs)

    assert response.status_code == 200
    assert (
        "City: was empty when you opened this form, is now 'Dodoma' "
        "(no history says who changed it)"
    ) in page(response)


def test_a_save_without_conflict_goes_through_and_the_next_form_can_be_saved(alice, bob, event):
    alices, bobs = open_form(alice, event), open_form(bob, event)
    bobs["description"] = "Bob's description"
    bobs["country_links-0-role"] = "partner"
    assert save(bob, event, bobs).status_code == 302
    alices = open_form(alice, event)  # opened again after Bob's save
    alices["title"] = "Alice's title"
    assert save(alice, event, alices).status_code == 302

    event.refresh_from_db()
    assert (event.title, event.description) == ("Alice's title", "Bob's description")
    assert list(event.country_links.values_list("role", flat=True)) == ["partner"]


def test_a_form_sent_back_with_errors_keeps_the_version_it_was_opened_on(alice, bob, event):
    """Fixing a mistake and saving again must not overwrite what was saved in between."""
    alices, bobs = open_form(alice, event), open_form(bob, event)
    bobs.update(end_date="2000-01-01", end_date_precision="day")  # before the start: an error
    response = save(bob, event, bobs)
    assert response.status_code == 200
    assert "cannot be before the start date" in page(response)
    alices["title"] = "Alice's title"
    assert save(alice, event, alices).status_code == 302

    echoed = re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', response.content.decode())
    assert echoed.group(1) == bobs[TOKEN_FIELD]
    bobs.update(end_date="", end_date_precision="", description="Bob's description")
    again = save(bob, event, bobs)

    assert again.status_code == 200
    assert "is now 'Alice's title'" in page(again)
    event.refresh_from_db()
    assert (event.title, event.description) == ("Alice's title", "Old description")


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "tampered",
        "signed with another key",
        "made for another record",
    ],
)
def test_a_token_that_is_not_valid_is_refused(bob, event, token):
    other = CitedEventFactory()
    bobs = open_form(bob, event)
    claim = {"record": f"cooperation.event:{event.pk}", "opened": "2025-01-01T00:00:00+00:00"}
    bobs[TOKEN_FIELD] = {
        "not-a-token": "not-a-token",
        "tampered": bobs[TOKEN_FIELD][:-3] + ("AAA" if bobs[TOKEN_FIELD][-3:] != "AAA" else "BBB"),
        "signed with another key": signing.dumps(
            {**claim, "state": {}}, key="not-the-secret-key", salt=SALT
        ),
        "made for another record": open_form(bob, other)[TOKEN_FIELD],
    }[token]
    bobs["title"] = "Bob's title"
    response = save(bob, event, bobs)

    assert response.status_code == 200
    assert "The version token sent with this form is not valid" in page(response)
    event.refresh_from_db()
    assert event.title == "Old title"


def test_deleting_a_record_changed_since_the_delete_page_opened_is_refused(alice, bob, event):
    url = admin_url(models.Event, "delete", event.pk)
    delete_page = bob.get(url).content.decode()
    token = re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', delete_page).group(1)
    alices = open_form(alice, event)
    alices["title"] = "Alice's title"
    assert save(alice, event, alices).status_code == 302

    response = bob.post(url, {"post": "yes", TOKEN_FIELD: token}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    text = page(response)
    assert "This event was changed after you opened the delete page" in text
    assert "is now 'Alice's title'" in text
    assert models.Event.objects.filter(pk=event.pk).exists()

    fresh = re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', response.content.decode())
    assert bob.post(url, {"post": "yes", TOKEN_FIELD: fresh.group(1)}).status_code == 302
    assert not models.Event.objects.filter(pk=event.pk).exists()


# Every catalogue admin, with a record and a text field the other editor changes.
CATALOGUE_ADMINS = {
    models.Country: (lambda: CountryFactory(), "official_name"),
    models.Source: (lambda: SourceFactory(), "title"),
    models.Organization: (lambda: OrganizationFactory(), "description"),
    models.Person: (lambda: PersonFactory(), "description"),
    models.Programme: (lambda: ProgrammeFactory(), "description"),
    models.Event: (lambda: CitedEventFactory(), "title"),
    models.EventCountry: (lambda: EventCountryFactory(), "note"),
    models.EventOrganization: (lambda: EventOrganizationFactory(), "note"),
    models.EventPerson: (lambda: EventPersonFactory(), "title"),
}


def test_every_catalogue_admin_locks_and_is_tested_below():
    registered = {m for m in admin.site._registry if m in models.CATALOGUE_MODELS}
    assert registered == set(CATALOGUE_ADMINS)
    for model in registered:
        assert isinstance(admin.site._registry[model], OptimisticLockingMixin), model


@pytest.mark.parametrize("model", CATALOGUE_ADMINS, ids=lambda m: m._meta.model_name)
def test_every_catalogue_admin_refuses_a_save_from_a_stale_form(alice, bob, model):
    make, field = CATALOGUE_ADMINS[model]
    record = make()
    before = getattr(record, field)
    alices, bobs = open_form(alice, record), open_form(bob, record)
    alices[field] = "Changed by Alice"
    assert save(alice, record, alices).status_code == 302, page(save(alice, record, alices))

    response = save(bob, record, bobs)  # Bob's form, untouched, still has the old value

    assert response.status_code == 200
    label = model._meta.get_field(field).verbose_name
    assert f"{label[0].upper()}{label[1:]}: was " in page(response)
    assert "is now 'Changed by Alice' (changed by alice at " in page(response)
    record.refresh_from_db()
    assert getattr(record, field) == "Changed by Alice" != before


@postgresql_only("the row lock is PostgreSQL's; SQLite lets one writer in at a time anyway")
@pytest.mark.django_db(transaction=True)  # two connections: each save commits on its own
def test_of_two_simultaneous_saves_from_one_version_exactly_one_wins(monkeypatch):
    """Both saves are held after the check until both have passed it or half a second goes by:
    with the record's row locked during the check and the save, the second check waits for
    the first save to commit, then sees it."""
    from cooperation.admin import EventAdmin

    event = CitedEventFactory(title="Old title", description="Old description")
    clients = [logged_in("alice", superuser=True), logged_in("bob", superuser=True)]
    forms = [open_form(client, event) for client in clients]
    forms[0]["title"] = "Alice's title"
    forms[1]["description"] = "Bob's description"

    both_checked = threading.Barrier(2)
    save_model = EventAdmin.save_model

    def held_save_model(self, request, obj, form, change):
        with contextlib.suppress(threading.BrokenBarrierError):  # the other save waits at the lock
            both_checked.wait(timeout=0.5)
        save_model(self, request, obj, form, change)

    monkeypatch.setattr(EventAdmin, "save_model", held_save_model)
    statuses = []

    def post(client, data):
        try:
            statuses.append(save(client, event, data).status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=post, args=pair) for pair in zip(clients, forms, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 302]
    event.refresh_from_db()
    assert (event.title, event.description) in [
        ("Alice's title", "Old description"),
        ("Old title", "Bob's description"),
    ]
