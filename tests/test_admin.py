import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from cooperation import models

from .factories import (
    CitedEventFactory,
    CountryFactory,
    EventCitationFactory,
    EventCountryFactory,
    EventOrganizationFactory,
    EventPersonFactory,
    OrganizationFactory,
    PersonFactory,
    ProgrammeFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [
    models.Country,
    models.Source,
    models.Organization,
    models.Person,
    models.Programme,
    models.Event,
]


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client


@pytest.fixture
def records():
    """A few of each record, linked, so that list and change pages have work to do."""
    event = None
    for _ in range(3):
        event = CitedEventFactory()
        EventCountryFactory(event=event)
        EventOrganizationFactory(event=event)
        EventPersonFactory(event=event)
        EventCitationFactory(event=event)
        event.programmes.add(ProgrammeFactory())
    return {
        models.Event: event,
        models.Country: event.countries.first(),
        models.Source: event.citations.first().source,
        models.Organization: event.organizations.first(),
        models.Person: event.people.first(),
        models.Programme: event.programmes.first(),
    }


def admin_url(model, view, *args):
    return reverse(f"admin:cooperation_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_loads_with_bounded_queries(
    admin_client, records, model, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_change_view_loads_with_bounded_queries(
    admin_client, records, model, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30):
        response = admin_client.get(admin_url(model, "change", records[model].pk))
    assert response.status_code == 200


def test_changelist_query_count_does_not_grow_with_rows(
    admin_client, records, django_assert_num_queries
):
    url = admin_url(models.Event, "changelist")
    admin_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for _ in range(10):
        CitedEventFactory(parent=records[models.Event])
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) == len(few)


def test_search_finds_organization_by_alias(admin_client):
    OrganizationFactory(name="Leading Group Office", aliases="LGOP\nState Council LGOP")
    response = admin_client.get(
        admin_url(models.Organization, "changelist"), {"q": "state council"}
    )
    assert "Leading Group Office" in response.content.decode()


def test_event_change_page_offers_inlines_and_view_on_site(admin_client, records):
    event = records[models.Event]
    page = admin_client.get(admin_url(models.Event, "change", event.pk)).content.decode()
    for prefix in ["country_links", "organization_links", "person_links", "citations"]:
        assert f'name="{prefix}-TOTAL_FORMS"' in page
    assert "View on site" in page


def test_event_list_has_a_date_hierarchy(admin_client, records):
    page = admin_client.get(admin_url(models.Event, "changelist")).content.decode()
    assert 'class="toplinks"' in page
    assert "start_date__year=2012" in page


def event_form(event, **changes):
    data = {
        "title": event.title,
        "slug": event.slug,
        "type": event.type,
        "start_date": event.start_date.isoformat(),
        "date_precision": event.date_precision,
        "end_date": "",
        "end_date_precision": "",
        "city": "",
        "venue": "",
        "theme": "",
        "description": event.description,
        "participants": "",
        "participant_countries": "",
        "editor_note": "",
        "status": event.status,
    }
    for prefix in ["country_links", "organization_links", "person_links", "citations", "children"]:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data


def test_editor_can_edit_an_event_and_add_a_country(editor):
    event = CitedEventFactory()
    tanzania = CountryFactory(code="TZ", name="Tanzania")
    response = editor.post(
        admin_url(models.Event, "change", event.pk),
        event_form(
            event,
            title="Corrected title",
            **{
                "country_links-TOTAL_FORMS": "1",
                "country_links-0-country": str(tanzania.pk),
                "country_links-0-role": "host",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event.refresh_from_db()
    assert event.title == "Corrected title"
    assert list(event.country_links.values_list("country__code", "role")) == [("TZ", "host")]


def test_invalid_dates_are_shown_on_the_form_and_nothing_is_saved(editor):
    event = CitedEventFactory(title="Original")
    response = editor.post(
        admin_url(models.Event, "change", event.pk),
        event_form(event, title="Changed", end_date="2000-01-01", end_date_precision="day"),
    )
    assert response.status_code == 200
    assert "cannot be before the start date" in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Original"


def test_editor_can_add_an_organization(editor):
    response = editor.post(
        admin_url(models.Organization, "add"),
        {
            "name": "New Body",
            "slug": "new-body",
            "kind": "ngo",
            "aliases": "",
            "acronym": "",
            "description": "",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert models.Organization.objects.filter(slug="new-body").exists()


@pytest.mark.parametrize("name", ["auth_user_changelist", "auth_group_changelist", "auth_user_add"])
def test_editor_cannot_manage_users_or_groups(editor, name):
    assert editor.get(reverse(f"admin:{name}")).status_code == 403


def test_editor_cannot_delete_a_source(editor):
    source = SourceFactory()
    response = editor.post(admin_url(models.Source, "delete", source.pk), {"post": "yes"})
    assert response.status_code == 403
    assert models.Source.objects.filter(pk=source.pk).exists()


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(admin_url(models.Event, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_person_with_title_at_the_time(records, admin_client):
    link = EventPersonFactory(title="Vice Minister of LGOP", person=PersonFactory(name="Zheng"))
    page = admin_client.get(admin_url(models.Event, "change", link.event.pk)).content.decode()
    assert "Vice Minister of LGOP" in page


def test_date_for_child_inline_is_read_only(admin_client):
    trip = CitedEventFactory(start_date=datetime.date(2012, 7, 21))
    CitedEventFactory(parent=trip, title="Inauguration of the centre")
    page = admin_client.get(admin_url(models.Event, "change", trip.pk)).content.decode()
    assert "Inauguration of the centre" in page
