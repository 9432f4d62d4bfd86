"""“Cite this record”: every record page shows a reference in words and links to RIS, BibTeX
and CSL-JSON downloads; each download parses and carries the record's permanent URL."""

import html as html_lib
import json
import re

import pytest
from django.utils import timezone

from .factories import EventFactory, PersonFactory

pytestmark = pytest.mark.django_db

RECORD_PAGES = [
    "/events/2012-07-21-visit/",
    "/countries/tz/",
    "/programmes/china-africa-forum/",
    "/organizations/lgop/",
    "/people/fan-xiaojian/",
    "/sources/yearbook/",
]
FORMATS = {
    "ris": "application/x-research-info-systems",
    "bib": "application/x-bibtex",
    "json": "application/vnd.citationstyles.csl+json",
}
TITLES = {
    "/events/2012-07-21-visit/": "Delegation visits Mozambique and Tanzania",
    "/countries/tz/": "Tanzania",
    "/programmes/china-africa-forum/": "China-Africa Forum",
    "/organizations/lgop/": "Leading Group Office",
    "/people/fan-xiaojian/": "Fan Xiaojian",
    "/sources/yearbook/": "Yearbook 2012",
}


def download(client, url, extension):
    response = client.get(f"{url}cite.{extension}")
    assert response.status_code == 200, url
    assert response["Content-Type"] == f"{FORMATS[extension]}; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return response.content.decode("utf-8")


def parse_ris(text):
    """A strict little RIS reader: CRLF lines "XX  - value", TY first, ER last."""
    lines = text.split("\r\n")
    assert lines[-1] == "", "RIS ends with a line break"
    records = []
    for line in lines[:-1]:
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
        assert match, f"not a RIS line: {line!r}"
        records.append(match.groups())
    assert records[0][0] == "TY" and records[-1] == ("ER", "")
    assert [tag for tag, _ in records].count("TY") == 1
    fields = {}
    for tag, value in records:
        fields.setdefault(tag, []).append(value)
    return fields


def parse_bibtex(text):
    """One @misc entry: a valid key, braces that balance (escaped ones aside), its fields."""
    match = re.fullmatch(r"@misc\{([^,\s]+),\n(.*)\}\n", text, re.S)
    assert match, text
    key, body = match.groups()
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_:-]*", key), key
    depth = 0
    for character in re.sub(r"\\[{}]", "", body):
        depth += {"{": 1, "}": -1}.get(character, 0)
        assert depth >= 0, "a closing brace without its opening one"
    assert depth == 0
    fields = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", body, re.M))
    return key, fields


@pytest.mark.parametrize("url", RECORD_PAGES)
def test_every_record_page_shows_a_citation_and_its_downloads(client, sample, url):
    response = client.get(url)
    assert response.status_code == 200
    page = html_lib.unescape(response.content.decode())
    assert "Cite this record" in page
    today = timezone.localdate()
    reference = re.search(r'<p class="citation">(.*?)</p>', page, re.S).group(1)
    assert f"“{TITLES[url]}”" in reference
    assert "Cooperation catalogue" in reference
    assert f"http://testserver{url}" in reference
    assert f"accessed {today.day} {today:%B} {today.year}" in reference
    for extension in FORMATS:
        assert f'href="{url}cite.{extension}"' in page


@pytest.mark.parametrize("url", [u for u in RECORD_PAGES if u != "/countries/tz/"])
def test_reference_gives_last_updated_date_where_the_record_has_one(client, sample, url):
    page = client.get(url).content.decode()
    reference = re.search(r'<p class="citation">(.*?)</p>', page, re.S).group(1)
    assert "last updated" in reference


def test_country_reference_has_no_updated_date_it_does_not_keep(client, sample):
    page = client.get("/countries/tz/").content.decode()
    reference = re.search(r'<p class="citation">(.*?)</p>', page, re.S).group(1)
    assert "last updated" not in reference


@pytest.mark.parametrize("url", RECORD_PAGES)
def test_ris_parses_and_carries_the_permanent_url(client, sample, url):
    fields = parse_ris(download(client, url, "ris"))
    assert fields["UR"] == [f"http://testserver{url}"]
    assert fields["TI"] == [TITLES[url]]
    assert fields["T2"] == ["Cooperation catalogue"]
    assert fields["Y2"] == [timezone.localdate().strftime("%Y/%m/%d/")]


@pytest.mark.parametrize("url", RECORD_PAGES)
def test_bibtex_parses_and_carries_the_permanent_url(client, sample, url):
    key, fields = parse_bibtex(download(client, url, "bib"))
    assert key.endswith("-" + url.strip("/").split("/")[1])
    assert fields["url"] == f"http://testserver{url}"
    assert fields["title"] == "{" + TITLES[url] + "}"
    assert fields["urldate"] == timezone.localdate().isoformat()


@pytest.mark.parametrize("url", RECORD_PAGES)
def test_csl_json_parses_and_carries_the_permanent_url(client, sample, url):
    (item,) = json.loads(download(client, url, "json"))
    assert {"id", "type", "title", "URL", "accessed"} <= set(item)
    assert item["URL"] == f"http://testserver{url}"
    assert item["title"] == TITLES[url]
    today = timezone.localdate()
    assert item["accessed"] == {"date-parts": [[today.year, today.month, today.day]]}


def test_updated_date_is_the_records_own(client, sample):
    event = sample["trip"]
    updated = timezone.localtime(event.updated_at).date()
    (item,) = json.loads(download(client, "/events/2012-07-21-visit/", "json"))
    assert item["issued"] == {"date-parts": [[updated.year, updated.month, updated.day]]}
    ris = parse_ris(download(client, "/events/2012-07-21-visit/", "ris"))
    assert ris["DA"] == [updated.strftime("%Y/%m/%d/")]


def test_non_ascii_names_survive_in_every_format(client, db):
    PersonFactory(slug="fan-xiaojian-zh", name="范小建")
    url = "/people/fan-xiaojian-zh/"
    assert "“范小建”" in client.get(url).content.decode()
    assert parse_ris(download(client, url, "ris"))["TI"] == ["范小建"]
    assert parse_bibtex(download(client, url, "bib"))[1]["title"] == "{范小建}"
    assert json.loads(download(client, url, "json"))[0]["title"] == "范小建"


def test_bibtex_escapes_special_characters_and_ris_keeps_one_line(client, db):
    EventFactory(slug="odd", title="R&D {50%} of #1_a ~b^c \\d $e\nsecond line")
    url = "/events/odd/"
    key, fields = parse_bibtex(download(client, url, "bib"))
    assert key == "event-odd"
    assert fields["title"] == (
        r"{R\&D \{50\%\} of \#1\_a \textasciitilde{}b\textasciicircum{}c"
        r" \textbackslash{}d \$e second line}"
    )
    ris = parse_ris(download(client, url, "ris"))
    assert ris["TI"] == ["R&D {50%} of #1_a ~b^c \\d $e second line"]
    assert json.loads(download(client, url, "json"))[0]["title"] == ris["TI"][0]


@pytest.mark.parametrize(
    "url",
    [
        "/events/no-such-event/",
        "/countries/zz/",
        "/programmes/no-such-programme/",
        "/organizations/no-such-organization/",
        "/people/no-such-person/",
        "/sources/no-such-source/",
    ],
)
@pytest.mark.parametrize("extension", FORMATS)
def test_unknown_record_has_no_citation(client, sample, url, extension):
    assert client.get(f"{url}cite.{extension}").status_code == 404
