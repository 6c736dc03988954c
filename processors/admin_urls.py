"""Back-office pages of the processors area, mounted under /admin/ beside the Art. 30(1) record."""

from django.urls import path

from processors import views

app_name = "processors_admin"
urlpatterns = [
    path(
        "records-of-processing-as-processor/",
        views.records_as_processor,
        name="records_as_processor",
    ),
    path(
        "records-of-processing-as-processor.csv",
        views.records_as_processor_csv,
        name="records_as_processor_csv",
    ),
    path("processor-documents/<path:name>", views.document, name="document"),
]
