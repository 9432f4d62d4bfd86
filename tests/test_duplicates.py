import pytest
from django.urls import reverse

from cooperation import models
from cooperation.duplicates import (
    CONTAINED,
    SAME,
    SIMILAR,
    SWAPPED,
    candidates,
    closeness,
    normalise,
)

from .factories import OrganizationFactory, PersonFactory


def test_normaliser_drops_case_accents_punctuation_and_spacing():
    assert normalise("  FAN  Xiao-jian ") == "fan xiao jian"
    assert normalise("Abebe Traoré") == "abebe traore"
    assert normalise("Ministry of Agriculture, P.R.C.") == "ministry of agriculture p r c"
    assert normalise("范小建") == "范小建"


@pytest.mark.parametrize(
    ("entered", "existing", "reason"),
    [
        ("Fan Xiaojian", "Fan Xiaojian", SAME),
        ("fan XIAOJIAN", "Fan Xiaojian", SAME),
        ("Abebe Traore", "Abebe Traoré", SAME),
        ("Fan Xiao-jian", "Fan Xiao jian", SAME),
        ("Xiaojian Fan", "Fan Xiaojian", SWAPPED),
        ("Fan Xiaojain", "Fan Xiaojian", SIMILAR),
        ("Fan Xiaojian", "Vice Minister Fan Xiaojian", CONTAINED),
    ],
)
def test_close_names(entered, existing, reason):
    assert closeness(entered, existing) == reason


@pytest.mark.parametrize(
    ("entered", "existing"),
    [
        ("Fan Xiaojian", "Zheng Wenkai"),
        ("UNDP", "UNEP"),
        ("Li", "Li Bin"),  # one word is not enough to call a name contained
        ("", "Fan Xiaojian"),
    ],
)
def test_different_names_are_not_close(entered, existing):
    assert closeness(entered, existing) is None


@pytest.mark.django_db
def test_candidates_match_names_and_aliases_but_not_others():
    fan = PersonFactory(name="Fan Xiaojian", native_name="范小建")
    zheng = PersonFactory(name="Zheng Wenkai", aliases="Wenkai Zheng\nZheng W.")
    PersonFactory(name="Abebe Traoré")
    found = candidates(models.Person, ["Xiaojian Fan"])
    assert [(c.record, c.reason) for c in found] == [(fan, SWAPPED)]
    assert [c.record for c in candidates(models.Person, ["范小建"])] == [fan]
    alias_match = candidates(models.Person, ["Wenkai Zheng"])
    assert [(c.record, c.existing) for c in alias_match] == [(zheng, "Wenkai Zheng")]
    assert [c.record.name for c in candidates(models.Person, ["Abebe Traore"])] == ["Abebe Traoré"]
    assert candidates(models.Person, ["Li Zhongze"]) == []
    assert candidates(models.Person, ["Fan Xiaojian"], exclude_pk=fan.pk) == []


@pytest.mark.django_db
def test_organization_acronym_and_alias_are_names():
    iprcc = OrganizationFactory(
        name="International Poverty Reduction Center in China",
        acronym="IPRCC",
        aliases="中国国际扶贫中心",
    )
    assert [c.record for c in candidates(models.Organization, ["IPRCC"])] == [iprcc]
    assert [c.record for c in candidates(models.Organization, ["中国国际扶贫中心"])] == [iprcc]
    assert candidates(models.Organization, ["IPRCY"]) == []


# The admin forms.


def person_form(**changes):
    data = {
        "name": "Fan Xiaojian",
        "slug": "fan-xiaojian-2",
        "native_name": "",
        "aliases": "",
        "description": "",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_adding_an_existing_person_shows_the_candidates_and_saves_nothing(admin_client):
    fan = PersonFactory(name="Fan Xiaojian", slug="fan-xiaojian")
    response = admin_client.post(reverse("admin:cooperation_person_add"), person_form())
    assert response.status_code == 200
    page = response.content.decode()
    assert "This person may already be in the catalogue" in page
    assert f'href="{reverse("admin:cooperation_person_change", args=[fan.pk])}"' in page
    assert 'name="confirm_different"' in page
    assert "This is a different person; save anyway" in page
    assert models.Person.objects.count() == 1


@pytest.mark.django_db
def test_adding_a_swapped_alias_of_an_organization_warns(admin_client):
    OrganizationFactory(name="Leading Group Office of Poverty Alleviation", acronym="LGOP")
    response = admin_client.post(
        reverse("admin:cooperation_organization_add"),
        {
            "name": "State Council Leading Group Office",
            "slug": "sclgo",
            "kind": "government",
            "acronym": "",
            "aliases": "LGOP",
            "description": "",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "This organization may already be in the catalogue" in response.content.decode()
    assert not models.Organization.objects.filter(slug="sclgo").exists()


@pytest.mark.django_db
def test_confirmed_different_person_is_saved(admin_client):
    PersonFactory(name="Fan Xiaojian", slug="fan-xiaojian")
    response = admin_client.post(
        reverse("admin:cooperation_person_add"), person_form(confirm_different="on")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert models.Person.objects.filter(slug="fan-xiaojian-2").exists()


@pytest.mark.django_db
def test_a_new_name_unlike_others_saves_without_warning(admin_client):
    PersonFactory(name="Fan Xiaojian", slug="fan-xiaojian")
    response = admin_client.post(
        reverse("admin:cooperation_person_add"), person_form(name="Zheng Wenkai", slug="zheng")
    )
    assert response.status_code == 302
    assert models.Person.objects.filter(slug="zheng").exists()


@pytest.mark.django_db
def test_changing_a_record_does_not_warn_about_itself(admin_client):
    fan = PersonFactory(name="Fan Xiaojian", slug="fan-xiaojian")
    response = admin_client.post(
        reverse("admin:cooperation_person_change", args=[fan.pk]),
        person_form(slug="fan-xiaojian", name="Fan Xiao-jian", aliases="Xiaojian Fan"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    fan.refresh_from_db()
    assert fan.aliases == "Xiaojian Fan"


@pytest.mark.django_db
def test_renaming_a_record_to_another_records_name_warns(admin_client):
    PersonFactory(name="Fan Xiaojian", slug="fan-xiaojian")
    other = PersonFactory(name="Zheng Wenkai", slug="zheng")
    response = admin_client.post(
        reverse("admin:cooperation_person_change", args=[other.pk]),
        person_form(slug="zheng", name="Xiaojian Fan"),
    )
    assert response.status_code == 200
    assert "This person may already be in the catalogue" in response.content.decode()
    other.refresh_from_db()
    assert other.name == "Zheng Wenkai"
