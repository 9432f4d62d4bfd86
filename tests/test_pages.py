import io
import re

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation import summaries
from cooperation.models import Event

from .engines import postgresql_only
from .factories import EventCountryFactory, EventFactory, EventPersonFactory

pytestmark = pytest.mark.django_db


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def head_of(html):
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    description = re.search(r'<meta name="description" content="(.*?)">', html, re.S).group(1)
    canonical = re.search(r'<link rel="canonical" href="(.*?)">', html).group(1)
    return title, description, canonical


DETAIL_URLS = [
    "/",
    "/events/",
    "/events/2012-07-21-visit/",
    "/countries/",
    "/countries/tz/",
    "/years/",
    "/years/2012/",
    "/programmes/",
    "/programmes/china-africa-forum/",
    "/organizations/",
    "/organizations/lgop/",
    "/people/",
    "/people/fan-xiaojian/",
    "/sources/",
    "/sources/yearbook/",
]


@pytest.mark.parametrize("url", DETAIL_URLS)
def test_every_page_has_title_description_and_canonical_link(client, sample, url):
    title, description, canonical = head_of(page(client, url))
    assert title.strip() and description.strip()
    assert canonical.startswith(f"http://testserver{url}")


@pytest.mark.parametrize("url", DETAIL_URLS)
def test_every_page_has_landmarks_and_a_skip_link(client, sample, url):
    html = page(client, url)
    assert 'href="#main"' in html and '<main id="main"' in html
    assert "<nav" in html and "<header" in html and "<footer" in html


def test_event_page_tells_the_whole_story(client, sample):
    html = page(client, "/events/2012-07-21-visit/")
    assert "21–29 July 2012" in html
    assert 'href="/countries/mz/">Mozambique</a>' in html
    assert "Head of delegation" in html and "Minister of LGOP" in html
    assert 'href="/organizations/lgop/"' in html
    assert 'href="/events/2012-07-28-conference/">Third China-Africa Conference</a>' in html
    assert "Yearbook 2012" in html and "¶" in html
    assert 'rel="next"' in html  # neighbouring event


def test_event_page_links_to_parent_and_programme(client, sample):
    html = page(client, "/events/2012-07-28-conference/")
    assert 'href="/events/2012-07-21-visit/"' in html
    assert 'href="/programmes/china-africa-forum/"' in html
    assert "over 120" in html and "lower bound" in html


def test_country_page_lists_its_events_and_hosted_years(client, sample):
    response = client.get("/countries/TZ/")
    html = response.content.decode()
    assert response.context["total"] == 3
    assert "/events/?country=tz&amp;country_role=host&amp;year=2012" in html
    assert 'href="/events/export.csv?country=tz"' in html
    assert "<svg" in html and "<title id=" in html


def test_country_page_is_filterable(client, sample):
    response = client.get("/countries/tz/", {"country_role": "host"})
    assert response.context["total"] == 2
    assert client.get("/countries/tz/", {"year": "x"}).status_code == 400


def test_country_list_counts_hosted_and_taken_part(client, sample):
    response = client.get("/countries/", {"q": "tanzania"})
    (country,) = response.context["records"]
    assert (country.events_hosted, country.events_taken_part) == (2, 1)


def test_year_page_groups_events_by_month(client, sample):
    response = client.get("/years/2012/")
    months = [month for month, _ in response.context["months"]]
    assert months == ["July", "August"]
    assert response.context["next_year"] == 2013


def test_home_page_shows_counts_chart_and_latest(client, sample):
    response = client.get("/")
    assert response.context["counts"]["events"] == 4
    html = response.content.decode()
    assert 'role="img"' in html and "Events per year as a table" in html
    assert "Seminar in Beijing" in html


def test_chart_shows_empty_years_as_gaps(client, sample):
    EventFactory(start_date="2015-05-01")
    chart = client.get("/").context["chart"]
    assert [bar.label for bar in chart.bars] == ["2012", "2013", "2014", "2015"]
    assert [bar.value for bar in chart.bars] == [3, 1, 0, 1]


@pytest.mark.parametrize(
    "url",
    [
        "/events/no-such-event/",
        "/countries/zz/",
        "/countries/tanzania/",
        "/programmes/nope/",
        "/organizations/nope/",
        "/people/nope/",
        "/sources/nope/",
        "/years/0/",
        "/nowhere/",
    ],
)
def test_unknown_records_get_a_friendly_404(client, sample, url, settings):
    settings.DEBUG = False
    html = page(client, url, status=404)
    assert "Not found" in html and "Search events" in html


@pytest.mark.parametrize("url", ["/programmes/", "/organizations/", "/people/", "/countries/"])
def test_named_lists_search_and_reject_bad_sort(client, sample, url):
    assert client.get(url, {"q": "zzzz-nothing"}).context["total"] == 0
    response = client.get(url, {"sort": "nonsense"})
    assert response.status_code == 400
    html = response.content.decode()
    # The summary names the field and links to it; the message also stands beside the field.
    assert '<a href="#id_sort">Sort</a>: Select a valid choice.' in html
    assert html.count("nonsense is not one of the available choices") == 2


def test_organization_page_shows_roles_and_representatives(client, sample):
    html = page(client, "/organizations/lgop/")
    assert "Organizer" in html and "Co-organizer" in html
    assert "People who represented it" in html and "Fan Xiaojian" in html


def test_person_page_shows_titles_at_the_time(client, sample):
    html = page(client, "/people/fan-xiaojian/")
    assert "Head of delegation" in html and "Speaker" in html and "Minister of LGOP" in html


def queries(client, url):
    for summaries_cache in caches.all():  # the work of a page, not of a cache hit
        summaries_cache.clear()
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/events/2012-07-21-visit/",
        "/countries/tz/",
        "/programmes/china-africa-forum/",
        "/organizations/lgop/",
        "/people/fan-xiaojian/",
        "/years/2012/",
        "/programmes/",
        "/organizations/",
        "/people/",
        "/countries/",
    ],
)
def test_query_count_does_not_grow_with_related_records(client, sample, catalogue_version, url):
    before = queries(client, url)
    for _ in range(10):
        event = EventFactory(start_date="2012-07-22")
        EventCountryFactory(event=event, country=sample["tanzania"])
        EventPersonFactory(event=event, person=sample["fan"])
        event.programmes.add(sample["forum"])
        event.organizations.through.objects.create(
            event=event, organization=sample["lgop"], role="host"
        )
    assert queries(client, url) == before


def test_hostile_text_is_escaped(client, sample):
    EventFactory(slug="x", title="<script>alert(1)</script>", description="<b>bold</b>")
    html = page(client, "/events/x/")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;" in page(client, "/events/")


@pytest.mark.parametrize(
    ("url", "first"),
    [
        ("/countries/?sort=-events", "China"),
        ("/countries/?sort=-hosted", "China"),
        ("/organizations/?sort=-events", "Leading Group Office"),
        ("/programmes/?sort=-events", "China-Africa Forum"),
        ("/people/?sort=-events", "Fan Xiaojian"),
    ],
)
def test_lists_sort_by_number_of_events(client, sample, url, first):
    response = client.get(url)
    assert response.status_code == 200
    records = response.context["records"]
    assert records[0].name == first
    assert [r.n for r in records] == sorted((r.n for r in records), reverse=True)


def test_sorting_by_events_falls_back_to_names_when_too_slow(client, sample, monkeypatch):
    from cooperation import summaries

    monkeypatch.setattr(summaries, "run_within", lambda budget_ms, function: None)
    response = client.get("/organizations/?sort=-events")
    assert response.status_code == 200
    assert "sorted by name instead" in response.content.decode()
    names = [r.name for r in response.context["records"]]
    assert names == sorted(names)


@postgresql_only("the time budgets are statement timeouts, a PostgreSQL feature")
def test_a_cold_page_spends_at_most_the_batch_budget_on_summaries(client, sample, settings):
    """PostgreSQL: once the batch budget is spent, the remaining facets are left out of the
    response (with the note), not cached as too slow, and computed outside the request (here
    inline, as tests configure it), so the next request shows them without computing them."""
    settings.CATALOGUE_BUDGETS_MS = {**settings.CATALOGUE_BUDGETS_MS, "batch": 0}
    settings.CATALOGUE_REFRESH_AFTER_EDIT = "off"  # nothing outside the request
    response = client.get("/events/")
    assert response.status_code == 200
    assert facet_values(response, "type") is None
    assert "Takes too long for a result this large" in response.content.decode()
    assert facet_values(client.get("/events/"), "type") is None, "nothing computed it"

    settings.CATALOGUE_REFRESH_AFTER_EDIT = "inline"
    response = client.get("/events/")
    assert facet_values(response, "type") is None, "left out again, computed after it"
    response = client.get("/events/")  # still with no time for summaries
    assert facet_values(response, "type"), "computed outside the request before"
    assert "Takes too long for a result this large" not in response.content.decode()


@postgresql_only("the time budgets are statement timeouts, a PostgreSQL feature")
def test_a_result_too_large_to_count_leaves_its_facets_to_outside_the_request(
    client, sample, settings, monkeypatch
):
    """When the count misses its budget, the facets are not tried in the request (they would
    time out too): the first response leaves them out, and they are computed outside it."""
    from cooperation import pagination, summaries

    monkeypatch.setattr(summaries, "count_within", lambda *args: pagination.Count(3, False))
    tried = []
    monkeypatch.setattr(summaries, "run_within", lambda budget, f: tried.append(f) or f())
    settings.CATALOGUE_REFRESH_AFTER_EDIT = "off"  # nothing outside the request
    url = "/events/?date_from=1000-01-01"  # every event, by a filter no counter holds
    response = client.get(url)
    assert "more than 3" in response.content.decode()
    assert facet_values(response, "type") is None
    assert not tried, "no facet tried in the request"

    settings.CATALOGUE_REFRESH_AFTER_EDIT = "inline"
    client.get(url)
    assert facet_values(client.get(url), "type"), "computed outside the request"
    assert not tried


@postgresql_only("counters and time budgets are PostgreSQL features")
def test_a_counted_result_too_large_for_facets_leaves_them_to_outside_the_request(
    client, sample, settings, monkeypatch
):
    """One country is counted exactly by its counter, at once; a result larger than
    FACET_ROWS still has its facets computed outside the request, not timed out in it."""
    from cooperation import pagination

    monkeypatch.setattr(summaries, "FACET_ROWS", 2)
    tried = []
    monkeypatch.setattr(summaries, "run_within", lambda budget, f: tried.append(f) or f())
    monkeypatch.setattr(
        summaries, "count_within", lambda *args: pytest.fail("counted by its counter")
    )
    settings.CATALOGUE_REFRESH_AFTER_EDIT = "off"
    truth = Event.objects.involving(sample["tanzania"]).count()
    assert truth > 2
    response = client.get("/events/?country=tz")
    assert response.context["count"] == pagination.Count(truth, True)
    assert facet_values(response, "type") is None
    assert not tried, "no facet tried in the request"

    monkeypatch.setattr(summaries, "FACET_ROWS", truth)  # small enough: computed in it
    response = client.get("/events/?country=tz")
    assert facet_values(response, "type")
    assert tried


@postgresql_only("the time budgets are statement timeouts, a PostgreSQL feature")
def test_a_summary_too_slow_for_its_budget_is_marked_then_computed_outside_the_request(
    client, sample, settings, monkeypatch
):
    """A facet that runs out of its whole budget is marked, so that no request tries it
    again, and the page's other facets are left to outside the request (they would run out
    of time too); outside the request each is computed, its value replacing the mark."""
    from django.http import QueryDict

    from cooperation.lists import EVENTS

    tried = []

    def too_slow(budget_ms, function):
        tried.append(function)
        return None

    monkeypatch.setattr(summaries, "run_within", too_slow)
    settings.CATALOGUE_REFRESH_AFTER_EDIT = "off"
    url = "/events/?type=training"
    filterset = EVENTS.filter(QueryDict("type=training"))
    keys = [key for key, _ in filterset.facet_items(filterset.qs).values()]
    response = client.get(url)
    assert all(facet["values"] is None for facet in response.context["facets"])
    assert len(tried) == 1, "the first ran out of time: the others not tried"
    marked = {key: entry.value for key, entry in summaries.read(keys).items()}
    assert marked == {keys[0]: summaries.TOO_SLOW}
    tried.clear()
    client.get(url)
    assert len(tried) == 1, "the marked one not tried again, the next one tried"
    marked = {key: entry.value for key, entry in summaries.read(keys).items()}
    assert marked == {keys[0]: summaries.TOO_SLOW, keys[1]: summaries.TOO_SLOW}

    summaries_cache_cleared()
    settings.CATALOGUE_REFRESH_AFTER_EDIT = "inline"
    response = client.get(url)
    assert all(facet["values"] is None for facet in response.context["facets"])
    response = client.get(url)
    computed = {key: entry.value for key, entry in summaries.read(keys).items()}
    assert len(computed) == len(keys) and summaries.TOO_SLOW not in computed.values()
    assert all(facet["values"] is not None for facet in response.context["facets"]), (
        "computed outside the request, replacing the mark"
    )


@postgresql_only("parallel workers are PostgreSQL's")
def test_what_is_computed_outside_requests_runs_on_one_core(db, settings):
    settings.CATALOGUE_REFRESH_AFTER_EDIT = "inline"
    seen = []

    def compute():
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            seen.append(cursor.fetchone()[0])
        return 1

    summaries.compute_later("test:one-core", compute, 0)
    assert seen == ["0"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] != "0", "only for that computation"


@postgresql_only("the slots are PostgreSQL advisory locks")
def test_what_is_computed_outside_requests_waits_for_a_free_slot(db, settings):
    """CATALOGUE_COMPUTING_AT_ONCE bounds those computations across every app server: with
    the slot held by another server (another database session), a value is left for a
    later request; once it is free, the value is computed, and the slot is free again."""
    import psycopg

    settings.CATALOGUE_REFRESH_AFTER_EDIT = "inline"
    settings.CATALOGUE_COMPUTING_AT_ONCE = 1
    done = []
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, 0)", [summaries.SLOTS_LOCK_CLASS])
        summaries.compute_later("test:slot", lambda: done.append(1) or 1, 0)
        assert done == [], "no free slot: left for later"
        other.execute("SELECT pg_advisory_unlock(%s, 0)", [summaries.SLOTS_LOCK_CLASS])
    summaries.compute_later("test:slot", lambda: done.append(1) or 1, 0)
    assert done == [1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        assert cursor.fetchone()[0] == 0, "the slot is given back"


def summaries_cache_cleared():
    for summaries_cache in caches.all():
        summaries_cache.clear()


def facet_values(response, param):
    return next(f["values"] for f in response.context["facets"] if f["param"] == param)


def cache_keys() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM cooperation_cache")
        return {key for (key,) in cursor.fetchall()}


def test_warm_summaries_serves_the_home_page_from_the_cache(client, sample):
    with CaptureQueriesContext(connection) as cold:
        client.get("/")
    for summaries_cache in caches.all():
        summaries_cache.clear()
    call_command("warm_summaries", stdout=io.StringIO())
    with CaptureQueriesContext(connection) as warm:
        assert client.get("/").status_code == 200
    assert len(warm) < len(cold)


def test_warmed_summaries_outlive_a_busy_spell_of_other_cache_writes(client, sample):
    """Every filtered list caches its count and facets. Django's database cache drops a third
    of its entries once it holds more than MAX_ENTRIES (300 by default, fewer than
    warm_summaries alone writes at a million events): the warmed ones must stay."""
    call_command("warm_summaries", stdout=io.StringIO())
    warmed = cache_keys()
    assert warmed
    for n in range(700):  # the counts of 700 different filtered lists
        summaries.count(Event.objects.all(), f"filtered-list-{n}")
    assert warmed <= cache_keys()


def test_years_list_of_filtered_events(client, sample):
    response = client.get("/years/", {"country": "tz"})
    assert response.context["title"] == "Years of events involving Tanzania"
    assert [(row["year"], row["events"]) for row in response.context["records"]] == [(2012, 3)]
    download = client.get("/years/export.csv", {"country": "tz"})
    body = b"".join(download.streaming_content).decode()
    assert body == "year,events,url\n2012,3,http://testserver/events/?country=tz&year=2012\n"


@postgresql_only("the slots are PostgreSQL advisory locks")
def test_an_exact_count_turned_away_for_lack_of_a_slot_is_asked_for_again(
    client, sample, settings, monkeypatch
):
    """A page whose exact count could not start (every slot busy on other servers) says
    "more than N"; a request after ASK_AGAIN_SECONDS asks again and, with a slot free, gets
    the count computed, where it would otherwise say "more than N" until the next edit."""
    from cooperation import pagination

    monkeypatch.setattr(summaries, "count_within", lambda *args: pagination.Count(1, False))
    settings.CATALOGUE_COMPUTING_AT_ONCE = 1
    url = "/events/?date_from=1000-01-01"  # every event, by a filter no counter holds
    truth = Event.objects.count()
    asked = []
    count_later = summaries.count_later
    monkeypatch.setattr(
        summaries, "count_later", lambda *args: asked.append(args[0]) or count_later(*args)
    )
    with psycopg_session() as other:
        other.execute("SELECT pg_advisory_lock(%s, 0)", [summaries.COUNT_SLOTS_LOCK_CLASS])
        assert "more than 1 " in client.get(url).content.decode()
        assert len(asked) == 1
        assert "more than 1 " in client.get(url).content.decode(), "turned away: no slot"
        assert len(asked) == 1, "not asked again within ASK_AGAIN_SECONDS"
        other.execute("SELECT pg_advisory_unlock(%s, 0)", [summaries.COUNT_SLOTS_LOCK_CLASS])
    monkeypatch.setattr(summaries, "ASK_AGAIN_SECONDS", 0)
    client.get(url)
    assert len(asked) == 2, "asked again"
    assert client.get(url).context["count"] == pagination.Count(truth, True)
    assert len(asked) == 2, "exact: not asked again"


@postgresql_only("the slots are PostgreSQL advisory locks")
def test_an_exact_count_does_not_wait_for_the_facets_slot(client, sample, settings, monkeypatch):
    """Exact counts have slots of their own: with every slot of the facets and summaries
    held (a facet taking minutes on another server), a page's count is still computed."""
    from cooperation import pagination

    monkeypatch.setattr(summaries, "count_within", lambda *args: pagination.Count(1, False))
    settings.CATALOGUE_COMPUTING_AT_ONCE = 1
    settings.CATALOGUE_COUNTING_AT_ONCE = 1
    url = "/events/?date_from=1000-01-01"  # every event, by a filter no counter holds
    with psycopg_session() as other:
        other.execute("SELECT pg_advisory_lock(%s, 0)", [summaries.SLOTS_LOCK_CLASS])
        assert "more than 1 " in client.get(url).content.decode()
        counted = client.get(url).context["count"]
        other.execute("SELECT pg_advisory_unlock(%s, 0)", [summaries.SLOTS_LOCK_CLASS])
    assert counted == pagination.Count(Event.objects.count(), True)


@postgresql_only("the slots are PostgreSQL advisory locks")
def test_a_summary_marked_too_slow_and_turned_away_is_asked_for_again(
    client, sample, settings, monkeypatch
):
    """A facet too slow for its budget is marked, and its computation outside the request
    turned away (no free slot); a request after ASK_AGAIN_SECONDS that still finds the mark
    asks again, and the value replaces the mark."""
    from django.http import QueryDict

    from cooperation.lists import EVENTS

    monkeypatch.setattr(summaries, "run_within", lambda budget, f: None)  # all too slow in it
    settings.CATALOGUE_COMPUTING_AT_ONCE = 1
    url = "/events/?type=training"
    filterset = EVENTS.filter(QueryDict("type=training"))
    first = next(key for key, _ in filterset.facet_items(filterset.qs).values())
    with psycopg_session() as other:
        other.execute("SELECT pg_advisory_lock(%s, 0)", [summaries.SLOTS_LOCK_CLASS])
        client.get(url)
        assert summaries.read([first])[first].value == summaries.TOO_SLOW
        other.execute("SELECT pg_advisory_unlock(%s, 0)", [summaries.SLOTS_LOCK_CLASS])
    client.get(url)
    assert summaries.read([first])[first].value == summaries.TOO_SLOW, (
        "not asked again within ASK_AGAIN_SECONDS"
    )
    monkeypatch.setattr(summaries, "ASK_AGAIN_SECONDS", 0)
    client.get(url)
    assert summaries.read([first])[first].value not in (None, summaries.TOO_SLOW)


def psycopg_session():
    """Another database session, as another app server would hold."""
    import psycopg

    return psycopg.connect(**connection.get_connection_params(), autocommit=True)


@postgresql_only("the time budgets are statement timeouts, a PostgreSQL feature")
def test_a_summary_that_runs_out_of_the_batch_s_time_is_not_tried_again(
    client, sample, settings, monkeypatch
):
    """A record page's per-year chart may take more than the batch's time though less than
    its own budget: it is marked all the same, and the requests after it do not spend their
    time on it again while it waits to be computed outside them."""
    settings.CATALOGUE_BUDGETS_MS = {**settings.CATALOGUE_BUDGETS_MS, "summary": 300, "batch": 250}
    settings.CATALOGUE_REFRESH_AFTER_EDIT = "off"  # nothing computed outside the requests
    tried = []

    def out_of_time(budget_ms, function):
        tried.append(budget_ms)
        return None

    monkeypatch.setattr(summaries, "run_within", out_of_time)
    url = f"/organizations/{sample['lgop'].slug}/"
    assert client.get(url).status_code == 200
    assert tried and all(budget < 300 for budget in tried), "the batch's time, not its own"
    first = len(tried)
    assert client.get(url).status_code == 200
    assert len(tried) == first, "not tried again"
