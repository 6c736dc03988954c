"""Back-office pages of the processors area, mounted under /admin/: the private documents."""

from django.urls import path

from processors import views

app_name = "processors_admin"
urlpatterns = [
    path("processor-documents/<path:name>", views.document, name="document"),
]
