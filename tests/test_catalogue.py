"""Checks over the whole curated catalogue (fixtures/*.json), as loaded by load_catalogue.

The spot checks of single facts are in test_curated_*.py; these tests hold the conventions of
docs/curation.md for every record, and pin totals so that an accidental loss fails.
"""

import calendar
import datetime
import json
import os
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count
from django.utils.text import slugify

from cooperation.models import (
    Country,
    Event,
    EventCitation,
    EventCountry,
    Organization,
    OrganizationCitation,
    Person,
    PersonCitation,
    Programme,
    ProgrammeCitation,
    Source,
)
from cooperation.services import load_catalogue

pytestmark = pytest.mark.django_db

# Events citing each source (an event citing two sources counts for both).
EVENTS_PER_SOURCE = {
    "sco-poverty-training-kunming-2023": 2,
    "yunnan-mekong-poverty-relief-2018": 1,
    "pakistani-officials-seminar-2024": 6,
    "documentary-china-international-poverty-reduction": 26,
    "lgop-yearbook-2012-international-cooperation": 91,
}
TOTALS = {Event: 126, Organization: 81, Person: 79, Programme: 28}

# Non-blank lines (paragraphs, as `awk 'NF{n++; print n": "$0}'` numbers them) in each source.
PARAGRAPHS = {
    "sco-poverty-training-kunming-2023": 9,
    "yunnan-mekong-poverty-relief-2018": 13,
    "pakistani-officials-seminar-2024": 11,
    "documentary-china-international-poverty-reduction": 252,
    "lgop-yearbook-2012-international-cooperation": 77,
}
# A locator ends with the paragraph or paragraph range: "¶11", "¶88–117", after an optional
# "Section > Sub-heading, item N, " prefix.
LOCATOR = re.compile(r"^(?:[^¶]+, )?¶(\d+)(?:–(\d+))?$")

# Events that legitimately have no host country: the source does not say where they happened.
# Each says so in its editor_note. A new event without a host must be added here deliberately.
NO_HOST = {
    "2012-02-seminar-economic-transformation-and-poverty-reduction-implications-of-chinas-"
    "experience-for-africa",
    "2012-07-comparative-study-of-international-child-poverty-and-development-experience-and-model",
    "2012-09-lgop-commissions-china-agricultural-university-study-of-international-poverty-"
    "reduction-cooperation",
    "2012-china-dac-study-group-publishes-reports-on-implications-of-chinas-experience-for-"
    "african-development",
    "2012-iprcc-and-odi-joint-research-on-green-growth-and-poverty-reduction",
    "2012-iprcc-contributes-to-the-national-report-on-sustainable-development-of-china",
    "2012-iprcc-study-inclusive-development-and-poverty-reduction",
    "2012-iprcc-study-international-exchange-on-poverty-reduction-in-the-new-stage-of-the-new-era",
    "2013-xi-jinping-proposes-the-silk-road-economic-belt-and-21st-century-maritime-silk-road",
    "2015-china-establishes-the-south-south-cooperation-assistance-fund",
    "2015-united-nations-releases-the-millennium-development-goals-2015-report",
    "2016-12-launch-of-the-east-asia-poverty-reduction-demonstration-cooperation-technical-"
    "assistance-project",
    "2020-11-14-23rd-asean-and-china-japan-and-south-korea-leaders-meeting",
}

MZ_TZ_TRIP = "2012-07-21-lgop-delegation-visits-mozambique-and-tanzania"
RIO_TRIP = "2012-06-12-lgop-delegation-to-rio-20-in-brazil"
RU_KZ_TRIP = "2012-08-15-lgop-delegation-visits-russia-and-kazakhstan"
PAKISTAN_SEMINAR = "2024-07-seminar-for-pakistani-officials-on-poverty-alleviation"
BOTSWANA_VISIT = "2012-06-botswana-delegation-headed-by-mokgweetsi-masisi-visits-china"
BANGLADESH_VISIT = "2012-07-bangladesh-delegation-headed-by-mostafizur-rahman-visits-china"

# Every event that has parts, with its parts: a part lost or detached fails the test.
PARTS = {
    MZ_TZ_TRIP: {
        "2012-07-21-fan-xiaojian-meets-mozambican-prime-minister-aires-ali-and-other-officials",
        "2012-07-21-inauguration-ceremony-of-the-china-mozambique-kingho-poverty-reduction-"
        "cooperation-center",
        "2012-07-21-seminar-on-china-mozambique-poverty-reduction-policy",
        "2012-07-28-third-china-africa-poverty-reduction-and-development-conference",
        "2012-07-21-fan-xiaojian-meets-tanzanian-president-kikwete",
        "2012-07-28-lgop-delegation-visits-community-development-demonstration-in-peiyapeiya-"
        "village",
        "2012-07-28-inauguration-of-the-china-tanzania-village-level-learning-center-for-poverty-"
        "reduction",
    },
    RIO_TRIP: {
        "2012-06-12-lgop-delegation-at-un-conference-on-sustainable-development-rio-20",
        "2012-06-12-lgop-delegation-holds-bilateral-talks-at-rio-20",
        "2012-06-12-signing-of-the-lgop-mds-action-plan-on-overcoming-extreme-poverty-2012-2014",
        "2012-06-12-lgop-delegation-visits-the-cantagalo-slum",
        "2012-06-12-lgop-delegation-visits-the-museu-de-favela",
    },
    RU_KZ_TRIP: {
        "2012-08-15-lgop-delegation-holds-talks-with-officials-of-the-russian-ministry-of-social-"
        "security",
        "2012-08-15-lgop-delegation-visits-the-chinese-embassy-in-russia",
        "2012-08-15-lgop-delegation-holds-talks-with-chinese-private-enterprises-and-petrochina-in-"
        "russia",
        "2012-08-15-lgop-delegation-visits-petrochina-international-kazakhstan",
        "2012-08-15-lgop-delegation-field-research-on-mmg-project-and-wuyi-oil-depot",
    },
    BOTSWANA_VISIT: {
        "2012-06-25-fan-xiaojian-meets-a-botswana-delegation-headed-by-mokgweetsi-masisi",
        "2012-06-26-vice-premier-hui-liangyu-meets-the-botswana-delegation-headed-by-mokgweetsi-"
        "masisi",
        "2012-06-botswana-delegation-visits-mofcom-other-ministries-and-huawei-headquarters",
        "2012-06-botswana-delegations-field-research-in-hebei-and-shanghai",
    },
    BANGLADESH_VISIT: {
        "2012-07-16-wang-guoliang-meets-a-bangladesh-delegation-headed-by-mostafizur-rahman",
        "2012-07-bangladesh-delegations-field-research-on-poverty-reduction-projects-in-chengde",
    },
    "2012-05-23-iprcc-delegation-visits-tanzania": {
        "2012-05-23-international-symposium-the-release-of-growth-potential",
    },
    "2012-06-24-asean-plus-3-regional-training-course-thailand-land-management-for-rural-"
    "development-and-poverty-eradication": {
        "2012-06-24-visit-to-public-land-distribution-projects-in-thailand",
    },
    "2012-07-05-4th-china-ifad-south-south-cooperation-seminar": {
        "2012-07-05-china-ifad-seminar-field-research-in-shanxi",
    },
    "2012-09-26-sixth-china-asean-forum-on-social-development-and-poverty-reduction": {
        "2012-09-26-china-asean-forum-participants-visit-the-double-cropping-grape-base-in-lubi-"
        "village",
    },
    "2012-10-17-poverty-reduction-and-development-forum-2012": {
        "2012-10-17-fan-xiaojian-meets-an-indonesian-delegation-headed-by-armida-alisjahbana",
    },
    "2012-11-05-china-africa-experience-sharing-program-on-msme-financing-and-inclusive-growth": {
        "2012-11-05-msme-programme-field-research-in-anhui",
    },
    "2015-10-16-2015-poverty-reduction-and-development-high-level-forum": {
        "2015-10-16-xi-jinpings-keynote-speech-at-the-2015-poverty-reduction-and-development-high-"
        "level-forum",
    },
    "2018-06-02-lao-president-bunyang-visits-shibadong-village": {
        "2018-06-02-symposium-with-lao-president-bunyang-in-shibadong-village",
    },
    PAKISTAN_SEMINAR: {
        "2024-07-field-visit-to-zunyi",
        "2024-07-field-visit-to-bijie",
        "2024-07-visit-to-miao-batik-and-embroidery-workshops-in-zhijin-county",
        "2024-07-visit-to-huawu-village",
        "2024-07-exchange-and-discussion-session-of-the-seminar-for-pakistani-officials",
    },
}

CITED = [
    (Event, EventCitation),
    (Programme, ProgrammeCitation),
    (Organization, OrganizationCitation),
    (Person, PersonCitation),
]


def period_end(value, precision):
    """The last day a date stands for at its precision."""
    if precision == "year":
        return datetime.date(value.year, 12, 31)
    if precision == "month":
        return value.replace(day=calendar.monthrange(value.year, value.month)[1])
    return value


def event_end(event):
    if event.end_date is None:
        return period_end(event.start_date, event.date_precision)
    return period_end(event.end_date, event.end_date_precision)


def parent_chain_is_finite(model):
    parents = dict(model.objects.values_list("pk", "parent_id"))
    cycles = []
    for pk in parents:
        seen, current = set(), pk
        while current is not None:
            if current in seen:
                cycles.append(pk)
                break
            seen.add(current)
            current = parents[current]
    return cycles


# --- provenance ---


@pytest.mark.parametrize(("model", "citation"), CITED, ids=lambda m: m.__name__)
def test_every_record_cites_a_source(catalogue, model, citation):
    uncited = model.objects.annotate(n=Count("citations")).filter(n=0)
    assert list(uncited.values_list("slug", flat=True)) == []


@pytest.mark.parametrize(("model", "citation"), CITED, ids=lambda m: m.__name__)
def test_every_locator_names_a_paragraph_of_its_source(catalogue, model, citation):
    bad = []
    for source, locator in citation.objects.values_list("source__slug", "locator"):
        match = LOCATOR.match(locator.strip())
        if not locator.strip() or not match:
            bad.append((source, locator))
            continue
        first, last = int(match[1]), int(match[2] or match[1])
        if not 1 <= first <= last <= PARAGRAPHS[source]:
            bad.append((source, locator))
    assert bad == []


def test_the_five_sources_are_the_only_sources(catalogue):
    assert set(Source.objects.values_list("slug", flat=True)) == set(PARAGRAPHS)
    assert sorted(Source.objects.values_list("file_name", flat=True)) == [
        "000_1d72d0ec2e13bb27.txt",
        "001_05d05a17c05b5dd4.txt",
        "002_1b433d41af1543f4.txt",
        "003_76e47e162fe14327.txt",
        "004_3343d2aa6930436a.txt",
    ]


# --- totals ---


def test_events_per_source(catalogue):
    counts = {
        source: Event.objects.filter(citations__source__slug=source).distinct().count()
        for source in Source.objects.values_list("slug", flat=True)
    }
    assert counts == EVENTS_PER_SOURCE
    assert all(n >= 1 for n in counts.values())


@pytest.mark.parametrize("model", list(TOTALS), ids=lambda m: m.__name__)
def test_total_records(catalogue, model):
    assert model.objects.count() == TOTALS[model]


def test_a_load_into_an_empty_database_creates_every_record(catalogue):
    """The session's catalogue (conftest) was loaded by load_catalogue into an empty database."""
    directory = Path(os.environ.get("CATALOGUE_FIXTURES") or Path(settings.BASE_DIR) / "fixtures")
    records = Counter(
        record["model"]
        for path in directory.glob("*.json")
        for record in json.loads(path.read_text(encoding="utf-8"))
    )
    assert {label.lower(): n for label, n in catalogue.created.items()} == records
    assert not catalogue.updated and not catalogue.unchanged


def test_loading_again_changes_nothing(catalogue):
    directory = Path(os.environ.get("CATALOGUE_FIXTURES") or Path(settings.BASE_DIR) / "fixtures")
    report = load_catalogue(directory)
    assert not report.changed, report.lines()
    records = sum(
        len(json.loads(path.read_text(encoding="utf-8"))) for path in directory.glob("*.json")
    )
    assert sum(report.unchanged.values()) == records


# --- countries ---


def test_all_249_iso_countries_are_loaded(catalogue):
    assert Country.objects.count() == 249
    for code, alpha3, numeric, region in Country.objects.values_list(
        "code", "alpha3", "numeric", "region"
    ):
        assert re.fullmatch(r"[A-Z]{2}", code)
        assert re.fullmatch(r"[A-Z]{3}", alpha3)
        assert re.fullmatch(r"\d{3}", numeric)
        assert region or code == "AQ", code  # Antarctica has no UN region


def test_tanzania_is_loaded_with_its_iso_codes_and_region(catalogue):
    tanzania = Country.objects.get(code="TZ")
    assert (tanzania.name, tanzania.alpha3, tanzania.numeric, tanzania.region) == (
        "Tanzania",
        "TZA",
        "834",
        "Africa",
    )


def test_every_country_link_is_a_loaded_iso_country(catalogue):
    loaded = set(Country.objects.values_list("pk", flat=True))
    linked = set(EventCountry.objects.values_list("country_id", flat=True))
    linked |= set(Programme.countries.through.objects.values_list("country_id", flat=True))
    linked |= set(Organization.objects.exclude(country=None).values_list("country_id", flat=True))
    linked |= set(Person.objects.exclude(country=None).values_list("country_id", flat=True))
    assert linked <= loaded
    assert len(linked) > 50


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("Burma", "MM"),
        ("East Timor", "TL"),
        ("Congo (Kinshasa)", "CD"),
        ("Central Africa", "CF"),
        ("Cote d'ivoire", "CI"),
        ("PNG", "PG"),
        ("Paxin", "PG"),
    ],
)
def test_source_spellings_of_countries_are_aliases(catalogue, spelling, code):
    assert spelling in Country.objects.get(code=code).alias_list


# --- one record per real body, person or programme ---


def names_of(record):
    names = [record.name, *record.alias_list]
    if getattr(record, "acronym", ""):
        names.append(record.acronym)
    return {name.strip().casefold() for name in names if name.strip()}


@pytest.mark.parametrize("model", [Organization, Person, Programme], ids=lambda m: m.__name__)
def test_no_two_records_share_a_name_acronym_or_alias(catalogue, model):
    owners = defaultdict(set)
    for record in model.objects.all():
        for name in names_of(record):
            owners[name].add(record.slug)
    shared = {name: slugs for name, slugs in owners.items() if len(slugs) > 1}
    assert shared == {}


def test_people_known_by_one_name_have_disambiguating_slugs(catalogue):
    one_name = Person.objects.filter(name__regex=r"^\S+$")
    assert one_name.count() >= 3
    for person in one_name:
        assert person.slug.startswith(slugify(person.name) + "-"), person.slug
    assert set(one_name.values_list("slug", flat=True)) >= {
        "thomas-giz",
        "andrei-russia",
        "tiago-brazil",
    }


# --- dates ---


def test_dates_sit_on_the_first_of_their_month_or_year(catalogue):
    for event in Event.objects.all():
        for value, precision in [
            (event.start_date, event.date_precision),
            (event.end_date, event.end_date_precision),
        ]:
            if value is None:
                continue
            assert precision in {"day", "month", "year"}, event.slug
            if precision == "month":
                assert value.day == 1, event.slug
            if precision == "year":
                assert (value.month, value.day) == (1, 1), event.slug


def test_end_after_start_and_end_precision_only_with_an_end(catalogue):
    for event in Event.objects.all():
        assert (event.end_date is None) == (event.end_date_precision == ""), event.slug
        if event.end_date is not None:
            assert event.end_date >= event.start_date, event.slug


def test_event_slugs_begin_with_the_start_date_at_its_precision(catalogue):
    for event in Event.objects.all():
        assert event.slug.startswith(event.start_iso + "-"), event.slug


def test_parts_lie_within_their_parent(catalogue):
    for event in Event.objects.exclude(parent=None).select_related("parent"):
        parent = event.parent
        assert event.start_date >= parent.start_date, event.slug
        assert event_end(event) <= event_end(parent), event.slug


def test_parts_given_the_whole_of_a_longer_parent_say_they_are_undated(catalogue):
    for event in Event.objects.exclude(parent=None).select_related("parent"):
        parent = event.parent
        whole = (event.start_date, event.end_date) == (parent.start_date, parent.end_date)
        if whole and parent.end_date is not None:
            assert "Undated in the source" in event.editor_note, event.slug


@pytest.mark.parametrize("model", [Event, Programme, Organization], ids=lambda m: m.__name__)
def test_no_parent_cycles(catalogue, model):
    assert parent_chain_is_finite(model) == []


def test_programme_years_are_ordered_and_within_their_parent(catalogue):
    for programme in Programme.objects.select_related("parent"):
        if programme.start_year and programme.end_year:
            assert programme.end_year >= programme.start_year, programme.slug
        parent = programme.parent
        if parent and parent.start_year and programme.start_year:
            assert programme.start_year >= parent.start_year, programme.slug


def test_myanmar_project_is_one_of_the_6_100_projects(catalogue):
    """001 ¶5 with 003 ¶141–142: one of the 100 poverty-reduction projects of the "6 100"."""
    project = Programme.objects.get(slug="chinas-technical-assistance-to-myanmar")
    assert project.parent.slug == "6-100-projects"


# --- numbers ---


def test_counts_are_not_negative_and_lower_bounds_have_a_count(catalogue):
    for event in Event.objects.all():
        for count, minimum in [
            (event.participants, event.participants_is_minimum),
            (event.participant_countries, event.participant_countries_is_minimum),
        ]:
            assert count is None or count >= 0, event.slug
            if minimum:
                assert count is not None, event.slug


def test_lower_bounds_are_explained(catalogue):
    for event in Event.objects.filter(participants_is_minimum=True):
        assert "lower bound" in event.editor_note.lower(), event.slug


# --- countries and roles on events ---


def test_every_event_has_a_host_or_says_why_not(catalogue):
    hosted = set(EventCountry.objects.filter(role="host").values_list("event__slug", flat=True))
    hostless = set(Event.objects.exclude(slug__in=hosted).values_list("slug", flat=True))
    assert hostless == NO_HOST
    for event in Event.objects.filter(slug__in=NO_HOST):
        assert "no host country is recorded" in event.editor_note, event.slug


# --- trips and their parts ---


def test_events_with_parts_hold_exactly_their_parts(catalogue):
    actual = defaultdict(set)
    for slug, parent in Event.objects.exclude(parent=None).values_list("slug", "parent__slug"):
        actual[parent].add(slug)
    assert dict(actual) == PARTS


def test_mozambique_tanzania_trip_holds_its_named_parts(catalogue):
    """004 ¶11: inside the trip of 21–29 July 2012 Fan Xiaojian met Aires Ali, attended the
    inauguration of the China-Mozambique Kingho centre and a policy seminar, opened the Third
    China-Africa conference, met President Kikwete and visited Peiyapeiya Village."""
    trip = Event.objects.get(slug=MZ_TZ_TRIP)
    assert (trip.type, trip.start_date, trip.end_date) == (
        "visit",
        datetime.date(2012, 7, 21),
        datetime.date(2012, 7, 29),
    )
    parts = {part.slug: part for part in trip.children.all()}
    assert set(parts) == PARTS[MZ_TZ_TRIP]
    assert Counter(part.type for part in parts.values()) == Counter(
        {"meeting": 2, "launch": 2, "seminar": 1, "forum": 1, "field_visit": 1}
    )
    conference = parts["2012-07-28-third-china-africa-poverty-reduction-and-development-conference"]
    assert (conference.start_date, conference.city) == (datetime.date(2012, 7, 28), "Dar es Salaam")
    for part in parts.values():
        assert part.citations.filter(locator__endswith="¶11").exists(), part.slug


@pytest.mark.parametrize("trip", [RIO_TRIP, MZ_TZ_TRIP, RU_KZ_TRIP])
def test_lgop_trips_are_visits_abroad_with_china_taking_part(catalogue, trip):
    """004 ¶10–12: the three 2012 LGOP delegations abroad."""
    event = Event.objects.get(slug=trip)
    assert event.type == "visit"
    roles = set(event.country_links.values_list("country__code", "role"))
    assert ("CN", "participant") in roles
    assert any(role == "host" and code != "CN" for code, role in roles)
    assert event.person_links.filter(role="head_of_delegation").count() == 1
