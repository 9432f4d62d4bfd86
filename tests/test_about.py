"""The about page (/about/): what the catalogue covers, with events per source as a chart and
a table; how records are curated; how to cite; the licence; the downloads and the API. Linked
from every page's menu and footer. The coverage figures' own rules are in test_coverage.py."""

import re
from html.parser import HTMLParser

import pytest
from django.core.cache import caches

from cooperation import versions
from cooperation.charts import MAX_LABEL, row_chart
from cooperation.datapackage.build import LICENCE
from cooperation.models import Event, Source

from .factories import EventCitationFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    """Headings, elements by id, the chart's bars and the sources table's rows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings, self.ids, self.bars, self.rows, self.links = [], {}, [], [], []
        self.svgs = []
        self._text, self._heading, self._in_bar_title = None, None, False
        self._in_sources_table, self._row = False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] = (tag, attrs)
        if tag in {"h1", "h2", "h3"}:
            self._heading, self._text = tag, []
        elif tag == "svg":
            self.svgs.append(attrs)
        elif tag == "rect" and attrs.get("class") == "bar":
            self._in_bar_title = "pending"
        elif tag == "title" and self._in_bar_title == "pending":
            self._in_bar_title, self._text = True, []
        elif tag == "table" and attrs.get("id") == "sources-table":
            self._in_sources_table = True
        elif tag == "tr" and self._in_sources_table:
            self._row = []
        elif tag in {"th", "td"} and self._row is not None:
            self._text = []
        elif tag == "a":
            self.links.append(attrs)

    def handle_endtag(self, tag):
        if tag == self._heading:
            self.headings.append((tag, " ".join("".join(self._text).split())))
            self._heading, self._text = None, None
        elif tag == "title" and self._in_bar_title is True:
            self.bars.append("".join(self._text))
            self._in_bar_title, self._text = False, None
        elif tag in {"th", "td"} and self._row is not None:
            self._row.append("".join(self._text).strip())
            self._text = None
        elif tag == "tr" and self._row is not None:
            if self._row and self._row[0] != "Source document":
                self.rows.append(self._row)
            self._row = None
        elif tag == "table":
            self._in_sources_table = False

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def get(client, url="/about/"):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def parsed(client, url="/about/"):
    page = Page()
    page.feed(get(client, url))
    return page


def text(html):
    return re.sub(r"\s+", " ", html)


@pytest.fixture
def cited(db, catalogue_version):
    """Three sources: the yearbook cited by three events (one of them twice), the article by
    two (one shared with the yearbook), the transcript by one; and one event citing none."""
    yearbook = SourceFactory(slug="yearbook", title="Yearbook 2012", kind="yearbook")
    article = SourceFactory(slug="article", title='A "news" article & more', kind="news_article")
    transcript = SourceFactory(slug="transcript", title="Transcript", kind="transcript")
    events = [EventFactory(start_date=f"{year}-05-01") for year in (2011, 2012, 2012, 2018)]
    for event, source in [
        (events[0], yearbook),
        (events[1], yearbook),
        (events[1], yearbook),  # cited in two places: counts once
        (events[2], yearbook),
        (events[2], article),
        (events[3], article),
        (events[3], transcript),
    ]:
        EventCitationFactory(event=event, source=source)
    EventFactory(start_date="2019-01-01")  # cites nothing
    return {"yearbook": yearbook, "article": article, "transcript": transcript}


def events_citing(source):
    """Counted here straight from the database, not by cooperation/coverage.py."""
    return Event.objects.filter(citations__source=source).distinct().count()


def test_about_page_has_its_sections_in_order(client, cited):
    page = parsed(client)
    assert page.headings[0] == ("h1", "About the catalogue and how it was made")
    sections = [title for level, title in page.headings if level == "h2"]
    assert sections == [
        "On this page",
        "What the catalogue covers",
        "How records are curated",
        "How to cite",
        "Licence",
        "Data and API",
    ]
    for anchor in ("coverage", "curation", "cite", "licence", "data"):
        assert page.ids[anchor][0] == "section"
        assert {"href": f"#{anchor}"} in page.links  # the contents list links each section


def test_figures_equal_the_database(client, cited):
    page = parsed(client)
    html = text(get(client))
    total = Event.objects.count()
    assert f"The catalogue holds <strong>{total}</strong> events" in html
    sources = sorted(Source.objects.all(), key=lambda source: (-events_citing(source), source.pk))
    assert [row[0] for row in page.rows] == [source.title for source in sources]
    for row, source in zip(page.rows, sources, strict=True):
        n = events_citing(source)
        assert row[2] == str(n)
        assert row[3] == f"{round(100 * n / total)}%"
    assert [row[2] for row in page.rows] == ["3", "2", "1"]  # and what that means here
    assert "<strong>1</strong> of them cites no source document yet." in html


def test_events_per_source_chart_has_a_text_alternative(client, cited):
    page = parsed(client)
    (svg,) = page.svgs
    assert svg["role"] == "img"
    title_id, desc_id = svg["aria-labelledby"].split()
    assert page.ids[title_id][0] == "title" and page.ids[desc_id][0] == "desc"
    # The table with the same figures describes it.
    assert svg["aria-describedby"] == "sources-table"
    assert page.ids["sources-table"][0] == "table"
    assert page.bars == [f"{row[0]}: {row[2]}" for row in page.rows]
    html = get(client)
    assert "Events per source document; the most, 3, for Yearbook 2012." in html
    assert "<figcaption>" in html
    # Each bar opens the events citing its source: as many as the bar says.
    assert 'href="/events/?source=yearbook"' in html
    assert client.get("/events/?source=yearbook").context["total"] == 3


def test_chart_shows_the_most_cited_sources_and_the_table_every_one(client, catalogue_version):
    for n in range(22):
        EventCitationFactory(source=SourceFactory(slug=f"s{n:02d}"))
    page = parsed(client)
    assert len(page.bars) == 20 and len(page.rows) == 22
    assert "the 20 source documents cited most" in get(client)


def test_empty_catalogue_has_no_chart(client, catalogue_version):
    page = parsed(client)
    assert page.svgs == []
    assert "No event cites a source document yet." in get(client)


def test_query_count_is_pinned(client, cited, django_assert_num_queries):
    for cache in caches.all(initialized_only=False):
        cache.clear()
    get(client)  # computes and caches the figures
    # Cached: the catalogue's version, one read of the summary cache, the sources' titles.
    with django_assert_num_queries(3):
        get(client)


def test_titles_with_markup_are_escaped(client, cited):
    html = get(client)
    assert "A &quot;news&quot; article &amp; more" in html
    assert 'A "news" article & more' not in html


def test_curation_summary_covers_the_rules(client, cited):
    html = text(get(client))
    curation = html[html.index('id="curation"') : html.index('id="cite"')]
    for words in (
        "Sources and locators",
        "Dates and precision",
        "Roles and titles at the time",
        "Errors in the sources",
        "never corrected silently",
        "A new event is a draft until it cites a source and an editor publishes it",
        "docs/curation.md",
    ):
        assert words in curation, words


def test_how_to_cite_names_the_formats_permalinks_and_version_date(client, cited):
    html = text(get(client))
    cite = html[html.index('id="cite"') : html.index('id="licence"')]
    for words in ("Cite this record", "RIS", "BibTeX", "CSL-JSON", "cite.ris", "last updated"):
        assert words in cite, words
    assert "permanent address" in cite and "version number" in cite


def test_licence_is_the_data_packages_with_attribution_text(client, cited):
    html = text(get(client))
    licence = html[html.index('id="licence"') : html.index('id="data"')]
    assert f'<a href="{LICENCE["path"]}" rel="license noopener">{LICENCE["title"]}</a>' in licence
    assert "CC-BY-4.0" in licence
    version = versions.current()
    assert (
        f"Cooperation catalogue, version {version.number} "
        f"({version.changed_at.day} {version.changed_at:%B %Y}), http://testserver/, "
        "licensed under CC BY 4.0."
    ) in licence


def test_links_to_downloads_api_docs_and_csv_docs(client, cited):
    html = text(get(client))
    data = html[html.index('id="data"') :]
    assert 'href="/downloads/"' in data
    assert 'href="/downloads/#lists"' in data and 'id="lists"' in get(client, "/downloads/")
    assert 'href="/api/docs/"' in data
    assert "docs/csv.md" in data


PAGE_KINDS = [
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
    "/downloads/",
    "/about/",
]


@pytest.mark.parametrize("url", PAGE_KINDS)
def test_every_page_links_the_about_page_in_menu_and_footer(client, sample, catalogue_version, url):
    html = get(client, url)
    menu = html[html.index('<nav aria-label="Main">') : html.index("</nav>")]
    assert 'href="/about/">About</a>' in menu
    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="/about/">About the catalogue' in footer
    assert 'href="/about/#coverage">What the catalogue covers</a>' in footer


def test_not_found_page_links_the_about_page_too(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert 'href="/about/">About the catalogue' in response.content.decode()


def test_row_chart_scales_to_the_largest_value_and_shortens_long_labels():
    chart = row_chart("Events", [("a" * 120, 50, "/x"), ("b", 25, "/y"), ("c", 0, "/z")])
    widths = [row.width for row in chart.rows]
    assert widths[0] == chart.width - 56 and widths[1] == widths[0] / 2 and widths[2] == 0
    assert len(chart.rows[0].shown) == MAX_LABEL and chart.rows[0].shown.endswith("…")
    assert chart.rows[0].label == "a" * 120  # whole in the bar's title and the summary
    assert chart.height == 3 * 40
    assert all(r.bar_y > r.label_y for r in chart.rows)
