"""Public pages of the clinics, in English (unprefixed) and Norwegian (/nb/): a clinic's form."""

from django.urls import path

from clinics import views

app_name = "clinics"
urlpatterns = [
    path("clinics/<slug:slug>/contact/", views.clinic_contact, name="clinic_contact"),
    path(
        "clinics/<slug:slug>/contact/thanks/",
        views.clinic_contact_thanks,
        name="clinic_contact_thanks",
    ),
]
