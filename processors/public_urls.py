"""Public pages of the processors area, in English (unprefixed) and Norwegian (/nb/)."""

from django.urls import path

from processors import views

app_name = "processors_public"
urlpatterns = [
    path("subprocessors/", views.subprocessors, name="subprocessors"),
]
