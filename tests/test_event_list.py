import datetime
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.views import common as views

from .engines import postgresql_only
from .factories import EventCountryFactory, EventFactory

pytestmark = pytest.mark.django_db

URL = "/events/"


def slugs(response):
    return [event.slug for event in response.context["events"]]


def test_lists_every_event_newest_first(client, sample):
    response = client.get(URL)
    assert response.status_code == 200
    assert slugs(response) == [
        "2013-seminar",
        "2012-08-training",
        "2012-07-28-conference",
        "2012-07-21-visit",
    ]
    assert response.context["total"] == 4


@pytest.mark.parametrize("code", ["tz", "TZ", "Tz"])
def test_country_filter_takes_iso_code_in_any_case(client, sample, code):
    assert set(slugs(client.get(URL, {"country": code}))) == {
        "2012-07-21-visit",
        "2012-07-28-conference",
        "2012-08-training",
    }


def test_country_role_host_keeps_only_hosted_events(client, sample):
    response = client.get(URL, {"country": "tz", "country_role": "host"})
    assert set(slugs(response)) == {"2012-07-21-visit", "2012-07-28-conference"}


def test_several_countries_are_or_and_filters_are_and(client, sample):
    response = client.get(URL + "?country=mz&country=cn&type=training&type=seminar")
    assert set(slugs(response)) == {"2012-08-training", "2013-seminar"}


def test_region_filter(client, sample):
    response = client.get(URL, {"region": "africa", "country_role": "host"})
    assert set(slugs(response)) == {"2012-07-21-visit", "2012-07-28-conference"}


def test_year_filter_matches_events_under_way_in_the_year(client, sample):
    assert set(slugs(client.get(URL, {"year": "2013"}))) == {"2013-seminar"}
    assert len(slugs(client.get(URL + "?year=2012&year=2013"))) == 4


def test_the_year_box_takes_several_years(client, sample):
    for typed in ("2012 2013", "2012, 2013", "2012;2013"):
        assert client.get(URL, {"year": typed}).context["total"] == 4


def test_date_range_keeps_overlapping_events(client, sample):
    response = client.get(URL, {"date_from": "2012-07-25", "date_to": "2012-07-31"})
    assert set(slugs(response)) == {"2012-07-21-visit", "2012-07-28-conference"}
    response = client.get(URL, {"date_from": "2012-08-15"})
    assert set(slugs(response)) == {"2013-seminar"}


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_years_and_date_ranges_find_long_events_both_ways_round(client, sample, sort):
    """The filters bound the start dates they read by the longest span of any event
    (models.events.EarliestStart): an event of ten years, a draft of twenty (drafts are not
    listed, but bound too) and one of a day are each found in every year they touch, and
    nowhere else."""
    from cooperation.models import Event

    long = EventFactory(
        slug="decade", start_date=datetime.date(2001, 3, 1),
        end_date=datetime.date(2010, 2, 1), end_date_precision="day",
    )  # fmt: skip
    EventFactory(
        slug="draft", status=Event.Status.DRAFT, start_date=datetime.date(1990, 1, 1),
        end_date=datetime.date(2010, 1, 1), end_date_precision="day",
    )  # fmt: skip
    day = EventFactory(slug="day", start_date=datetime.date(2005, 6, 1))
    for year in range(2000, 2012):
        found = set(slugs(client.get(URL, {"year": year, "sort": sort})))
        assert (long.slug in found) == (2001 <= year <= 2010), year
        assert (day.slug in found) == (year == 2005), year
        assert "draft" not in found
    found = set(slugs(client.get(URL, {"date_from": "2010-02-01", "sort": sort})))
    assert long.slug in found and day.slug not in found
    found = set(slugs(client.get(URL, {"date_from": "2010-02-02", "sort": sort})))
    assert long.slug not in found


def test_programme_organization_role_and_person_filters(client, sample):
    assert slugs(client.get(URL, {"programme": "china-africa-forum"})) == ["2012-07-28-conference"]
    assert set(slugs(client.get(URL, {"organization": "lgop"}))) == {
        "2012-07-21-visit",
        "2012-07-28-conference",
    }
    assert slugs(client.get(URL, {"organization": "lgop", "organization_role": "organizer"})) == [
        "2012-07-21-visit"
    ]
    assert set(slugs(client.get(URL, {"person": "fan-xiaojian"}))) == {
        "2012-07-21-visit",
        "2012-07-28-conference",
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("water", {"2012-08-training"}),  # title
        ("tanganyika", {"2012-07-21-visit", "2012-07-28-conference", "2012-08-training"}),
        ("state council", {"2012-07-21-visit", "2012-07-28-conference"}),  # organization alias
        ("IPRCC", {"2012-08-training"}),  # acronym
        ("xiaojian", {"2012-07-21-visit", "2012-07-28-conference"}),  # person
        ("china-africa forum", {"2012-07-28-conference"}),  # programme, every word must match
        ("dar es salaam", {"2012-07-28-conference"}),  # city
    ],
)
def test_free_text_search(client, sample, q, expected):
    assert set(slugs(client.get(URL, {"q": q}))) == expected


@postgresql_only("PostgreSQL's plans")
def test_a_search_probes_each_event_s_links_instead_of_reading_all_of_them_first(sample):
    """Ored with the text, "linked to a record of that name" is tested row by row through the
    links' event index: a hashed subplan reads every link of those records before the first
    row (109,000 at 10,000,000 events for "mushroom")."""
    from django.http import QueryDict

    from cooperation.lists import EVENTS

    rows = EVENTS.filter(QueryDict("q=tanganyika")).qs.order_by("-start_date", "-id")[:26]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    links = [
        "cooperation_eventcountry",
        "cooperation_eventorganization",
        "cooperation_event_programmes",
    ]
    assert any(table in plan for table in links), plan
    assert re.search(r"Index Cond: \(+event_id = ", plan), plan  # per event, alone or first
    assert plan.count("hashed SubPlan") <= 1, plan  # the drafts' (NOT hashed SubPlan 1) only


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("date", "2012-07-21-visit"),
        ("-date", "2013-seminar"),
        ("title", "2012-07-21-visit"),
        ("-participants", "2012-07-28-conference"),
        ("participants", "2012-08-training"),
    ],
)
def test_sorting(client, sample, sort, first):
    assert slugs(client.get(URL, {"sort": sort}))[0] == first


def test_title_describes_the_filters_in_words(client, sample):
    response = client.get(URL, {"type": "training", "country": "tz", "year": "2012"})
    assert response.context["title"] == "Trainings involving Tanzania, in 2012"
    assert "<h1>Trainings involving Tanzania, in 2012</h1>" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "title"),
    [
        (
            {"country": "tz", "country_role": "host", "year": "2012"},
            "Events hosted by Tanzania, in 2012",
        ),
        (
            {"country": ["tz", "mz"], "country_role": "participant"},
            "Events with Mozambique or Tanzania taking part",
        ),
        (
            {"type": ["training", "forum"], "q": "water"},
            "Events matching “water”, of type Training or Forum or conference",
        ),
        (
            {"organization": "lgop", "date_from": "2012-01-01"},
            "Events under way from 1 January 2012, with Leading Group Office",
        ),
    ],
)
def test_titles_for_other_filters(client, sample, query, title):
    assert client.get(URL, query).context["title"] == title


def test_each_active_filter_can_be_removed(client, sample):
    response = client.get(URL, {"country": "tz", "year": "2012"})
    chips = {chip["label"]: chip["remove"] for chip in response.context["chips"]}
    assert chips == {"involving Tanzania": "year=2012", "in 2012": "country=tz"}


def facet(response, param):
    facets = {facet["param"]: facet["values"] for facet in response.context["facets"]}
    return {item["value"]: (item["n"], item["query"], item["current"]) for item in facets[param]}


def test_facets_count_within_the_current_result(client, sample):
    response = client.get(URL, {"country": "tz"})
    assert {v: n for v, (n, _, _) in facet(response, "type").items()} == {
        "forum": 1,
        "training": 1,
        "visit": 1,
    }
    assert {v: n for v, (n, _, _) in facet(response, "year").items()} == {"2012": 3}
    assert {v: n for v, (n, _, _) in facet(response, "country").items()} == {
        "tz": 3,
        "cn": 3,
        "mz": 1,
    }
    assert {v: n for v, (n, _, _) in facet(response, "programme").items()} == {
        "china-africa-forum": 1
    }


def test_facet_links_narrow_to_exactly_their_count(client, sample):
    """A facet value's link keeps the current filters and adds the value: for a link table
    (an event with several countries) as "and also" (and_country), never as OR."""
    response = client.get(URL, {"country": "tz"})
    assert facet(response, "type")["training"][1] == "country=tz&type=training"
    n, query, current = facet(response, "country")["mz"]
    assert (query, current) == ("country=tz&and_country=mz", False)
    assert client.get(f"{URL}?{query}").context["total"] == n == 1
    assert facet(response, "country")["tz"][2] is True  # the current result itself


def test_year_facet_counts_events_under_way_as_the_year_filter_does(client, sample):
    EventFactory(
        slug="2012-2014-project",
        start_date=datetime.date(2012, 11, 1),
        end_date=datetime.date(2014, 2, 1),
        end_date_precision="day",
    )
    counts = {v: n for v, (n, _, _) in facet(client.get(URL), "year").items()}
    assert counts == {"2012": 4, "2013": 2, "2014": 1}
    for year, n in counts.items():
        assert client.get(URL, {"year": year}).context["total"] == n


def test_download_link_carries_the_filters(client, sample):
    page = client.get(URL, {"country": "tz", "year": "2012", "page": "1"}).content.decode()
    assert 'href="/events/export.csv?country=tz&amp;year=2012"' in page


def test_pagination_keeps_the_filters(client, sample, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    response = client.get(URL, {"country": "tz"})
    token = response.context["page"].next_token
    assert f'href="?country=tz&amp;after={token}" rel="next"' in response.content.decode()
    second = client.get(URL, {"country": "tz", "after": token})
    assert len(second.context["events"]) == 1
    assert second.context["events"][0] != response.context["events"][0]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"country": "zz"}, "Select a valid choice. ZZ is not one of the available"),
        ({"year": "twenty"}, "“twenty” is not a year."),
        ({"year": "99999"}, "Years run from 1000 to 9999"),
        ({"date_from": "2012-13-45"}, "Enter a valid date."),
        ({"date_from": "2020-01-01", "date_to": "2000-01-01"}, "The range ends (2000-01-01)"),
        ({"type": "party"}, "Select a valid choice. party is not one of the available"),
        ({"sort": "random"}, "Select a valid choice."),
        ({"programme": "nope"}, "Select a valid choice."),
        ({"q": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"page": "abc"}, "page: “abc” is not a page number."),
        ({"page": "-1"}, "page:"),
        ({"page": "300"}, "page: there is no page 300; the list ends before it."),
        ({"page": "401"}, "page: numbered pages go up to 400"),
        ({"after": "not-a-token"}, "page position is not valid"),
        ({"after": "WyJ4IiwxXQ"}, "does not fit the sort order"),
    ],
)
def test_invalid_values_give_a_clear_message_and_400(client, sample, query, message):
    response = client.get(URL, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_empty_form_fields_are_ignored(client, sample):
    response = client.get(URL + "?q=&country=&year=&date_from=&type=&sort=", follow=True)
    assert response.redirect_chain == [("/events/", 302)]
    assert response.context["total"] == 4


def test_a_submitted_form_leads_to_a_clean_url(client, sample):
    response = client.get(URL + "?q=&country=tz&country_role=&year=2012&sort=")
    assert (response.status_code, response["Location"]) == (302, "/events/?country=tz&year=2012")


def test_a_nul_character_is_an_error_on_the_html_page(client, sample):
    response = client.get(URL + "?q=%00&country=tz")
    assert response.status_code == 400
    page = response.content.decode()
    assert "<form" in page and "holds a NUL character" in page


def test_a_type_added_later_reads_in_titles_without_failing():
    from cooperation.filters import TYPE_PLURALS, plural_type
    from cooperation.models import Event

    assert set(TYPE_PLURALS) == set(Event.Type.values)  # every type has its plural
    assert plural_type("exhibition") == "Events (exhibition)"


def test_errors_show_beside_their_field(client, sample):
    page = client.get(URL, {"year": "twenty", "country": "tz"}).content.decode()
    field = page[page.index('id="id_year"') - 600 : page.index('id="id_year"')]
    assert "“twenty” is not a year." in field


def count_queries(client, url):
    for summaries_cache in caches.all():  # the work of a page, not of a cache hit
        summaries_cache.clear()
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_query_count_is_pinned(client, sample, catalogue_version, django_assert_num_queries):
    client.get(URL, {"country": "tz"})  # computes and caches the count and facet counts
    # country codes, page, 2 prefetches, the catalogue's version (which cached values are
    # current), cached count (1 read), cached facets (1 read), the form's record choices (7:
    # country, and_country, programme, and_programme, organization, person, source)
    with django_assert_num_queries(14):
        client.get(URL, {"country": "tz"})


def test_first_request_computes_count_and_facets_within_a_budget(
    client, sample, catalogue_version, django_assert_num_queries
):
    # As above, but the count and the four facets are computed (on PostgreSQL each under a
    # statement timeout: savepoint, SET LOCAL, query, release) and written to the database
    # cache (Django's DatabaseCache spends several queries on each write). Pinned per engine.
    # PostgreSQL also puts each statement timeout back (one query each), so that it does not
    # outlive its savepoint in an enclosing transaction. On PostgreSQL one country is counted
    # by its counter (cooperation/counters.py): one query, nothing cached.
    expected = {"sqlite": 44, "postgresql": 54}[connection.vendor]
    with django_assert_num_queries(expected):
        client.get(URL, {"country": "tz"})


def test_query_count_does_not_grow_with_rows_or_links(
    client, sample, catalogue_version, monkeypatch
):
    before = count_queries(client, URL + "?country=tz")
    for _ in range(30):
        event = EventFactory()
        EventCountryFactory(event=event, country=sample["tanzania"])
        EventCountryFactory(event=event, country=sample["china"], role="participant")
        event.programmes.add(sample["forum"])
    assert count_queries(client, URL + "?country=tz") == before
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    assert count_queries(client, URL + "?country=tz") == before
