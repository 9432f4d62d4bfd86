from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from . import views

app_name = "api"

urlpatterns = [
    path("", views.Index.as_view(), name="index"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs/", views.Documentation.as_view(url_name="api:openapi"), name="docs"),
    path("events/", views.EventList.as_view(), name="events-list"),
    path("events/<str:key>/", views.EventRecord.as_view(), name="events-record"),
    path("countries/", views.CountryList.as_view(), name="countries-list"),
    path("countries/<str:key>/", views.CountryRecord.as_view(), name="countries-record"),
    path("years/", views.YearList.as_view(), name="years-list"),
    path("years/<int:year>/", views.YearRecord.as_view(), name="years-record"),
    path("programmes/", views.ProgrammeList.as_view(), name="programmes-list"),
    path("programmes/<str:key>/", views.ProgrammeRecord.as_view(), name="programmes-record"),
    path("organizations/", views.OrganizationList.as_view(), name="organizations-list"),
    path(
        "organizations/<str:key>/",
        views.OrganizationRecord.as_view(),
        name="organizations-record",
    ),
    path("people/", views.PersonList.as_view(), name="people-list"),
    path("people/<str:key>/", views.PersonRecord.as_view(), name="people-record"),
    path("sources/", views.SourceList.as_view(), name="sources-list"),
    path("sources/<str:key>/", views.SourceRecord.as_view(), name="sources-record"),
    # Anything else under /api/ is a 404 in JSON, like a record that does not exist.
    re_path(r"^(.*/)?$", views.NotFound.as_view(), name="not-found"),
]
