import os
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings

from cooperation.models import EventCounter
from cooperation.services import load_catalogue


def catalogue_models():
    """Every table load_catalogue writes to: the records, their links and citations, their
    history and many-to-many tables, and the log of loads (all of the cooperation app but
    the event counters, which PostgreSQL's triggers write as the events come and go)."""
    return [
        model
        for model in apps.get_app_config("cooperation").get_models(include_auto_created=True)
        if model is not EventCounter
    ]


def empty_catalogue():
    """Delete every catalogue row. Plain DELETEs in one transaction: foreign keys are checked
    at its end (Django declares them deferred), so the order does not matter, and no history
    is written for the deletions (the load never happened). The event counters last: the
    deletions' triggers write to them."""
    with transaction.atomic(), connection.cursor() as cursor:
        for model in [*catalogue_models(), EventCounter]:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def copy_catalogue():
    """Every catalogue row, as Python values, to be written back by restore_catalogue."""
    rows = {}
    for model in catalogue_models():
        fields = model._meta.concrete_fields
        rows[model] = (fields, list(model._base_manager.values_list(*(f.attname for f in fields))))
    return rows


def restore_catalogue(rows):
    """Write copied rows back as they were, ids and timestamps included (bulk_create would
    stamp auto_now fields anew), then move the id sequences past them (PostgreSQL)."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for model, (fields, values) in rows.items():
            if not values:
                continue
            columns = ", ".join(quote(f.column) for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})",
                [
                    [
                        f.get_db_prep_save(value, connection)
                        for f, value in zip(fields, row, strict=True)
                    ]
                    for row in values
                ],
            )
        for sql in connection.ops.sequence_reset_sql(no_style(), list(rows)):
            cursor.execute(sql)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Many tests create a user or log one in, and Django's PBKDF2 takes a deliberate 0.3 s
    per hash on this machine; no test is about the hash. The site keeps Django's hashers."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def refresh_summaries_inline():
    """After an edit commits, the broad summaries are refreshed before the editor's response
    rather than in a thread: a thread would read the database outside the test's transaction."""
    with override_settings(CATALOGUE_REFRESH_AFTER_EDIT="inline"):
        yield


@pytest.fixture(autouse=True)
def fresh_summaries(request):
    """Every database test starts with empty summary caches (they live in the database, outside
    the test's transaction, so one test's cached counts would otherwise show in the next)."""
    uses_database = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
    } & set(request.fixturenames)
    if uses_database:
        from django.core.cache import caches

        request.getfixturevalue("django_db_setup")  # the test database, never the real one
        with request.getfixturevalue("django_db_blocker").unblock():
            for cache in caches.all(initialized_only=False):
                cache.clear()
        from cooperation import summaries

        summaries._asked.clear()  # what this process asked to compute: the caches are empty


@pytest.fixture
def catalogue_version(db):
    """The version row, present before queries are counted: pages read it, and a flush or
    empty_catalogue removes it (the first read then creates it again, in more queries)."""
    from cooperation import versions

    return versions.current()


@pytest.fixture(scope="session")
def curated_catalogue(django_db_setup, django_db_blocker):
    """The curated catalogue, loaded once per test session by load_catalogue, then copied and
    removed again: tests that do not ask for it see an empty catalogue.

    CATALOGUE_FIXTURES points at another fixture folder (curators check a draft with it).
    Gives the load's report and the copied rows.
    """
    directory = os.environ.get("CATALOGUE_FIXTURES")
    with django_db_blocker.unblock():
        report = load_catalogue(Path(directory) if directory else None)
        rows = copy_catalogue()
        empty_catalogue()
    return report, rows


@pytest.fixture(scope="module")
def catalogue(curated_catalogue, django_db_blocker):
    """The curated catalogue for the tests of one module: written back from the session's
    copy (a fraction of a second, where a load takes seconds) and removed after the module,
    so that whatever a module does to it stays within the module."""
    report, rows = curated_catalogue
    with django_db_blocker.unblock():
        restore_catalogue(rows)
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
