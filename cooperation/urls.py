from django.urls import path

from . import views

app_name = "cooperation"

urlpatterns = [
    path("", views.home, name="home"),
    path("events/<slug:slug>/", views.placeholder, name="event-detail"),
    path("countries/<str:code>/", views.placeholder, name="country-detail"),
    path("programmes/<slug:slug>/", views.placeholder, name="programme-detail"),
    path("organizations/<slug:slug>/", views.placeholder, name="organization-detail"),
    path("people/<slug:slug>/", views.placeholder, name="person-detail"),
    path("sources/<slug:slug>/", views.placeholder, name="source-detail"),
]
