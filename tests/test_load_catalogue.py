import json
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from cooperation import models
from cooperation.services import CatalogueError, load_catalogue

pytestmark = pytest.mark.django_db

ALL_MODELS = [
    models.Country,
    models.Source,
    models.Organization,
    models.OrganizationCitation,
    models.Person,
    models.PersonCitation,
    models.Programme,
    models.ProgrammeCitation,
    models.Event,
    models.EventCountry,
    models.EventOrganization,
    models.EventPerson,
    models.EventCitation,
]


def snapshot():
    """Every row of every catalogue table, timestamps included."""
    return {
        model._meta.label: sorted(
            (
                json.dumps(model_to_dict(obj), default=str, sort_keys=True),
                str(getattr(obj, "updated_at", "")),
            )
            for obj in model.objects.all()
        )
        for model in ALL_MODELS
    }


def test_all_iso_countries_are_loaded():
    load_catalogue()
    assert models.Country.objects.count() == 249
    tanzania = models.Country.objects.get(code="TZ")
    assert (tanzania.name, tanzania.alpha3, tanzania.numeric, tanzania.region) == (
        "Tanzania",
        "TZA",
        "834",
        "Africa",
    )
    assert "Burma" in models.Country.objects.get(code="MM").alias_list


def test_the_five_sources_are_loaded():
    load_catalogue()
    assert sorted(models.Source.objects.values_list("file_name", flat=True)) == [
        "000_1d72d0ec2e13bb27.txt",
        "001_05d05a17c05b5dd4.txt",
        "002_1b433d41af1543f4.txt",
        "003_76e47e162fe14327.txt",
        "004_3343d2aa6930436a.txt",
    ]


def test_loading_twice_changes_nothing():
    load_catalogue()
    before = snapshot()
    report = load_catalogue()
    assert not report.changed
    assert snapshot() == before


def test_command_says_what_it_did(capsys):
    call_command("load_catalogue")
    assert "Catalogue loaded" in capsys.readouterr().out
    call_command("load_catalogue")
    assert "nothing changed" in capsys.readouterr().out


def test_dry_run_writes_nothing():
    report = load_catalogue(dry_run=True)
    assert report.created["cooperation.Country"] == 249
    assert not models.Country.objects.exists()


def test_a_changed_fixture_updates_the_record(tmp_path, settings):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(
        settings.BASE_DIR / "fixtures", fixtures, ignore=shutil.ignore_patterns("drafts")
    )
    load_catalogue(fixtures)
    records = json.loads((fixtures / "sources.json").read_text())
    records[0]["fields"]["notes"] = "Corrected."
    (fixtures / "sources.json").write_text(json.dumps(records))
    report = load_catalogue(fixtures)
    assert report.updated == {"cooperation.Source": 1}
    assert models.Source.objects.get(slug=records[0]["fields"]["slug"]).notes == "Corrected."


def broken_copy(tmp_path, settings, record):
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    for name in ("countries.json", "sources.json"):
        shutil.copy(settings.BASE_DIR / "fixtures" / name, fixtures / name)
    (fixtures / "events.json").write_text(json.dumps(record))
    return fixtures


EVENT = {
    "model": "cooperation.event",
    "fields": {
        "slug": "good-event",
        "title": "A seminar",
        "type": "seminar",
        "start_date": "2012-07-21",
        "date_precision": "day",
        "description": "Held.",
    },
}


@pytest.mark.parametrize(
    ("bad_fields", "message"),
    [
        ({"start_date": "2012-13-40"}, "start_date"),
        ({"type": "party"}, "type"),
        ({"end_date": "2012-07-01", "end_date_precision": "day"}, "before the start date"),
        ({"parent": ["no-such-event"]}, "not defined before it"),
    ],
)
def test_broken_fixture_names_file_and_record_and_loads_nothing(
    tmp_path, settings, bad_fields, message
):
    bad = {
        "model": "cooperation.event",
        "fields": {**EVENT["fields"], "slug": "bad-event", **bad_fields},
    }
    fixtures = broken_copy(tmp_path, settings, [EVENT, bad])
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(fixtures)
    assert "events.json, record 2" in str(caught.value)
    assert '"bad-event"' in str(caught.value)
    assert message in str(caught.value)
    assert not models.Country.objects.exists()
    assert not models.Event.objects.exists()


def test_invalid_json_is_reported(tmp_path, settings):
    fixtures = broken_copy(tmp_path, settings, [])
    (fixtures / "events.json").write_text("[{oops")
    with pytest.raises(CommandError, match=r"events\.json is not valid JSON"):
        call_command("load_catalogue", dir=fixtures)
    assert not models.Country.objects.exists()


def test_fixture_with_pk_is_refused(tmp_path, settings):
    fixtures = broken_copy(tmp_path, settings, [{**EVENT, "pk": 7}])
    with pytest.raises(CatalogueError, match="natural key"):
        load_catalogue(fixtures)
