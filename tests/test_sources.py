"""Sources a reader can check: the full text in numbered paragraphs, and every citation on the
site linking to the paragraph it names."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.models import (
    EventCitation,
    OrganizationCitation,
    PersonCitation,
    ProgrammeCitation,
    Source,
)
from cooperation.models.sources import cited_paragraphs, split_paragraphs

from .factories import (
    EventCitationFactory,
    EventFactory,
    OrganizationFactory,
    PersonFactory,
    SourceFactory,
)

YEARBOOK = "lgop-yearbook-2012-international-cooperation"
TANZANIA_MEETING = "2012-10-30-fan-xiaojian-meets-a-tanzanian-delegation-headed-by-ombeni-y-sefue"
CITATION_MODELS = [EventCitation, ProgrammeCitation, OrganizationCitation, PersonCitation]

pytestmark = pytest.mark.django_db


# ---- Locators and paragraphs ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("locator", "paragraphs"),
    [
        ("¶24", [24]),
        ("International Exchanges > Reception activities, ¶24", [24]),
        ("Poverty Reduction and Development Experience Sharing > Trainings, item 8, ¶61", [61]),
        ("¶147–149", [147, 148, 149]),
        ("¶88-90", [88, 89, 90]),
        ("¶ 7", [7]),
        ("¶11 and ¶34", [11]),
        ("Overview", None),
        ("International Exchanges > Visits, item 3", None),
        ("", None),
    ],
)
def test_locator_names_its_paragraphs_or_none(locator, paragraphs):
    found = cited_paragraphs(locator)
    assert (list(found) if found is not None else None) == paragraphs


def test_citation_links_to_its_paragraph_or_to_the_top_of_the_source():
    source = Source(slug="yearbook")
    assert EventCitation(source=source, locator="Visits, ¶24").get_absolute_url() == (
        "/sources/yearbook/#p24"
    )
    assert EventCitation(source=source, locator="¶88–117").get_absolute_url() == (
        "/sources/yearbook/#p88"
    )
    assert (
        EventCitation(source=source, locator="Overview").get_absolute_url() == "/sources/yearbook/"
    )


def test_paragraphs_are_the_lines_that_are_not_blank_as_awk_counts_them():
    text = "Title\n\n   First paragraph.  \n \t \n\u00a0\nSecond paragraph."
    assert split_paragraphs(text) == [
        (1, "Title"),
        (2, "First paragraph."),
        (3, ""),  # a non-breaking space alone is not blank to awk, so it is ¶3
        (4, "Second paragraph."),
    ]
    assert split_paragraphs("") == []


# ---- The source page ------------------------------------------------------------------------


@pytest.fixture
def cited_source(db):
    source = SourceFactory(slug="article", text="Headline\n\nOn 30 October they met.\n\nLater.")
    event = EventFactory(slug="2012-10-30-meeting", title="A meeting in Beijing")
    EventCitationFactory(event=event, source=source, locator="¶2")
    return source


def test_source_page_shows_numbered_paragraphs_with_anchors(client, cited_source):
    html = client.get("/sources/article/").content.decode()
    for number, text in [(1, "Headline"), (2, "On 30 October they met."), (3, "Later.")]:
        assert re.search(rf'<li id="p{number}">.*?¶{number}</a>\s*<p>{text}</p>', html, re.S)


def test_source_page_shows_the_records_citing_a_paragraph_beside_it(client, cited_source):
    organization = OrganizationFactory(slug="lgop", name="Leading Group Office")
    OrganizationCitation.objects.create(
        organization=organization, source=cited_source, locator="¶3"
    )
    html = client.get("/sources/article/").content.decode()
    second = html[html.index('<li id="p2">') : html.index('<li id="p3">')]
    assert 'href="/events/2012-10-30-meeting/">A meeting in Beijing</a>' in second
    third = html[html.index('<li id="p3">') : html.index("</ol>")]
    assert 'href="/organizations/lgop/">Leading Group Office</a>' in third
    assert "A meeting in Beijing" not in third
    # The table of events links each locator to its paragraph.
    assert '<a href="/sources/article/#p2">¶2</a>' in html


def test_source_page_without_text_says_so(client, db):
    SourceFactory(slug="untyped")
    html = client.get("/sources/untyped/").content.decode()
    assert "does not hold this document's text" in html
    assert 'id="p1"' not in html


def test_source_page_queries_do_not_grow_with_paragraphs_or_citations(client, cited_source):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get("/sources/article/").status_code == 200
        return len(context)

    before = queries()
    cited_source.text += "\n" + "\n".join(f"Paragraph {n}." for n in range(4, 40))
    cited_source.save()
    for n in range(4, 14):
        EventCitationFactory(source=cited_source, locator=f"¶{n}")
        PersonCitation.objects.create(person=PersonFactory(), source=cited_source, locator=f"¶{n}")
    assert queries() == before


def test_event_page_citation_links_to_the_paragraph(client, cited_source):
    html = client.get("/events/2012-10-30-meeting/").content.decode()
    assert f'<a href="/sources/article/#p2">{cited_source.title}, ¶2</a>' in html


# ---- The curated catalogue ------------------------------------------------------------------


def test_every_curated_source_holds_its_text(catalogue):
    for source in Source.objects.all():
        assert len(source.paragraphs()) >= 9, source.slug


def test_yearbook_title_and_publisher_are_the_ones_its_text_gives(catalogue):
    yearbook = Source.objects.get(slug=YEARBOOK)
    assert yearbook.paragraphs()[0] == (1, yearbook.title)  # "International Cooperation"
    assert "中国国际扶贫中心" in yearbook.paragraphs()[-1][1]  # the footer names the publisher
    assert yearbook.publisher.startswith("International Poverty Reduction Center in China")


@pytest.mark.parametrize("model", CITATION_MODELS, ids=lambda m: m.__name__)
def test_every_curated_citation_names_a_paragraph_that_exists(catalogue, model):
    citations = list(model.objects.select_related("source"))
    assert citations
    for citation in citations:
        paragraphs = citation.paragraphs
        assert paragraphs, f"{citation.locator!r} names no paragraph"
        count = len(citation.source.paragraphs())
        assert paragraphs.stop - 1 <= count, f"{citation}: the source has {count} paragraphs"


@pytest.mark.parametrize(
    ("event", "locator", "facts"),
    [
        (
            TANZANIA_MEETING,
            "International Exchanges > Reception activities, ¶24",
            ["afternoon of October 30, 2012", "Ombeni Y. Sefue", "Tanzania"],
        ),
        (
            "2023-09-08-phase-end-summary-event-for-sco-poverty-reduction-and-development-training",
            "¶2",
            ["On Sept 8", "Kunming"],
        ),
        (
            "1976-tanzania-zambia-railway-opens-to-traffic",
            "¶147–149",
            ["In 1976, the Tanzania-Zambia Railway", "opened to traffic"],
        ),
        ("2024-07-visit-to-huawu-village", "¶7", ["In Huawu"]),
        (
            "2018-06-02-symposium-with-lao-president-bunyang-in-shibadong-village",
            "¶189",
            ["At the symposium, Secretary Bunyang"],
        ),
    ],
)
def test_cited_paragraph_holds_the_fact(catalogue, event, locator, facts):
    citation = EventCitation.objects.select_related("source").get(
        event__slug=event, locator=locator
    )
    paragraphs = dict(citation.source.paragraphs())
    text = " ".join(paragraphs[number] for number in citation.paragraphs)
    for fact in facts:
        assert fact in text


def test_tanzania_meeting_page_links_to_yearbook_paragraph_24(client, catalogue):
    html = client.get(f"/events/{TANZANIA_MEETING}/").content.decode()
    assert f'href="/sources/{YEARBOOK}/#p24"' in html
    source_page = client.get(f"/sources/{YEARBOOK}/").content.decode()
    paragraph = source_page[source_page.index('<li id="p24">') : source_page.index('<li id="p25">')]
    assert "On the afternoon of October 30, 2012" in paragraph
    assert f'href="/events/{TANZANIA_MEETING}/"' in paragraph
