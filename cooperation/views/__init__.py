"""Public pages, by subject. Views stay thin: filtering lives in filters.py, export rows in
exports.py, aggregates in summaries.py, query vocabulary on the models' querysets."""

from .events import EventDetailView, EventExportView, EventListView
from .home import HomeView
from .records import (
    CountryDetailView,
    CountryExportView,
    CountryListView,
    OrganizationDetailView,
    OrganizationExportView,
    OrganizationListView,
    PersonDetailView,
    PersonExportView,
    PersonListView,
    ProgrammeDetailView,
    ProgrammeExportView,
    ProgrammeListView,
    SourceDetailView,
    SourceListView,
)
from .years import YearDetailView, YearListView

__all__ = [
    "CountryDetailView",
    "CountryExportView",
    "CountryListView",
    "EventDetailView",
    "EventExportView",
    "EventListView",
    "HomeView",
    "OrganizationDetailView",
    "OrganizationExportView",
    "OrganizationListView",
    "PersonDetailView",
    "PersonExportView",
    "PersonListView",
    "ProgrammeDetailView",
    "ProgrammeExportView",
    "ProgrammeListView",
    "SourceDetailView",
    "SourceListView",
    "YearDetailView",
    "YearListView",
]
