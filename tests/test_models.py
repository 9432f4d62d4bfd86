import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from cooperation.models import Event, EventCountry, Precision, Programme, format_date, iso_date

from .factories import (
    CountryFactory,
    EventCountryFactory,
    EventFactory,
    EventOrganizationFactory,
    EventPersonFactory,
    OrganizationFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db


def test_database_rejects_end_before_start():
    event = EventFactory(start_date=datetime.date(2012, 7, 21))
    event.end_date = datetime.date(2012, 7, 20)
    event.end_date_precision = Precision.DAY
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()


def test_full_clean_reports_end_before_start_as_a_message():
    event = EventFactory.build(
        start_date=datetime.date(2012, 7, 21),
        end_date=datetime.date(2012, 7, 1),
        end_date_precision=Precision.DAY,
    )
    with pytest.raises(ValidationError, match="cannot be before the start date"):
        event.full_clean()


def test_database_rejects_end_date_without_precision():
    event = EventFactory()
    event.end_date = datetime.date(2012, 8, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()


def test_database_rejects_negative_participants():
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=EventFactory().pk).update(participants=-1)


def test_programme_end_year_not_before_start_year():
    programme = ProgrammeFactory(start_year=2012)
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(pk=programme.pk).update(end_year=2011)


def test_month_precision_requires_first_of_month():
    event = EventFactory.build(start_date=datetime.date(2012, 7, 5), date_precision="month")
    with pytest.raises(ValidationError, match="first day of the month"):
        event.full_clean()


def test_slugs_are_unique():
    EventFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(slug="same")


def test_country_code_must_be_two_upper_case_letters():
    with pytest.raises(IntegrityError), transaction.atomic():
        CountryFactory(code="tz")


def test_same_country_twice_in_the_same_role_is_rejected():
    link = EventCountryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        EventCountry.objects.create(event=link.event, country=link.country, role=link.role)


def test_organization_used_by_an_event_cannot_be_deleted():
    link = EventOrganizationFactory()
    with pytest.raises(ProtectedError):
        link.organization.delete()


def test_person_used_by_an_event_cannot_be_deleted():
    link = EventPersonFactory()
    with pytest.raises(ProtectedError):
        link.person.delete()


def test_country_used_by_an_event_cannot_be_deleted():
    link = EventCountryFactory()
    with pytest.raises(ProtectedError):
        link.country.delete()


def test_trip_with_parts_cannot_be_deleted():
    trip = EventFactory()
    EventFactory(parent=trip)
    with pytest.raises(ProtectedError):
        trip.delete()


def test_parent_organization_with_departments_cannot_be_deleted():
    parent = OrganizationFactory()
    OrganizationFactory(parent=parent)
    with pytest.raises(ProtectedError):
        parent.delete()


def test_deleting_an_event_removes_its_links():
    link = EventCountryFactory()
    link.event.delete()
    assert not EventCountry.objects.exists()


@pytest.mark.parametrize(
    ("precision", "shown", "iso"),
    [
        ("day", "21 July 2012", "2012-07-21"),
        ("month", "July 2012", "2012-07"),
        ("year", "2012", "2012"),
    ],
)
def test_dates_are_shown_at_their_precision(precision, shown, iso):
    value = datetime.date(2012, 7, 21)
    assert format_date(value, precision) == shown
    assert iso_date(value, precision) == iso


@pytest.mark.parametrize(
    ("start", "start_precision", "end", "end_precision", "shown"),
    [
        ((2012, 7, 21), "day", (2012, 7, 29), "day", "21–29 July 2012"),
        ((2012, 8, 27), "day", (2012, 9, 1), "day", "27 August – 1 September 2012"),
        ((2024, 7, 1), "month", (2024, 7, 24), "day", "July 2024 – 24 July 2024"),
        ((2012, 1, 1), "year", None, "", "2012"),
        ((2022, 12, 27), "day", (2023, 9, 8), "day", "27 December 2022 – 8 September 2023"),
    ],
)
def test_date_ranges_read_naturally(start, start_precision, end, end_precision, shown):
    event = Event(
        start_date=datetime.date(*start),
        date_precision=start_precision,
        end_date=datetime.date(*end) if end else None,
        end_date_precision=end_precision,
    )
    assert event.date_display == shown


def test_in_year_finds_events_overlapping_the_year():
    spanning = EventFactory(
        start_date=datetime.date(2011, 12, 1),
        end_date=datetime.date(2012, 1, 5),
        end_date_precision="day",
    )
    inside = EventFactory(start_date=datetime.date(2012, 6, 1))
    EventFactory(start_date=datetime.date(2013, 1, 1))
    assert set(Event.objects.in_year(2012)) == {spanning, inside}


def test_hosted_by_and_involving():
    tanzania = CountryFactory(code="TZ", name="Tanzania")
    china = CountryFactory(code="CN", name="China")
    hosted = EventCountryFactory(country=tanzania, role="host").event
    EventCountry.objects.create(event=hosted, country=china, role="participant")
    visited = EventCountryFactory(country=tanzania, role="participant").event
    assert list(Event.objects.hosted_by(tanzania)) == [hosted]
    assert set(Event.objects.involving(tanzania)) == {hosted, visited}
    assert list(Event.objects.hosted_by(china)) == []
