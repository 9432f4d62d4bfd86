"""Backup and restore: a dump of the catalogue, loaded into an empty database, exports the
same CSV, byte for byte."""

import io

import pytest
from django.core.management import call_command

from cooperation import models

from .conftest import empty_catalogue

pytestmark = pytest.mark.django_db

CATALOGUE_MODELS = [
    "cooperation.country",
    "cooperation.source",
    "cooperation.organization",
    "cooperation.organizationcitation",
    "cooperation.person",
    "cooperation.personcitation",
    "cooperation.programme",
    "cooperation.programmecitation",
    "cooperation.event",
    "cooperation.eventcountry",
    "cooperation.eventorganization",
    "cooperation.eventperson",
    "cooperation.eventcitation",
]


def export(client):
    response = client.get("/events/export.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_dump_and_restore_give_an_identical_export(client, catalogue, tmp_path):
    before = export(client)
    assert before.count(b"\n") > 100
    dump = tmp_path / "catalogue.json"
    with dump.open("w") as handle:
        call_command("dumpdata", *CATALOGUE_MODELS, stdout=handle, indent=None)

    empty_catalogue()
    assert not models.Event.objects.exists()
    assert export(client).count(b"\n") == 1  # the header alone

    out = io.StringIO()
    call_command("loaddata", str(dump), stdout=out)
    assert "Installed" in out.getvalue()
    assert export(client) == before
    # New records after a restore get fresh ids (sequences follow the restored rows).
    new = models.Source.objects.create(slug="after-restore", title="New", kind="other")
    assert new.pk > models.Source.objects.exclude(pk=new.pk).order_by("-pk").first().pk
