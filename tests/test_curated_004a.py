"""Spot checks of the catalogue against the 2012 LGOP yearbook chapter (seed 004), ¶1-¶39:
Overview, International Exchanges (visits, receptions, overseas training) and International
Conferences."""

import datetime

import pytest

from cooperation.models import (
    Event,
    EventCountry,
    EventOrganization,
    EventPerson,
    Organization,
    Programme,
)

pytestmark = pytest.mark.django_db

SOURCE = "lgop-yearbook-2012-international-cooperation"
RIO_TRIP = "2012-06-12-lgop-delegation-to-rio-20-in-brazil"
RIO_SIDE_MEETING = "2012-07-18-rio-20-side-meeting-on-the-elimination-of-poverty"
MZ_TZ_TRIP = "2012-07-21-lgop-delegation-visits-mozambique-and-tanzania"
CHINA_AFRICA_CONFERENCE = (
    "2012-07-28-third-china-africa-poverty-reduction-and-development-conference"
)
RU_KZ_TRIP = "2012-08-15-lgop-delegation-visits-russia-and-kazakhstan"
FORUM_1017 = "2012-10-17-poverty-reduction-and-development-forum-2012"
CHILD_SYMPOSIUM = "2012-11-20-international-symposium-on-child-poverty-and-development"
CHINA_AFRICA_SEMINAR = "2012-01-07-second-china-africa-seminar-on-poverty-reduction-and-development"
ASEAN_FORUM = "2012-09-26-sixth-china-asean-forum-on-social-development-and-poverty-reduction"


def roles(event, model, field):
    lookup = "code" if field == "country" else "slug"
    return set(model.objects.filter(event=event).values_list(f"{field}__{lookup}", "role"))


def test_mozambique_tanzania_trip_dates_and_hosts(catalogue):
    """004 ¶11: the LGOP delegation led by Minister Fan Xiaojian visited Mozambique and Tanzania
    from July 21 to 29, 2012."""
    trip = Event.objects.get(slug=MZ_TZ_TRIP)
    assert (trip.type, trip.start_date, trip.end_date) == (
        "visit",
        datetime.date(2012, 7, 21),
        datetime.date(2012, 7, 29),
    )
    assert roles(trip, EventCountry, "country") == {
        ("MZ", "host"),
        ("TZ", "host"),
        ("CN", "participant"),
    }
    head = EventPerson.objects.get(event=trip, role="head_of_delegation")
    assert (head.person.slug, head.organization.slug) == ("fan-xiaojian", "lgop")


def test_mozambique_tanzania_trip_parts_lie_within_it(catalogue):
    """004 ¶11: during the trip Fan met PM Aires Ali, attended two inaugurations, a seminar and
    the conference, met President Kikwete, and visited Peiyapeiya Village."""
    trip = Event.objects.get(slug=MZ_TZ_TRIP)
    children = trip.children.all()
    assert children.count() == 7
    assert set(children.values_list("type", flat=True)) == {
        "meeting",
        "launch",
        "seminar",
        "forum",
        "field_visit",
    }
    for child in children:
        assert trip.start_date <= child.start_date
        assert (child.end_date or child.start_date) <= trip.end_date
    ali = EventPerson.objects.get(person__slug="aires-ali")
    assert (ali.event.parent, ali.role) == (trip, "host")
    assert "Prime Minister" in ali.title


def test_third_china_africa_conference_in_dar_es_salaam(catalogue):
    """004 ¶34 (and ¶11): the Third China-Africa Poverty Reduction and Development Conference was
    held in Dar-es-Salaam on July 28, 2012, during Fan Xiaojian's trip; over 120 attended."""
    conference = Event.objects.get(slug=CHINA_AFRICA_CONFERENCE)
    assert (conference.start_date, conference.end_date) == (datetime.date(2012, 7, 28), None)
    assert conference.city == "Dar es Salaam"
    assert conference.parent.slug == MZ_TZ_TRIP
    assert conference.programmes.filter(
        slug="china-africa-poverty-reduction-and-development-conference"
    ).exists()
    assert (conference.participants, conference.participants_is_minimum) == (120, True)
    assert "ASEAN" in conference.editor_note  # the copied attendance sentence is flagged
    assert ("SL", "participant") in roles(conference, EventCountry, "country")
    kargbo = EventPerson.objects.get(event=conference, person__slug="momodu-kargbo")
    assert kargbo.role == "speaker"
    assert kargbo.title == "Sierra Leonean Deputy Minister of Finance and Economic Development"
    locators = set(conference.citations.values_list("locator", flat=True))
    assert any(locator.endswith("¶11") for locator in locators)
    assert any(locator.endswith("¶34") for locator in locators)


def test_rio_side_meeting_keeps_the_sources_july_date_with_a_note(catalogue):
    """004 ¶31 vs ¶10: the side meeting is dated July 18, 2012 "prior to the opening" of the Rio+20
    conference, which the LGOP delegation attended on its June 12-22 trip; the date is kept and
    flagged, so the meeting is not a child of the June trip."""
    meeting = Event.objects.get(slug=RIO_SIDE_MEETING)
    assert meeting.start_date == datetime.date(2012, 7, 18)
    assert meeting.parent is None
    assert "evidently wrong" in meeting.editor_note
    assert (
        meeting.theme == "International Cooperation on Poverty Reduction in the Context of the MDGs"
    )
    assert roles(meeting, EventOrganization, "organization") >= {
        ("lgop", "organizer"),
        ("ministry-of-social-development-and-fight-against-hunger", "co_organizer"),
        ("undp", "co_organizer"),
        ("giz", "co_organizer"),
    }
    chair = EventPerson.objects.get(event=meeting, person__slug="zheng-wenkai")
    assert (chair.role, chair.note) == ("host", "Chaired the event.")


def test_brazil_action_plan_signed_during_rio_trip(catalogue):
    """004 ¶10, ¶31: Zheng Wenkai's delegation (June 12-22, 2012) signed the 2012-2014 Action Plan
    with Brazil's Ministry of Social Development and Fight Against Hunger (MDS)."""
    trip = Event.objects.get(slug=RIO_TRIP)
    assert (trip.start_date, trip.end_date) == (
        datetime.date(2012, 6, 12),
        datetime.date(2012, 6, 22),
    )
    signing = trip.children.get(type="signing")
    plan = signing.programmes.get()
    assert (plan.kind, plan.start_year, plan.end_year) == ("agreement", 2012, 2014)
    assert (
        Organization.objects.get(
            slug="ministry-of-social-development-and-fight-against-hunger"
        ).acronym
        == "MDS"
    )
    assert signing.citations.count() == 2
    assert set(trip.children.values_list("type", flat=True)) == {
        "forum",
        "meeting",
        "signing",
        "field_visit",
    }


def test_russia_kazakhstan_trip_led_by_wang_guoliang(catalogue):
    """004 ¶12: from August 15 to 26, 2012, Vice Minister Wang Guoliang headed a delegation to
    Russia and Kazakhstan; Ambassador Li Hui briefed it at the Chinese Embassy."""
    trip = Event.objects.get(slug=RU_KZ_TRIP)
    assert (trip.start_date, trip.end_date) == (
        datetime.date(2012, 8, 15),
        datetime.date(2012, 8, 26),
    )
    head = EventPerson.objects.get(event=trip, role="head_of_delegation")
    assert (head.person.slug, head.title) == ("wang-guoliang", "Vice Minister of LGOP")
    assert trip.children.count() == 5
    li_hui = EventPerson.objects.get(person__slug="li-hui")
    assert li_hui.event.parent == trip
    assert (li_hui.role, li_hui.organization.slug) == ("host", "embassy-of-china-in-russia")
    kazakh_parts = trip.children.filter(country_links__country__code="KZ").distinct()
    assert kazakh_parts.count() == 2
    assert (
        Organization.objects.get(slug="petrochina-international-kazakhstan").parent.slug
        == "petrochina"
    )


def test_lgop_leaders_met_twelve_foreign_delegations(catalogue):
    """004 ¶13-¶25: "In 2012, LGOP leaders met with 12 foreign delegations", and the section
    lists twelve such meetings (the Vice Premier's meeting of June 26 is a thirteenth, not hosted
    by LGOP)."""
    meetings = Event.objects.filter(
        type="meeting",
        citations__locator__startswith="International Exchanges > Reception activities",
        organization_links__organization__slug="lgop",
        organization_links__role="host",
    ).distinct()
    assert meetings.count() == 12
    assert all(meeting.start_date.year == 2012 for meeting in meetings)


def test_hui_liangyu_meets_botswana_delegation_in_zhongnanhai(catalogue):
    """004 ¶15: on June 26 Vice Premier Hui Liangyu met Masisi's delegation in the Purple Light
    Pavilion of Zhongnanhai, accompanied by Ding Xuedong and Fan Xiaojian."""
    meeting = Event.objects.get(
        slug="2012-06-26-vice-premier-hui-liangyu-meets-the-botswana-delegation-headed-by-mokgweetsi-masisi"
    )
    assert (meeting.city, meeting.venue) == ("Beijing", "Purple Light Pavilion, Zhongnanhai")
    assert ("BW", "participant") in roles(meeting, EventCountry, "country")
    people = {(link.person.slug, link.role) for link in meeting.person_links.all()}
    assert people == {
        ("hui-liangyu", "host"),
        ("mokgweetsi-masisi", "guest"),
        ("ding-xuedong", "attendee"),
        ("fan-xiaojian", "attendee"),
    }


def test_unicef_mou_signed_by_li_chuanguang(catalogue):
    """004 ¶19: on September 18, 2012, after Fan met Yoka Brandt, Director General Li Chuanguang of
    the LGOP international cooperation department and Brandt signed an MoU."""
    signing = Event.objects.get(
        slug="2012-09-18-signing-of-the-lgop-unicef-memorandum-of-understanding-on-child-poverty-reduction"
    )
    assert (signing.type, signing.start_date) == ("signing", datetime.date(2012, 9, 18))
    li = EventPerson.objects.get(event=signing, person__slug="li-chuanguang")
    assert li.role == "signatory"
    assert li.title.startswith("Director General of the Department for International Cooperation")
    assert li.organization.slug == "lgop-dicsm"
    assert li.organization.parent.slug == "lgop"
    assert "Department for International Cooperation and Social Poverty Reduction of LGOP" in (
        li.organization.alias_list
    )


def test_1017_forum_at_diaoyutai_with_over_300_people(catalogue):
    """004 ¶33: the Poverty Reduction and Development Forum 2012 was held in the Diaoyutai State
    Guesthouse on October 17, sponsored by LGOP and the UN System in China, co-organized by IPRCC
    and UNDP China; more than 300 people attended and Amartya Sen gave a keynote."""
    forum = Event.objects.get(slug=FORUM_1017)
    assert (forum.start_date, forum.city, forum.venue) == (
        datetime.date(2012, 10, 17),
        "Beijing",
        "Diaoyutai State Guesthouse",
    )
    assert forum.programmes.filter(slug="poverty-reduction-and-development-forum").exists()
    assert (forum.participants, forum.participants_is_minimum) == (300, True)
    assert forum.participants_display == "over 300"
    assert roles(forum, EventOrganization, "organization") >= {
        ("lgop", "sponsor"),
        ("united-nations", "sponsor"),
        ("iprcc", "co_organizer"),
        ("undp", "co_organizer"),
    }
    sen = EventPerson.objects.get(event=forum, person__slug="amartya-sen")
    assert sen.role == "speaker"
    assert sen.title == "Professor at Harvard University and 1998 Nobel laureate in economics"


def test_indonesian_minister_met_during_the_forum(catalogue):
    """004 ¶20: on October 17, 2012, Fan met Indonesian minister Armida Alisjahbana during the
    forum, and recalled LGOP delegations' visits to Indonesia in 2011."""
    meeting = Event.objects.get(
        slug="2012-10-17-fan-xiaojian-meets-an-indonesian-delegation-headed-by-armida-alisjahbana"
    )
    assert meeting.parent.slug == FORUM_1017
    armida = EventPerson.objects.get(event=meeting, person__slug="armida-salsiah-alisjahbana")
    assert (armida.role, armida.title) == (
        "guest",
        "Indonesian National Development Planning Minister",
    )
    visits = Event.objects.get(slug="2011-lgop-delegations-visit-indonesia")
    assert (visits.start_date, visits.date_precision) == (datetime.date(2011, 1, 1), "year")
    assert ("ID", "host") in roles(visits, EventCountry, "country")


def test_wu_hongbo_title_as_the_source_gives_it(catalogue):
    """004 ¶21, ¶33: Wu Hongbo is "UN Deputy Secretary-General" at his October 17 meeting with Fan
    (appointed IPRCC senior advisor) but "UN Under-Secretary-General for Economic and Social
    Affairs" at the forum."""
    meeting_link = EventPerson.objects.get(
        event__slug="2012-10-17-fan-xiaojian-meets-wu-hongbo-and-appoints-him-iprcc-senior-advisor",
        person__slug="wu-hongbo",
    )
    assert meeting_link.title == "UN Deputy Secretary-General"
    forum_link = EventPerson.objects.get(event__slug=FORUM_1017, person__slug="wu-hongbo")
    assert forum_link.title == "UN Under-Secretary-General for Economic and Social Affairs"


def test_child_poverty_symposium(catalogue):
    """004 ¶35-¶36: the symposium was held in Beijing from Nov. 20 to 22, 2012 with more than 200
    delegates from 20 developing countries; sponsored by LGOP and UNICEF, funded by an AusAID
    grant and organized by LGOP's Foreign Capital Project Management Center."""
    symposium = Event.objects.get(slug=CHILD_SYMPOSIUM)
    assert (symposium.start_date, symposium.end_date, symposium.city) == (
        datetime.date(2012, 11, 20),
        datetime.date(2012, 11, 22),
        "Beijing",
    )
    assert (symposium.participants, symposium.participants_is_minimum) == (200, True)
    assert (symposium.participant_countries, symposium.participant_countries_is_minimum) == (
        20,
        False,
    )
    assert roles(symposium, EventOrganization, "organization") == {
        ("lgop", "sponsor"),
        ("unicef", "sponsor"),
        ("ausaid", "funder"),
        ("lgop-fcpmc", "organizer"),
    }
    assert Organization.objects.get(slug="lgop-fcpmc").parent.slug == "lgop"


def test_second_china_africa_seminar_in_shenzhen(catalogue):
    """004 ¶37: from January 7 to 13, 2012, the second China-Africa Seminar was held in Shenzhen;
    over 50 attended, ten African representatives from Ethiopia, Togo, Nigeria, Gabon, Zimbabwe
    and Mozambique."""
    seminar = Event.objects.get(slug=CHINA_AFRICA_SEMINAR)
    assert (seminar.start_date, seminar.end_date, seminar.city) == (
        datetime.date(2012, 1, 7),
        datetime.date(2012, 1, 13),
        "Shenzhen",
    )
    assert (seminar.participants, seminar.participants_is_minimum) == (50, True)
    participants = {
        code for code, role in roles(seminar, EventCountry, "country") if role == "participant"
    }
    assert participants == {"ET", "TG", "NG", "GA", "ZW", "MZ"}
    assert ("CN", "host") in roles(seminar, EventCountry, "country")
    assert (
        Organization.objects.get(slug="china-center-for-special-economic-zone-research").parent.slug
        == "shenzhen-university"
    )


def test_five_overseas_trainings_in_2012(catalogue):
    """004 ¶26-¶27: in 2012 LGOP organized five overseas trainings (two in the United States, one
    each in Australia, Brazil and South Korea); from 2004 it organized 38 of them."""
    programme = Programme.objects.get(slug="lgop-overseas-training-for-poverty-relief-cadres")
    assert programme.start_year == 2004
    trainings = programme.events.all()
    assert trainings.count() == 5
    assert {(t.start_date, t.date_precision, t.type) for t in trainings} == {
        (datetime.date(2012, 1, 1), "year", "training")
    }
    hosts = sorted(
        EventCountry.objects.filter(event__in=trainings, role="host").values_list(
            "country__code", flat=True
        )
    )
    assert hosts == ["AU", "BR", "KR", "US", "US"]


def test_sixth_china_asean_forum_in_liuzhou(catalogue):
    """004 ¶32: from September 26 to 27, 2012, the sixth China-ASEAN Forum took place in Liuzhou;
    over 120 people from China and eight ASEAN countries; a field visit to Lubi Village followed."""
    forum = Event.objects.get(slug=ASEAN_FORUM)
    assert (forum.start_date, forum.end_date, forum.city) == (
        datetime.date(2012, 9, 26),
        datetime.date(2012, 9, 27),
        "Liuzhou",
    )
    assert (forum.participants, forum.participants_is_minimum, forum.participant_countries) == (
        120,
        True,
        9,
    )
    assert forum.theme == "China and ASEAN: Inclusive Development and Poverty Reduction"
    visit = forum.children.get()
    assert visit.type == "field_visit"
    assert "Lubi Village" in visit.venue


def test_every_record_cites_the_yearbook(catalogue):
    """004 ¶1-¶39: every event in this part cites the yearbook chapter with a ¶ locator."""
    events = Event.objects.filter(citations__source__slug=SOURCE).distinct()
    assert events.count() >= 50
    for event in events:
        assert event.citations.filter(source__slug=SOURCE, locator__contains="¶").exists()
