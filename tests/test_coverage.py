"""What the catalogue covers, computed from the data, and what it does not: the first section of
the about page (/about/#coverage; /coverage/ redirects there)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .factories import EventCitationFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db

YEARBOOK_SENTENCE = (
    "91 of 126 events (72%) come from "
    '<a href="/sources/lgop-yearbook-2012-international-cooperation/">International Cooperation'
    "</a> (yearbook chapter), covering 2011–2012."
)
# 2011: two events the chapter tells as background (the Tanzania learning centre, the
# Indonesia visits), fixtures/events.json.


def page(client, url="/about/"):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def text(html):
    return re.sub(r"\s+", " ", html)


def test_empty_catalogue_renders(client, catalogue_version):
    html = text(page(client))
    assert '<h2 id="coverage-heading">What the catalogue covers</h2>' in html
    assert "The catalogue holds <strong>0</strong> events." in html
    assert "No event cites a source document yet." in html
    assert "What the catalogue does not cover" in html and "five documents" in html


def test_footer_and_home_page_link_to_the_coverage_section(client, catalogue_version):
    html = page(client, "/")
    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="/sources/">The sources</a>' in footer
    assert 'href="/about/#coverage">What the catalogue covers</a>' in footer
    main = html[html.index("<main") : html.index("</main>")]
    assert 'href="/about/#coverage"' in main


def test_old_coverage_address_redirects_permanently_to_the_section(client, catalogue_version):
    response = client.get("/coverage/")
    assert response.status_code == 301
    assert response["Location"] == "/about/#coverage"


def test_event_counts_once_per_source_however_many_places_it_cites(client, catalogue_version):
    source = SourceFactory(title="Yearbook", kind="yearbook")
    event = EventFactory(start_date="2012-03-01")
    EventCitationFactory(event=event, source=source)
    EventCitationFactory(event=event, source=source)
    EventFactory(start_date="2014-05-01")  # cites nothing
    html = text(page(client))
    assert "1 of 2 events (50%) come" in html  # "come": plural agrees with the events count
    assert "<strong>1</strong> of them cites no source document yet." in html


def queries(client):
    with CaptureQueriesContext(connection) as captured:
        page(client)
    return len(captured)


def clear_summaries():
    from django.core.cache import caches

    for cache in caches.all(initialized_only=False):
        cache.clear()


def test_query_count_does_not_grow_with_the_number_of_sources(
    client, catalogue_version, django_assert_num_queries
):
    first = EventCitationFactory(event__start_date="2012-01-01").source
    EventCitationFactory(source=first, event__start_date="2013-01-01")
    cold = queries(client)  # computes and caches the figures
    # Cached: the version, one read of the summary cache, the sources' titles.
    with django_assert_num_queries(3):
        page(client)
    for year in range(2000, 2010):
        EventCitationFactory(event__start_date=f"{year}-06-01")
    clear_summaries()
    assert queries(client) == cold  # one GROUP BY, however many sources
    with django_assert_num_queries(3):
        page(client)


def test_figures_too_slow_to_count_say_counting(client, catalogue_version, monkeypatch):
    from cooperation import summaries

    monkeypatch.setattr(summaries, "run_within", lambda budget_ms, compute: None)
    EventCitationFactory()
    html = text(page(client))
    assert "counting…" in html
    assert "Traceback" not in html


# ---- The curated catalogue ------------------------------------------------------------------


def test_page_says_most_events_come_from_the_yearbook_chapter(client, catalogue):
    html = text(page(client))
    assert "The catalogue holds <strong>126</strong> events" in html
    assert YEARBOOK_SENTENCE in html
    assert "Every one of them cites the document it comes from." in html


def test_every_curated_source_has_a_row_with_its_share(client, catalogue):
    html = text(page(client))
    rows = re.findall(r'<tr><th scope="row"><a href="/sources/([^/]+)/">', html)
    assert len(rows) == 5 and rows[0] == "lgop-yearbook-2012-international-cooperation"
    assert '<td class="num">91</td><td class="num">72%</td><td>2011–2012</td>' in html


def test_coverage_figures_are_warmed_with_the_broad_summaries():
    """At a million events they take longer than a page may spend (1.4 s per source GROUP BY):
    warm_summaries and the refresh after an edit compute them, not the page."""
    from cooperation import coverage
    from cooperation.broad_summaries import is_broad

    assert all(is_broad(key) for key, _ in coverage.items().values())
