import os
from pathlib import Path

import pytest

from cooperation import models
from cooperation.services import load_catalogue


def empty_catalogue():
    """Delete every catalogue row, children before what they point at (PROTECT)."""
    for model in [
        models.EventCitation,
        models.EventCountry,
        models.EventOrganization,
        models.EventPerson,
        models.ProgrammeCitation,
        models.OrganizationCitation,
        models.PersonCitation,
    ]:
        model.objects.all().delete()
    for model in [models.Event, models.Programme, models.Organization]:
        model.objects.update(parent=None)
        model.objects.all().delete()
    for model in [models.Person, models.Source, models.Country]:
        model.objects.all().delete()
    for model in ALL_MODELS:  # deleting left history rows behind: the load never happened
        model.history.all().delete()


ALL_MODELS = [
    models.Country,
    models.Source,
    models.Organization,
    models.OrganizationCitation,
    models.Person,
    models.PersonCitation,
    models.Programme,
    models.ProgrammeCitation,
    models.Event,
    models.EventCountry,
    models.EventOrganization,
    models.EventPerson,
    models.EventCitation,
]


@pytest.fixture(autouse=True)
def fresh_summaries(request):
    """Every database test starts with an empty summary cache (it lives in the database, outside
    the test's transaction, so one test's cached counts would otherwise show in the next)."""
    uses_database = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
    } & set(request.fixturenames)
    if uses_database:
        from django.core.cache import cache

        request.getfixturevalue("django_db_setup")  # the test database, never the real one
        with request.getfixturevalue("django_db_blocker").unblock():
            cache.clear()


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The curated catalogue, loaded once per test module and removed after it.

    CATALOGUE_FIXTURES points at another fixture folder (curators check a draft with it).
    """
    directory = os.environ.get("CATALOGUE_FIXTURES")
    with django_db_blocker.unblock():
        report = load_catalogue(Path(directory) if directory else None)
    yield report
    with django_db_blocker.unblock():
        empty_catalogue()


@pytest.fixture
def sample(db):
    """A small, linked catalogue built with factories, for page, filter and export tests."""
    import datetime

    from . import factories as f

    tanzania = f.CountryFactory(
        code="TZ", alpha3="TZA", name="Tanzania", region="Africa", aliases="Tanganyika"
    )
    mozambique = f.CountryFactory(code="MZ", alpha3="MOZ", name="Mozambique", region="Africa")
    china = f.CountryFactory(
        code="CN", alpha3="CHN", name="China", region="Asia", subregion="Eastern Asia"
    )
    lgop = f.OrganizationFactory(
        slug="lgop",
        name="Leading Group Office",
        acronym="LGOP",
        aliases="State Council LGOP",
        country=china,
    )
    iprcc = f.OrganizationFactory(slug="iprcc", name="Poverty Reduction Center", acronym="IPRCC")
    fan = f.PersonFactory(slug="fan-xiaojian", name="Fan Xiaojian", country=china)
    forum = f.ProgrammeFactory(
        slug="china-africa-forum", name="China-Africa Forum", kind="forum_series"
    )
    source = f.SourceFactory(slug="yearbook", title="Yearbook 2012")

    trip = f.EventFactory(
        slug="2012-07-21-visit",
        title="Delegation visits Mozambique and Tanzania",
        type="visit",
        start_date=datetime.date(2012, 7, 21),
        end_date=datetime.date(2012, 7, 29),
        end_date_precision="day",
        description="A visit.",
    )
    conference = f.EventFactory(
        slug="2012-07-28-conference",
        title="Third China-Africa Conference",
        type="forum",
        start_date=datetime.date(2012, 7, 28),
        parent=trip,
        city="Dar es Salaam",
        participants=120,
        participants_is_minimum=True,
        description="A conference.",
    )
    training = f.EventFactory(
        slug="2012-08-training",
        title="Workshop on rural water",
        type="training",
        start_date=datetime.date(2012, 8, 1),
        date_precision="month",
        participants=16,
        description='=HYPERLINK("http://evil.example") a training.',
    )
    later = f.EventFactory(
        slug="2013-seminar",
        title="Seminar in Beijing",
        type="seminar",
        start_date=datetime.date(2013, 1, 1),
        date_precision="year",
        description="Later.",
    )
    for event, country, role in [
        (trip, mozambique, "host"),
        (trip, tanzania, "host"),
        (trip, china, "participant"),
        (conference, tanzania, "host"),
        (conference, china, "participant"),
        (training, china, "host"),
        (training, tanzania, "participant"),
        (later, china, "host"),
    ]:
        f.EventCountryFactory(event=event, country=country, role=role)
    f.EventOrganizationFactory(event=trip, organization=lgop, role="organizer")
    f.EventOrganizationFactory(event=conference, organization=lgop, role="co_organizer")
    f.EventOrganizationFactory(event=training, organization=iprcc, role="organizer")
    f.EventPersonFactory(
        event=trip,
        person=fan,
        role="head_of_delegation",
        title="Minister of LGOP",
        organization=lgop,
    )
    f.EventPersonFactory(event=conference, person=fan, role="speaker", title="Minister of LGOP")
    conference.programmes.add(forum)
    for event in (trip, conference, training, later):
        f.EventCitationFactory(event=event, source=source, locator=f"¶{event.pk}")
    return {
        "tanzania": tanzania,
        "mozambique": mozambique,
        "china": china,
        "lgop": lgop,
        "iprcc": iprcc,
        "fan": fan,
        "forum": forum,
        "source": source,
        "trip": trip,
        "conference": conference,
        "training": training,
        "later": later,
    }
