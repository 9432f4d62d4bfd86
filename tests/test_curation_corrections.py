"""Spot checks of the corrections made after an independent reading of the five documents
(docs/curation.md, "Corrections after an independent reading"). Each test names the paragraph
that supports the corrected fact."""

import pytest

from cooperation.models import Organization, Person

pytestmark = pytest.mark.django_db

YEARBOOK = "lgop-yearbook-2012-international-cooperation"


# --- organizations and people ---


def test_iprcc_keeps_its_chinese_name_as_an_alias(catalogue):
    """004 ¶77: the page footer names the centre 中国国际扶贫中心 (copyright holder)."""
    iprcc = Organization.objects.get(slug="iprcc")
    assert "中国国际扶贫中心" in iprcc.alias_list
    assert iprcc.citations.filter(source__slug=YEARBOOK, locator__endswith="¶77").exists()


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("embassy-of-china-in-russia", "RU"),
        ("petrochina-international-kazakhstan", "KZ"),
    ],
)
def test_bodies_are_placed_where_they_are_based(catalogue, slug, code):
    """004 ¶12: the delegation visited the Chinese Embassy in Russia and PetroChina
    International (Kazakhstan) Co., Ltd. during its visits in Russia and in Kazakhstan;
    Organization.country is where the body is based, not the country it belongs to."""
    assert Organization.objects.get(slug=slug).country.code == code


def test_bill_gates_has_no_country_the_text_does_not_state(catalogue):
    """003 ¶32–35: the documentary quotes Bill Gates without saying what country he serves or
    represents."""
    assert Person.objects.get(slug="bill-gates").country is None


def test_iprcc_and_iprcy_are_the_same_kind_of_body(catalogue):
    """004 ¶21 and passim (IPRCC, under LGOP) and 001 ¶5–6 (IPRCY undertakes Yunnan's
    assistance project in Myanmar): two public centres for international poverty-reduction
    cooperation, one national and one provincial, so one kind."""
    kinds = dict(
        Organization.objects.filter(slug__in=["iprcc", "iprcy"]).values_list("slug", "kind")
    )
    assert kinds == {"iprcc": "government", "iprcy": "government"}
