"""load_catalogue itself, on a small fixture folder: tests/fixtures_small/ is a slice of
fixtures/ (the 2012 LGOP trip to Mozambique and Tanzania, its seven parts and every record they
refer to: 116 records of all 13 kinds). The whole curated catalogue, loaded once per session,
is checked in test_catalogue.py."""

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from cooperation import models, services
from cooperation.management.commands import prepare_database
from cooperation.services import CatalogueError, load_catalogue

pytestmark = pytest.mark.django_db

SMALL = Path(__file__).parent / "fixtures_small"

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


def records_in(directory):
    return Counter(
        record["model"]
        for path in directory.glob("*.json")
        for record in json.loads(path.read_text(encoding="utf-8"))
    )


@pytest.fixture
def fixtures(tmp_path):
    """A copy of the small folder that a test may change."""
    copy = tmp_path / "fixtures"
    shutil.copytree(SMALL, copy)
    return copy


def test_every_record_of_every_kind_is_created():
    report = load_catalogue(SMALL)
    expected = records_in(SMALL)
    assert len(expected) == len(ALL_MODELS)
    assert {label.lower(): n for label, n in report.created.items()} == expected
    assert not report.updated and not report.unchanged
    for model in ALL_MODELS:
        assert model.objects.count() == expected[model._meta.label_lower], model
    tanzania = models.Country.objects.get(code="TZ")
    assert (tanzania.name, tanzania.alpha3, tanzania.numeric, tanzania.region) == (
        "Tanzania",
        "TZA",
        "834",
        "Africa",
    )
    assert "United Republic of Tanzania" in tanzania.alias_list
    assert sorted(models.Source.objects.values_list("file_name", flat=True)) == [
        "003_76e47e162fe14327.txt",
        "004_3343d2aa6930436a.txt",
    ]
    trip = models.Event.objects.get(
        slug="2012-07-21-lgop-delegation-visits-mozambique-and-tanzania"
    )
    assert trip.children.count() == 7
    assert models.Event.programmes.through.objects.exists()
    assert models.Programme.countries.through.objects.exists()


def test_loading_twice_changes_nothing():
    load_catalogue(SMALL)
    before = snapshot()
    report = load_catalogue(SMALL)
    assert not report.changed
    assert sum(report.unchanged.values()) == sum(records_in(SMALL).values())
    assert snapshot() == before


def test_command_says_what_it_did(capsys):
    call_command("load_catalogue", dir=SMALL)
    assert "Catalogue loaded" in capsys.readouterr().out
    call_command("load_catalogue", dir=SMALL)
    out = capsys.readouterr().out
    assert "nothing changed" in out
    assert "fixtures are unchanged since the load of" in out
    call_command("load_catalogue", dir=SMALL, force=True)
    out = capsys.readouterr().out
    assert "cooperation.Country: 0 created, 0 updated, 4 unchanged" in out
    assert "Catalogue already up to date: nothing changed." in out


def test_dry_run_writes_nothing():
    report = load_catalogue(SMALL, dry_run=True)
    assert report.created["cooperation.Country"] == 4
    assert not models.Country.objects.exists()
    assert not models.CatalogueLoad.objects.exists()


def test_a_changed_fixture_updates_the_record(fixtures):
    load_catalogue(fixtures)
    records = json.loads((fixtures / "sources.json").read_text())
    records[0]["fields"]["notes"] = "Corrected."
    (fixtures / "sources.json").write_text(json.dumps(records))
    report = load_catalogue(fixtures)
    assert report.updated == {"cooperation.Source": 1}
    assert models.Source.objects.get(slug=records[0]["fields"]["slug"]).notes == "Corrected."


# --- the checksum: unchanged fixtures are not compared again ---


def test_unchanged_fixtures_are_skipped_without_reading_a_record(monkeypatch):
    load_catalogue(SMALL, if_changed=True)
    logged = models.CatalogueLoad.objects.get()

    def no_record_may_be_read(record, report):
        raise AssertionError("the fixtures were compared although they had not changed")

    monkeypatch.setattr(services, "_load_record", no_record_may_be_read)
    report = load_catalogue(SMALL, if_changed=True)
    assert report.skipped_since == logged.loaded_at
    assert not report.changed and not report.unchanged
    assert models.CatalogueLoad.objects.get() == logged  # a skip logs nothing


def test_a_changed_fixture_is_loaded_again_then_skipped(fixtures):
    load_catalogue(fixtures, if_changed=True)
    records = json.loads((fixtures / "events.json").read_text())
    records[0]["fields"]["theme"] = "Changed by a curator."
    (fixtures / "events.json").write_text(json.dumps(records))

    report = load_catalogue(fixtures, if_changed=True)
    assert report.skipped_since is None
    assert report.updated == {"cooperation.Event": 1}
    assert models.Event.objects.get(slug=records[0]["fields"]["slug"]).theme == (
        "Changed by a curator."
    )
    assert load_catalogue(fixtures, if_changed=True).skipped_since is not None
    assert models.CatalogueLoad.objects.count() == 2


@pytest.mark.parametrize("change", ["new file", "renamed file", "removed file"])
def test_a_fixture_file_added_renamed_or_removed_counts_as_a_change(fixtures, change):
    load_catalogue(fixtures, if_changed=True)
    if change == "new file":
        (fixtures / "zz-extra.json").write_text("[]")
    elif change == "renamed file":
        (fixtures / "events.json").rename(fixtures / "zz-events.json")
    else:
        (fixtures / "events.json").unlink()
    assert load_catalogue(fixtures, if_changed=True).skipped_since is None


def test_a_new_migration_makes_the_next_load_compare_every_record(monkeypatch):
    load_catalogue(SMALL, if_changed=True)
    applied = services.MigrationRecorder.applied_migrations

    def with_one_more(recorder):
        return {**applied(recorder), ("cooperation", "9999_new"): None}

    monkeypatch.setattr(services.MigrationRecorder, "applied_migrations", with_one_more)
    report = load_catalogue(SMALL, if_changed=True)
    assert report.skipped_since is None
    assert sum(report.unchanged.values()) == sum(records_in(SMALL).values())


def test_an_editors_correction_is_kept_until_the_fixtures_change_or_force(capsys):
    """Documented choice: an unchanged catalogue is not compared, so a curated record an editor
    corrected in the admin keeps the correction; --force (or a changed fixture) compares every
    record and the fixture's values win."""
    call_command("load_catalogue", dir=SMALL)
    models.Source.objects.filter(file_name="003_76e47e162fe14327.txt").update(notes="Edited.")
    call_command("load_catalogue", dir=SMALL)
    assert models.Source.objects.get(file_name="003_76e47e162fe14327.txt").notes == "Edited."
    call_command("load_catalogue", dir=SMALL, force=True)
    assert "cooperation.Source: 0 created, 1 updated" in capsys.readouterr().out
    assert models.Source.objects.get(file_name="003_76e47e162fe14327.txt").notes != "Edited."


def test_a_failed_load_logs_nothing_and_the_next_one_runs(fixtures):
    good = (fixtures / "events.json").read_text()
    (fixtures / "events.json").write_text("[{oops")
    with pytest.raises(CatalogueError):
        load_catalogue(fixtures, if_changed=True)
    assert not models.CatalogueLoad.objects.exists()
    (fixtures / "events.json").write_text(good)
    report = load_catalogue(fixtures, if_changed=True)
    assert report.skipped_since is None
    assert report.created["cooperation.Event"] == 8


def test_a_dry_run_compares_even_when_unchanged():
    load_catalogue(SMALL, if_changed=True)
    report = load_catalogue(SMALL, dry_run=True, if_changed=True)
    assert report.skipped_since is None
    assert sum(report.unchanged.values()) == sum(records_in(SMALL).values())


# --- make run: prepare_database ---


@pytest.fixture
def small_by_default(settings, tmp_path):
    """The small folder as the project's fixtures/ (commands load BASE_DIR/fixtures)."""
    shutil.copytree(SMALL, tmp_path / "fixtures")
    settings.BASE_DIR = tmp_path


def test_prepare_database_loads_changed_fixtures_only(small_by_default, capsys):
    call_command("prepare_database")
    out = capsys.readouterr().out
    assert "No migrations to apply." in out
    assert "Catalogue loaded." in out
    assert models.Event.objects.count() == 8
    call_command("prepare_database")
    assert "fixtures are unchanged since the load of" in capsys.readouterr().out


def test_prepare_database_migrates_only_when_a_migration_is_pending(small_by_default, monkeypatch):
    called = []
    load = prepare_database.call_command

    def record(name, **options):
        called.append(name)
        if name != "migrate":  # the test database is migrated; the call is what counts here
            load(name, **options)

    monkeypatch.setattr(prepare_database, "call_command", record)
    call_command("prepare_database")
    assert called == ["load_catalogue"]

    class OnePending(prepare_database.MigrationExecutor):
        def migration_plan(self, targets, clean_start=False):
            return [(self.loader.graph.nodes[targets[0]], False)]

    monkeypatch.setattr(prepare_database, "MigrationExecutor", OnePending)
    called.clear()
    call_command("prepare_database")
    assert called == ["migrate", "load_catalogue"]


# --- broken fixtures ---


def broken_copy(tmp_path, record):
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    for name in ("countries.json", "sources.json"):
        shutil.copy(SMALL / name, fixtures / name)
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
def test_broken_fixture_names_file_and_record_and_loads_nothing(tmp_path, bad_fields, message):
    bad = {
        "model": "cooperation.event",
        "fields": {**EVENT["fields"], "slug": "bad-event", **bad_fields},
    }
    fixtures = broken_copy(tmp_path, [EVENT, bad])
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(fixtures)
    assert "events.json, record 2" in str(caught.value)
    assert '"bad-event"' in str(caught.value)
    assert message in str(caught.value)
    assert not models.Country.objects.exists()
    assert not models.Event.objects.exists()


def test_invalid_json_is_reported(tmp_path):
    fixtures = broken_copy(tmp_path, [])
    (fixtures / "events.json").write_text("[{oops")
    with pytest.raises(CommandError, match=r"events\.json is not valid JSON"):
        call_command("load_catalogue", dir=fixtures)
    assert not models.Country.objects.exists()


def test_fixture_with_pk_is_refused(tmp_path):
    fixtures = broken_copy(tmp_path, [{**EVENT, "pk": 7}])
    with pytest.raises(CatalogueError, match="natural key"):
        load_catalogue(fixtures)
