import os
from pathlib import Path

import pytest

from cooperation import models
from cooperation.services import load_catalogue


def empty_catalogue():
    """Delete every catalogue row, children before what they point at (PROTECT)."""
    for model in [
        models.EventCitation,
        models.EventCountry,
        models.EventOrganization,
        models.EventPerson,
        models.ProgrammeCitation,
        models.OrganizationCitation,
        models.PersonCitation,
    ]:
        model.objects.all().delete()
    for model in [models.Event, models.Programme, models.Organization]:
        model.objects.update(parent=None)
        model.objects.all().delete()
    for model in [models.Person, models.Source, models.Country]:
        model.objects.all().delete()


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The curated catalogue, loaded once per test module and removed after it.

    CATALOGUE_FIXTURES points at another fixture folder (curators check a draft with it).
    """
    directory = os.environ.get("CATALOGUE_FIXTURES")
    with django_db_blocker.unblock():
        report = load_catalogue(Path(directory) if directory else None)
    yield report
    with django_db_blocker.unblock():
        empty_catalogue()
