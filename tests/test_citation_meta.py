"""Highwire citation_* meta tags: every record page carries, in its <head>, the citation its
"Cite this record" block gives (what Zotero and Google Scholar read); no other page does."""

from html.parser import HTMLParser

import pytest
from django.utils import timezone

from .factories import EventCountryFactory, EventFactory

pytestmark = pytest.mark.django_db


class CitationMeta(HTMLParser):
    """The citation_* meta tags, in order, and whether any of them lies outside <head>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.outside_head, self.in_head = [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "head":
            self.in_head = True
        elif tag == "meta" and (attrs.get("name") or "").startswith("citation_"):
            (self.tags if self.in_head else self.outside_head).append(
                (attrs["name"], attrs.get("content"))
            )

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False


def citation_meta(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parser = CitationMeta()
    parser.feed(response.content.decode())
    assert parser.outside_head == [], "citation_* tags belong in <head>"
    return parser.tags


def values(tags, name):
    return [content for tag, content in tags if tag == name]


def one(tags, name):
    (value,) = values(tags, name)
    return value


def updated(record):
    return timezone.localtime(record.updated_at).date().strftime("%Y/%m/%d")


RECORD_PAGES = {
    # url: (sample key, title)
    "/events/2012-07-21-visit/": ("trip", "Delegation visits Mozambique and Tanzania"),
    "/countries/tz/": ("tanzania", "Tanzania"),
    "/programmes/china-africa-forum/": ("forum", "China-Africa Forum"),
    "/organizations/lgop/": ("lgop", "Leading Group Office"),
    "/people/fan-xiaojian/": ("fan", "Fan Xiaojian"),
    "/sources/yearbook/": ("source", "Yearbook 2012"),
}


@pytest.mark.parametrize("url", RECORD_PAGES)
def test_every_record_page_carries_its_citation_in_meta_tags(client, sample, url):
    key, title = RECORD_PAGES[url]
    tags = citation_meta(client, url)
    assert one(tags, "citation_title") == title
    assert one(tags, "citation_publisher") == "Cooperation catalogue"
    assert one(tags, "citation_public_url") == f"http://testserver{url}"
    assert one(tags, "citation_language") == "en"
    # No personal author: Zotero would read the catalogue's name as a person's.
    assert values(tags, "citation_author") == []
    record = sample[key]
    if hasattr(record, "updated_at"):
        assert one(tags, "citation_publication_date") == updated(record)
        assert one(tags, "citation_online_date") == updated(record)
    else:  # a country keeps no date, and its reference gives none
        assert values(tags, "citation_publication_date") == []
        assert values(tags, "citation_online_date") == []


@pytest.mark.parametrize("url", RECORD_PAGES)
def test_meta_tags_say_what_the_cite_block_says(client, sample, url):
    """One source of truth: the tags and the reference in words read the same fields."""
    response = client.get(url)
    fields = response.context["citation"]["fields"]
    tags = citation_meta(client, url)
    assert one(tags, "citation_title") == fields["title"]
    assert one(tags, "citation_public_url") == fields["url"]
    reference = response.context["citation"]["text"]
    assert f"“{fields['title']}”" in reference and fields["url"] in reference
    if fields["updated"]:
        assert one(tags, "citation_publication_date") == fields["updated"].strftime("%Y/%m/%d")
        day = fields["updated"]
        assert f"last updated {day.day} {day:%B} {day.year}" in reference


def test_event_page_gives_its_description_as_abstract_and_kind_and_countries_as_keywords(
    client, sample
):
    tags = citation_meta(client, "/events/2012-07-21-visit/")
    assert one(tags, "citation_abstract") == "A visit."
    assert values(tags, "citation_keywords") == [
        "Visit or delegation",
        "Mozambique",
        "Tanzania",
        "China",
    ]


@pytest.mark.parametrize("url", [u for u in RECORD_PAGES if not u.startswith("/events/")])
def test_other_records_have_no_abstract_or_keywords(client, sample, url):
    tags = citation_meta(client, url)
    assert values(tags, "citation_abstract") == []
    assert values(tags, "citation_keywords") == []


def test_quotes_ampersands_and_angle_brackets_are_escaped(client, db):
    event = EventFactory(
        slug="odd", title='A "B" & <C>', description='It\'s <b>bold</b> & "quoted"\nover lines'
    )
    EventCountryFactory(event=event, country__name='Côte "d\'Ivoire" & <Co>')
    html = client.get("/events/odd/").content.decode()
    head = html[: html.index("</head>")]
    assert '<meta name="citation_title" content="A &quot;B&quot; &amp; &lt;C&gt;">' in head
    assert "<C>" not in head and "<b>" not in head
    tags = citation_meta(client, "/events/odd/")
    assert one(tags, "citation_title") == 'A "B" & <C>'
    assert one(tags, "citation_abstract") == 'It\'s <b>bold</b> & "quoted" over lines'
    assert values(tags, "citation_keywords") == ["Seminar or workshop", 'Côte "d\'Ivoire" & <Co>']


NOT_RECORD_PAGES = [
    "/",
    "/events/",
    "/countries/",
    "/years/",
    "/years/2012/",  # a year is a list of events, not a record: it has no cite block
    "/programmes/",
    "/organizations/",
    "/people/",
    "/sources/",
    "/downloads/",
    "/about/",
]


@pytest.mark.parametrize("url", NOT_RECORD_PAGES)
def test_lists_and_other_pages_carry_no_citation_tags(client, sample, catalogue_version, url):
    assert citation_meta(client, url) == []
