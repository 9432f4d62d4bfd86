"""The catalogue's data model, split by subject."""

from .actors import Organization, OrganizationCitation, Person, PersonCitation
from .base import alias_lines
from .events import (
    Event,
    EventCitation,
    EventCountry,
    EventOrganization,
    EventPerson,
    Precision,
    format_date,
    iso_date,
)
from .places import Country
from .programmes import Programme, ProgrammeCitation
from .sources import Source

__all__ = [
    "Country",
    "Event",
    "EventCitation",
    "EventCountry",
    "EventOrganization",
    "EventPerson",
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
