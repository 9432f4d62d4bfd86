"""The catalogue's data model, split by subject.

Every catalogue model keeps its history (django-simple-history): who changed what and when,
viewable and revertible in the admin. Fixture loads and synthetic data are raw writes and leave
no versions, except the `~` version a load records when it sets a many-to-many field
(docs/data-model.md, History). CatalogueLoad is not a catalogue record but a log of loads.
"""

from .actors import Organization, OrganizationCitation, Person, PersonCitation
from .base import FIRST_YEAR, LAST_YEAR, alias_lines
from .counters import EventCounter
from .events import (
    Event,
    EventCitation,
    EventCountry,
    EventOrganization,
    EventPerson,
    EventQuerySet,
    Precision,
    format_date,
    iso_date,
)
from .loads import CatalogueLoad
from .places import Country
from .programmes import Programme, ProgrammeCitation
from .sources import Source
from .versions import CatalogueVersion

# The records of the catalogue (CatalogueLoad and CatalogueVersion are bookkeeping).
CATALOGUE_MODELS = (
    Country, Source, Organization, Person, Programme, Event,
    EventCountry, EventOrganization, EventPerson, EventCitation,
    OrganizationCitation, PersonCitation, ProgrammeCitation,
)  # fmt: skip

__all__ = [
    "CATALOGUE_MODELS",
    "FIRST_YEAR",
    "LAST_YEAR",
    "CatalogueLoad",
    "CatalogueVersion",
    "Country",
    "Event",
    "EventCitation",
    "EventCounter",
    "EventCountry",
    "EventOrganization",
    "EventPerson",
    "EventQuerySet",
    "Organization",
    "OrganizationCitation",
    "Person",
    "PersonCitation",
    "Precision",
    "Programme",
    "ProgrammeCitation",
    "Source",
    "alias_lines",
    "format_date",
    "iso_date",
]
