from django.urls import path, register_converter

from . import views


class CountryCode:
    """An ISO 3166-1 alpha-2 code in any case; anything else is not a country page (404)."""

    regex = "[A-Za-z]{2}"

    def to_python(self, value):
        return value.upper()

    def to_url(self, value):
        return value.lower()


register_converter(CountryCode, "country")

app_name = "cooperation"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/export.csv", views.EventExportView.as_view(format="csv"), name="event-export-csv"),
    path(
        "events/export.json", views.EventExportView.as_view(format="json"), name="event-export-json"
    ),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="event-detail"),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/export.csv", views.CountryExportView.as_view(), name="country-export-csv"),
    path("countries/<country:code>/", views.CountryDetailView.as_view(), name="country-detail"),
    path("years/", views.YearListView.as_view(), name="year-list"),
    path("years/<int:year>/", views.YearDetailView.as_view(), name="year-detail"),
    path("programmes/", views.ProgrammeListView.as_view(), name="programme-list"),
    path("programmes/export.csv", views.ProgrammeExportView.as_view(), name="programme-export-csv"),
    path("programmes/<slug:slug>/", views.ProgrammeDetailView.as_view(), name="programme-detail"),
    path("organizations/", views.OrganizationListView.as_view(), name="organization-list"),
    path(
        "organizations/export.csv",
        views.OrganizationExportView.as_view(),
        name="organization-export-csv",
    ),
    path(
        "organizations/<slug:slug>/",
        views.OrganizationDetailView.as_view(),
        name="organization-detail",
    ),
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/export.csv", views.PersonExportView.as_view(), name="person-export-csv"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
]
