"""Back-office pages of the declaration, mounted under /admin/."""

from django.urls import path

from declaration import views

app_name = "declaration_admin"
urlpatterns = [
    path("records-of-processing/", views.records_of_processing, name="records"),
    path("records-of-processing.csv", views.records_of_processing_csv, name="records_csv"),
]
