import datetime

import factory

from cooperation import models


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Country
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    alpha3 = factory.LazyAttribute(lambda o: f"{o.code}X")
    numeric = factory.Sequence(lambda n: f"{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"Country {n}")
    region = "Africa"
    subregion = "Eastern Africa"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    slug = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Source document {n}")
    kind = models.Source.Kind.NEWS_ARTICLE


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organization

    slug = factory.Sequence(lambda n: f"organization-{n}")
    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = models.Organization.Kind.GOVERNMENT


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    slug = factory.Sequence(lambda n: f"person-{n}")
    name = factory.Sequence(lambda n: f"Person {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Programme

    slug = factory.Sequence(lambda n: f"programme-{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")
    kind = models.Programme.Kind.TRAINING_PROGRAMME
    description = "A training programme."


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Event

    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Sequence(lambda n: f"Event {n}")
    type = models.Event.Type.SEMINAR
    start_date = datetime.date(2012, 7, 21)
    date_precision = models.Precision.DAY
    description = "A seminar."
    # Tests read events as the public does; a draft is asked for by name (status=DRAFT).
    status = models.Event.Status.PUBLISHED


class EventCountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EventCountry

    event = factory.SubFactory(EventFactory)
    country = factory.SubFactory(CountryFactory)
    role = models.EventCountry.Role.HOST


class EventOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EventOrganization

    event = factory.SubFactory(EventFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = models.EventOrganization.Role.ORGANIZER


class EventPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EventPerson

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(PersonFactory)
    role = models.EventPerson.Role.SPEAKER
    title = "Minister"


class EventCitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EventCitation

    event = factory.SubFactory(EventFactory)
    source = factory.SubFactory(SourceFactory)
    locator = factory.Sequence(lambda n: f"¶{n + 1}")


class CitedEventFactory(EventFactory):
    """A published event as the admin keeps it: citing a source (EventCitationFormSet)."""

    class Meta:
        skip_postgeneration_save = True

    citation = factory.RelatedFactory(EventCitationFactory, factory_related_name="event")
