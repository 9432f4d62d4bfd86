"""Spot checks of the catalogue against the documentary transcript (seed 003).

Paragraph numbers count the file's non-blank lines (awk 'NF{n++; print n": "$0}').
"""

import datetime

import pytest

from cooperation.models import (
    Event,
    EventCountry,
    EventOrganization,
    EventPerson,
    Person,
    Programme,
)

pytestmark = pytest.mark.django_db

FORUM_2015 = "2015-10-16-2015-poverty-reduction-and-development-high-level-forum"
XI_KEYNOTE_2015 = (
    "2015-10-16-xi-jinpings-keynote-speech-at-the-2015-poverty-reduction-and-development-"
    "high-level-forum"
)
TZ_CENTER_2011 = (
    "2011-iprcc-and-the-tanzanian-government-establish-the-china-tanzania-village-poverty-"
    "reduction-learning-center"
)
EAST_ASIA_LAUNCH = (
    "2016-12-launch-of-the-east-asia-poverty-reduction-demonstration-cooperation-technical-"
    "assistance-project"
)
DRIVER_COURSE = (
    "2019-first-addis-ababa-djibouti-railway-electric-locomotive-driver-training-course-in-"
    "zhengzhou"
)
SHIBADONG_VISIT = "2018-06-02-lao-president-bunyang-visits-shibadong-village"
SHIBADONG_SYMPOSIUM = "2018-06-02-symposium-with-lao-president-bunyang-in-shibadong-village"
GOROKA = "2018-11-06-ceremony-in-goroka-welcomes-juncao-expert-lin-zhanxi"
APT_SUMMIT = "2020-11-14-23rd-asean-and-china-japan-and-south-korea-leaders-meeting"
XI_ARTICLE = "2018-11-14-xi-jinping-publishes-signed-article-in-papua-new-guinea-newspapers"
LETTER_READING = "2019-04-24-long-shuwu-reads-bunyangs-reply-to-shibadong-villagers"


def roles(event, model, field):
    lookup = "code" if field == "country" else "slug"
    return set(model.objects.filter(event=event).values_list(f"{field}__{lookup}", "role"))


def test_2015_forum_in_great_hall_with_over_300_participants(catalogue):
    """003 ¶1–2: on October 16, 2015, more than 300 heads of state, government and international
    organizations and others gathered in the Great Hall of the People, Beijing, for the 2015
    Poverty Reduction and Development High-level Forum."""
    forum = Event.objects.get(slug=FORUM_2015)
    assert (forum.start_date, forum.date_precision, forum.end_date) == (
        datetime.date(2015, 10, 16),
        "day",
        None,
    )
    assert (forum.city, forum.venue) == ("Beijing", "Great Hall of the People")
    assert (forum.participants, forum.participants_is_minimum) == (300, True)
    assert ("CN", "host") in roles(forum, EventCountry, "country")
    assert forum.programmes.filter(slug="poverty-reduction-and-development-forum").exists()


def test_xi_keynote_is_part_of_the_forum_and_reaffirms_6_100(catalogue):
    """003 ¶139–142: at the 2015 forum President Xi Jinping reaffirmed the "6 100" commitment
    of projects for developing countries over the next five years."""
    speech = Event.objects.get(slug=XI_KEYNOTE_2015)
    assert speech.parent.slug == FORUM_2015
    assert speech.type == "speech"
    link = EventPerson.objects.get(event=speech, person__slug="xi-jinping")
    assert (link.role, link.title) == ("speaker", "Chinese President")
    six = Programme.objects.get(slug="6-100-projects")
    assert (six.start_year, six.end_year) == (2015, 2020)
    assert speech.programmes.filter(pk=six.pk).exists()


def test_tanzania_learning_center_established_2011_by_iprcc(catalogue):
    """003 ¶102: in 2011 the China International Poverty Alleviation Center (IPRCC) and the
    Tanzanian government set up the first village-level demonstration in Africa in Morogoro."""
    launch = Event.objects.get(slug=TZ_CENTER_2011)
    assert (launch.start_date, launch.date_precision) == (datetime.date(2011, 1, 1), "year")
    assert ("TZ", "host") in roles(launch, EventCountry, "country")
    assert ("iprcc", "organizer") in roles(launch, EventOrganization, "organization")
    assert launch.programmes.filter(
        slug="china-tanzania-village-level-learning-center-for-poverty-reduction"
    ).exists()


def test_east_asia_project_launched_december_2016_in_three_countries(catalogue):
    """003 ¶216–217: in December 2016 LGOP and IPRCC began the East Asia Poverty Reduction
    Demonstration Cooperation Technical Assistance Project in Laos, Cambodia and Myanmar."""
    launch = Event.objects.get(slug=EAST_ASIA_LAUNCH)
    assert (launch.start_date, launch.date_precision) == (datetime.date(2016, 12, 1), "month")
    countries = roles(launch, EventCountry, "country")
    assert {("LA", "beneficiary"), ("KH", "beneficiary"), ("MM", "beneficiary")} <= countries
    assert ("lgop", "organizer") in roles(launch, EventOrganization, "organization")
    project = Programme.objects.get(slug="east-asia-poverty-reduction-demonstration-project")
    assert set(project.countries.values_list("code", flat=True)) == {"LA", "KH", "MM"}


def test_asean_plus_three_meeting_extends_projects(catalogue):
    """003 ¶222: the 23rd ASEAN and China, Japan and South Korea Leaders' Meeting of November 14,
    2020 decided to continue the poverty-reduction projects in the three countries."""
    meeting = Event.objects.get(slug=APT_SUMMIT)
    assert (meeting.start_date, meeting.date_precision) == (datetime.date(2020, 11, 14), "day")
    countries = roles(meeting, EventCountry, "country")
    assert {("CN", "participant"), ("JP", "participant"), ("KR", "participant")} <= countries
    assert meeting.programmes.filter(
        slug="east-asia-poverty-reduction-demonstration-project"
    ).exists()


def test_first_driver_course_had_34_ethiopian_trainees_in_zhengzhou(catalogue):
    """003 ¶156–158, ¶160: the first batch of Yaji Railway driver trainees, 34 young
    Ethiopians, was sent to Zhengzhou in 2019 and taught by Xue Jinqiu."""
    course = Event.objects.get(slug=DRIVER_COURSE)
    assert (course.start_date, course.date_precision, course.type) == (
        datetime.date(2019, 1, 1),
        "year",
        "training",
    )
    assert (course.participants, course.participants_is_minimum) == (34, False)
    assert course.city == "Zhengzhou"
    assert roles(course, EventCountry, "country") >= {("CN", "host"), ("ET", "participant")}
    assert ("xue-jinqiu", "trainer") in roles(course, EventPerson, "person")
    assert course.programmes.filter(slug="addis-ababa-djibouti-railway").exists()


def test_lao_leader_visit_to_shibadong_and_symposium(catalogue):
    """003 ¶187–189: the Lao President "Bunyan"/"Secretary Bunyang" (Bounnhang Vorachith)
    visited Shibadong Village on June 2, 2018, and spoke at a symposium there."""
    visit = Event.objects.get(slug=SHIBADONG_VISIT)
    assert visit.start_date == datetime.date(2018, 6, 2)
    assert roles(visit, EventCountry, "country") == {("CN", "host"), ("LA", "participant")}
    leader = EventPerson.objects.get(event=visit, person__slug="bunyang-laos")
    assert (leader.role, leader.title) == ("head_of_delegation", "President of Laos")
    assert "Bounnhang Vorachith" in leader.person.alias_list
    symposium = Event.objects.get(slug=SHIBADONG_SYMPOSIUM)
    assert symposium.parent == visit


def test_reply_letter_read_on_24_april_2019(catalogue):
    """003 ¶193–194: on April 24, 2019 Long Shuwu, Party Branch Secretary of Shibadong, read
    Bunyang's reply to the villagers."""
    reading = Event.objects.get(slug=LETTER_READING)
    assert (reading.start_date, reading.date_precision) == (datetime.date(2019, 4, 24), "day")
    reader = EventPerson.objects.get(event=reading, person__slug="long-shuwu")
    assert reader.title.startswith("Party Branch Secretary of Shibadong Village")


def test_goroka_ceremony_welcomes_lin_zhanxi(catalogue):
    """003 ¶59–61: on November 6, 2018 a ceremony in Goroka, capital of Eastern Highlands
    Province, welcomed Professor "Lin Zhanxuan" (Lin Zhanxi, ¶63), chief scientist of the
    National Juncao Center of Fujian Agriculture and Forestry University."""
    ceremony = Event.objects.get(slug=GOROKA)
    assert (ceremony.start_date, ceremony.city) == (datetime.date(2018, 11, 6), "Goroka")
    assert ("PG", "host") in roles(ceremony, EventCountry, "country")
    guest = EventPerson.objects.get(event=ceremony, person__slug="lin-zhanxi")
    assert guest.role == "guest"
    assert guest.organization.slug == "national-juncao-engineering-technology-research-center"
    assert guest.organization.parent.slug == "fujian-agriculture-and-forestry-university"
    assert "Lin Zhanxuan" in guest.person.alias_list


def test_xi_signed_article_on_eve_of_png_state_visit(catalogue):
    """003 ¶77–78: on November 14, 2018 Xi Jinping published a signed article in Papua New
    Guinea's newspapers recalling the Juncao project he promoted as governor of Fujian."""
    article = Event.objects.get(slug=XI_ARTICLE)
    assert (article.start_date, article.type) == (datetime.date(2018, 11, 14), "speech")
    assert article.programmes.filter(
        slug="juncao-and-upland-rice-planting-technology-demonstration-project"
    ).exists()
    project = Programme.objects.get(
        slug="juncao-and-upland-rice-planting-technology-demonstration-project"
    )
    assert project.start_year == 2000


def test_garbled_un_and_world_bank_names_kept_with_standard_aliases(catalogue):
    """003 ¶17, ¶23: "Bai Yating", UNDP representative in China, and "Rui Ze", director of the
    World Bank's China office, keep the source's names with the standard spellings as aliases."""
    assert "Beate Trankmann" in Person.objects.get(slug="bai-yating").alias_list
    assert "Martin Raiser" in Person.objects.get(slug="rui-ze").alias_list
