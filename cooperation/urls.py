from django.urls import path, register_converter

from . import views
from .citations_export import FORMATS, url_name
from .lists import LISTS


class CountryCode:
    """An ISO 3166-1 alpha-2 code in any case; anything else is not a country page (404)."""

    regex = "[A-Za-z]{2}"

    def to_python(self, value):
        return value.upper()

    def to_url(self, value):
        return value.lower()


register_converter(CountryCode, "country")

app_name = "cooperation"

# Every list's exports, from its declaration: /events/export.csv is "event-list-csv".
export_patterns = [
    path(
        f"{name}/export.{extension}",
        views.ExportView.as_view(catalogue_list=catalogue_list, format=extension),
        name=f"{name}-{extension}",
    )
    for name, catalogue_list in LISTS.items()
    for extension in ("csv", "json")
]

# Every record page's citation downloads: /events/<slug>/cite.ris is "event-cite-ris".
cite_patterns = [
    path(
        f"{prefix}/cite.{extension}",
        views.CiteView.as_view(kind=kind, format=extension),
        name=url_name(kind, extension),
    )
    for kind, prefix in [
        ("event", "events/<slug:slug>"),
        ("country", "countries/<country:code>"),
        ("programme", "programmes/<slug:slug>"),
        ("organization", "organizations/<slug:slug>"),
        ("person", "people/<slug:slug>"),
        ("source", "sources/<slug:slug>"),
    ]
    for extension in FORMATS
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    *export_patterns,
    *cite_patterns,
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="event-detail"),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/<country:code>/", views.CountryDetailView.as_view(), name="country-detail"),
    path("years/", views.YearListView.as_view(), name="year-list"),
    path("years/<int:year>/", views.YearDetailView.as_view(), name="year-detail"),
    path("programmes/", views.ProgrammeListView.as_view(), name="programme-list"),
    path("programmes/<slug:slug>/", views.ProgrammeDetailView.as_view(), name="programme-detail"),
    path("organizations/", views.OrganizationListView.as_view(), name="organization-list"),
    path(
        "organizations/<slug:slug>/",
        views.OrganizationDetailView.as_view(),
        name="organization-detail",
    ),
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("coverage/", views.CoverageRedirect.as_view(), name="coverage"),
    path("downloads/", views.DownloadsView.as_view(), name="downloads"),
    path("downloads/catalogue.zip", views.PackageDownloadView.as_view(), name="datapackage"),
]
