"""Public pages of the processors area, in English (unprefixed) and Norwegian (/nb/)."""

from django.urls import path

from processors import views

app_name = "processors_public"
urlpatterns = [
    path("subprocessors/", views.subprocessors, name="subprocessors"),
    path("clinics/<slug:slug>/contact/", views.clinic_contact, name="clinic_contact"),
    path(
        "clinics/<slug:slug>/contact/thanks/",
        views.clinic_contact_thanks,
        name="clinic_contact_thanks",
    ),
]
