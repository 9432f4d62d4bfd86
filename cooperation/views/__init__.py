"""Public pages, by subject. Views stay thin: what a list offers is declared in lists.py
(parameters in filters.py, export columns in columns.py), aggregates live in summaries.py,
query vocabulary on the models' querysets."""

from .about import AboutView, CoverageRedirect
from .cite import CiteView
from .common import ExportView
from .downloads import DownloadsView, PackageDownloadView
from .events import EventDetailView, EventListView
from .home import HomeView
from .records import (
    CountryDetailView,
    CountryListView,
    OrganizationDetailView,
    OrganizationListView,
    PersonDetailView,
    PersonListView,
    ProgrammeDetailView,
    ProgrammeListView,
    SourceDetailView,
    SourceListView,
)
from .years import YearDetailView, YearListView

__all__ = [
    "AboutView",
    "CiteView",
    "CountryDetailView",
    "CountryListView",
    "CoverageRedirect",
    "DownloadsView",
    "EventDetailView",
    "EventListView",
    "ExportView",
    "HomeView",
    "OrganizationDetailView",
    "OrganizationListView",
    "PackageDownloadView",
    "PersonDetailView",
    "PersonListView",
    "ProgrammeDetailView",
    "ProgrammeListView",
    "SourceDetailView",
    "SourceListView",
    "YearDetailView",
    "YearListView",
]
