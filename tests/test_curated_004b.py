"""Spot checks of the catalogue against the 2012 LGOP yearbook chapter (seed 004), ¶40 to the end:
Poverty Reduction and Development Experience Sharing, and Poverty Alleviation of International
Organizations in China."""

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
DIPLOMACY_SEMINAR = (
    "2012-08-28-seminar-on-the-concept-and-practice-of-poverty-alleviation-diplomacy"
)
CHILD_POVERTY_STUDY = (
    "2012-07-comparative-study-of-international-child-poverty-and-development-experience-and-model"
)
DAC_ZIMBABWE = "2012-11-china-dac-study-group-field-research-in-zimbabwe"
TANZANIA_TRIP = "2012-05-23-iprcc-delegation-visits-tanzania"
TANZANIA_SYMPOSIUM = "2012-05-23-international-symposium-the-release-of-growth-potential"
ASEAN_JCC = "2012-03-21-13th-asean-china-joint-cooperation-committee-meeting"
CELEBRITY_FORUM = "2012-10-19-7th-iprcc-celebrity-forum"
FRANCOPHONE_MAY = (
    "2012-05-03-seminar-on-development-oriented-poverty-alleviation-and-practice-"
    "for-officials-from-francophone-africa"
)
MDG_APRIL = "2012-04-13-seminar-on-mdgs-and-sustainable-poverty-reduction-for-developing-countries"
IFAD_SEMINAR = "2012-07-05-4th-china-ifad-south-south-cooperation-seminar"
IFAD_SHANXI = "2012-07-05-china-ifad-seminar-field-research-in-shanxi"
ACD_SEMINAR = (
    "2012-09-20-seminar-on-theory-and-practice-of-international-development-"
    "poverty-reduction-for-asian-countries"
)
MSME_PROGRAM = (
    "2012-11-05-china-africa-experience-sharing-program-on-msme-financing-and-inclusive-growth"
)
MSME_ANHUI = "2012-11-05-msme-programme-field-research-in-anhui"
FRANCOPHONE_NOV = (
    "2012-11-15-seminar-on-realization-of-the-un-mdgs-for-officials-from-francophone-africa"
)
WB_APPROVAL = "2012-07-state-council-approves-the-sixth-world-bank-poverty-alleviation-project"
WB_LAUNCH = "2012-lgop-and-world-bank-launch-the-sixth-poverty-alleviation-project"


def country_roles(slug):
    return set(EventCountry.objects.filter(event__slug=slug).values_list("country__code", "role"))


def org_roles(slug):
    return set(
        EventOrganization.objects.filter(event__slug=slug).values_list("organization__slug", "role")
    )


def test_poverty_alleviation_diplomacy_seminar(catalogue):
    """004 ¶46: LGOP and the Ministry of Foreign Affairs held the seminar on the "Concept and
    Practice of Poverty Alleviation Diplomacy" in Beijing, August 28-29, 2012, with 32 people."""
    seminar = Event.objects.get(slug=DIPLOMACY_SEMINAR)
    assert (seminar.start_date, seminar.end_date) == (
        datetime.date(2012, 8, 28),
        datetime.date(2012, 8, 29),
    )
    assert (seminar.city, seminar.participants) == ("Beijing", 32)
    assert {("lgop", "organizer"), ("mofa-china", "organizer")} <= org_roles(seminar.slug)
    song = EventPerson.objects.get(event=seminar, person__slug="song-tao")
    assert (song.title, song.organization.slug) == (
        "Vice Minister of Foreign Affairs",
        "mofa-china",
    )


def test_child_poverty_comparative_study_runs_july_to_september(catalogue):
    """004 ¶45: from July to September 2012 LGOP's Foreign Capital Project Management Center and
    UNICEF jointly organized the comparative study of international child poverty."""
    study = Event.objects.get(slug=CHILD_POVERTY_STUDY)
    assert (study.start_date, study.date_precision) == (datetime.date(2012, 7, 1), "month")
    assert (study.end_date, study.end_date_precision) == (datetime.date(2012, 9, 1), "month")
    assert {("lgop-fcpmc", "organizer"), ("unicef", "organizer")} <= org_roles(study.slug)
    assert Organization.objects.get(slug="lgop-fcpmc").parent.slug == "lgop"


def test_china_dac_field_research_in_zimbabwe_takes_year_from_yearbook(catalogue):
    """004 ¶43: in November (2012, the yearbook's year) the China-DAC Study Group did field research
    in Zimbabwe on China-Africa agricultural knowledge sharing."""
    visit = Event.objects.get(slug=DAC_ZIMBABWE)
    assert (visit.start_date, visit.date_precision) == (datetime.date(2012, 11, 1), "month")
    assert ("ZW", "host") in country_roles(visit.slug)
    assert visit.programmes.filter(slug="china-dac-study-group").exists()
    assert "2012" in visit.editor_note


def test_iprcc_delegation_to_tanzania_and_its_symposium(catalogue):
    """004 ¶49: from May 23 to 28, 2012, an IPRCC delegation headed by Director-General Huang
    Chengwei attended an international symposium in Tanzania, where he gave a keynote speech."""
    trip = Event.objects.get(slug=TANZANIA_TRIP)
    assert (trip.start_date, trip.end_date) == (
        datetime.date(2012, 5, 23),
        datetime.date(2012, 5, 28),
    )
    head = EventPerson.objects.get(event=trip, role="head_of_delegation")
    assert (head.person.slug, head.title, head.organization.slug) == (
        "huang-chengwei",
        "Director-General",
        "iprcc",
    )
    symposium = Event.objects.get(slug=TANZANIA_SYMPOSIUM)
    assert symposium.parent == trip
    assert EventPerson.objects.filter(
        event=symposium, person__slug="huang-chengwei", role="speaker"
    ).exists()
    assert ("TZ", "host") in country_roles(symposium.slug)


def test_asean_china_joint_cooperation_committee_meeting_in_jakarta(catalogue):
    """004 ¶48: March 21-24, 2012, IPRCC staff attended the 13th ASEAN-China Joint Cooperation
    Committee Meeting in Djakarta, sponsored by the ASEAN Secretariat and China's MFA."""
    meeting = Event.objects.get(slug=ASEAN_JCC)
    assert meeting.end_date == datetime.date(2012, 3, 24)
    assert meeting.city == "Jakarta"
    assert {("ID", "host"), ("CN", "participant")} <= country_roles(meeting.slug)
    assert {
        ("asean-secretariat", "sponsor"),
        ("mofa-china", "sponsor"),
        ("iprcc", "participant"),
    } <= org_roles(meeting.slug)
    assert Organization.objects.get(slug="asean-secretariat").parent.slug == "asean"


def test_seventh_celebrity_forum_speaker(catalogue):
    """004 ¶53: on October 19, 2012 the 7th IPRCC Celebrity Forum was held in Beijing; Wu Hongbo,
    UN Under-Secretary-General for Economic and Social Affairs, gave the speech."""
    forum = Event.objects.get(slug=CELEBRITY_FORUM)
    assert forum.start_date == datetime.date(2012, 10, 19)
    assert forum.programmes.filter(slug="iprcc-celebrity-forum").exists()
    wu = EventPerson.objects.get(event=forum, person__slug="wu-hongbo")
    assert (wu.role, wu.title) == (
        "speaker",
        "UN Under-Secretary-General for Economic and Social Affairs",
    )


def test_francophone_seminar_count_disagrees_with_its_list(catalogue):
    """004 ¶56: 23 participants from "11 countries" attended the May 3-17 seminar for Francophone
    Africa, but the text names 12 countries; both facts are kept."""
    seminar = Event.objects.get(slug=FRANCOPHONE_MAY)
    assert (seminar.participants, seminar.participant_countries) == (23, 11)
    participants = {code for code, role in country_roles(seminar.slug) if role == "participant"}
    assert participants == {"DZ", "BJ", "BI", "GQ", "CD", "GN", "GA", "MU", "SN", "TD", "MR", "CI"}
    assert "12" in seminar.editor_note
    assert seminar.programmes.filter(slug="china-aid-training-programmes").exists()


def test_mdg_seminar_has_seventeen_countries(catalogue):
    """004 ¶55: 26 representatives of 17 countries (Burma, East Timor... among them) attended the
    MDGs seminar in Beijing, April 13-27, 2012, sponsored by MOFCOM and organized by IPRCC."""
    seminar = Event.objects.get(slug=MDG_APRIL)
    assert (seminar.participants, seminar.participant_countries) == (26, 17)
    participants = {code for code, role in country_roles(seminar.slug) if role == "participant"}
    assert len(participants) == 17 and {"MM", "TL", "PS", "CF", "SS"} <= participants
    assert {("mofcom", "sponsor"), ("iprcc", "organizer")} <= org_roles(seminar.slug)


def test_china_ifad_seminar_and_its_shanxi_field_research(catalogue):
    """004 ¶60: the 4th China-IFAD South-South Cooperation Seminar, July 5-11, 2012, in Beijing,
    had 18 delegates and field research in Shanxi Province."""
    seminar = Event.objects.get(slug=IFAD_SEMINAR)
    assert seminar.participants == 18
    assert seminar.programmes.filter(slug="china-ifad-south-south-cooperation-seminar").exists()
    assert {("mofcom", "sponsor"), ("ifad", "sponsor"), ("iprcc", "organizer")} <= org_roles(
        seminar.slug
    )
    field = Event.objects.get(slug=IFAD_SHANXI)
    assert field.parent == seminar and field.venue == "Shanxi Province"


def test_asia_cooperation_dialogue_seminar(catalogue):
    """004 ¶63: 26 officials and scholars from 14 Asia Cooperation Dialogue states attended the
    September 20-28, 2012 seminar, co-organized by Gansu's poverty alleviation office."""
    seminar = Event.objects.get(slug=ACD_SEMINAR)
    assert (seminar.participants, seminar.participant_countries) == (26, 14)
    participants = {code for code, role in country_roles(seminar.slug) if role == "participant"}
    assert len(participants) == 14 and {"KR", "RU", "VN", "MM"} <= participants
    assert (
        "gansu-provincial-poverty-alleviation-and-development-office",
        "co_organizer",
    ) in org_roles(seminar.slug)
    assert {("mofa-china", "supporter"), ("mof-china", "supporter")} <= org_roles(seminar.slug)


def test_msme_experience_sharing_program_opening_speakers(catalogue):
    """004 ¶65: about 80 people attended the China-Africa MSME experience-sharing program opened in
    Beijing on November 5, 2012; Zheng Wenkai, Vice Minister of LGOP, addressed the opening."""
    program = Event.objects.get(slug=MSME_PROGRAM)
    assert (program.participants, program.participants_is_minimum) == (80, False)
    assert program.end_date == datetime.date(2012, 11, 12)
    zheng = EventPerson.objects.get(event=program, person__slug="zheng-wenkai")
    assert (zheng.role, zheng.title, zheng.organization.slug) == (
        "speaker",
        "Vice Minister of LGOP",
        "lgop",
    )
    assert {
        ("cicete", "co_organizer"),
        ("undp", "co_organizer"),
        ("world-bank", "sponsor"),
    } <= org_roles(program.slug)
    participants = {code for code, role in country_roles(program.slug) if role == "participant"}
    assert participants == {"BI", "ET", "GW", "MW", "NG", "MY"}
    anhui = Event.objects.get(slug=MSME_ANHUI)
    assert anhui.parent == program


def test_francophone_mdg_seminar_spellings(catalogue):
    """004 ¶66: 27 representatives of 11 countries, including Congo (Kinshasa) and Central Africa,
    attended the November 15-29, 2012 seminar on the UN MDGs."""
    seminar = Event.objects.get(slug=FRANCOPHONE_NOV)
    assert (seminar.participants, seminar.participant_countries) == (27, 11)
    assert {("CD", "participant"), ("CF", "participant"), ("KM", "participant")} <= country_roles(
        seminar.slug
    )


def test_world_bank_sixth_project_approved_july_2012(catalogue):
    """004 ¶70: the State Council approved the World Bank's sixth poverty alleviation project in
    July 2012; implementation was planned for 2013 to 2015."""
    approval = Event.objects.get(slug=WB_APPROVAL)
    assert (approval.start_date, approval.date_precision) == (datetime.date(2012, 7, 1), "month")
    assert ("state-council", "supporter") in org_roles(approval.slug)
    project = Programme.objects.get(slug="world-bank-sixth-poverty-alleviation-project")
    assert (project.kind, project.start_year, project.end_year) == ("loan_project", 2012, 2015)
    assert approval.programmes.filter(pk=project.pk).exists()
    alias = "Demonstration pilot project of industrial poverty alleviation in contiguous poor areas"
    assert alias in project.alias_list


def test_world_bank_project_funding_disagreement_noted(catalogue):
    """004 ¶71: $150 million of World Bank loans, split as $60 million for Gansu and $50 million
    for Sichuan and Guizhou; the mismatch is kept and noted."""
    launch = Event.objects.get(slug=WB_LAUNCH)
    assert launch.date_precision == "year"
    assert "$110 million" in launch.editor_note
    assert ("global-environment-facility", "funder") in org_roles(launch.slug)


def test_monitoring_and_evaluation_training_for_central_asia(catalogue):
    """004 ¶61: August 6-17, 2012, IPRCC and UNDP sponsored the Training of Monitoring and
    Evaluation on China's Poverty Reduction Strategy in Beijing for 13 representatives of
    Tajikistan, Uzbekistan and Kazakhstan."""
    slug = "2012-08-06-training-of-monitoring-and-evaluation-on-chinas-poverty-reduction-strategy"
    training = Event.objects.get(slug=slug)
    assert (training.type, training.participants, training.participant_countries) == (
        "training",
        13,
        None,
    )
    assert country_roles(slug) == {
        ("CN", "host"),
        ("TJ", "participant"),
        ("UZ", "participant"),
        ("KZ", "participant"),
    }
    assert org_roles(slug) == {("iprcc", "sponsor"), ("undp", "sponsor")}
    assert training.citations.filter(
        source__slug=SOURCE, locator__endswith="Trainings, item 8, ¶61"
    ).exists()
