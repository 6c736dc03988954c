"""Back-office pages of the clinics, mounted under /admin/ beside the Art. 30(1) record."""

from django.urls import path, re_path
from django.views.generic import RedirectView

from clinics import views

# The clinics' back-office pages were under /admin/processors/ until issue 17 moved them; links to
# the old addresses (in notifications already sent, in bookmarks) lead to the new ones.
OLD_ADDRESSES = (
    r"^processors/(?P<model>clinic|cliniccontact|engagement|clinicagreement"
    r"|primaryaccountingrecord|secondaryaccountingrecord)/(?P<rest>.*)$"
)

app_name = "clinics_admin"
urlpatterns = [
    re_path(
        OLD_ADDRESSES,
        RedirectView.as_view(url="/admin/clinics/%(model)s/%(rest)s", query_string=True),
    ),
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
    path(
        "clinic-offboarding/<uuid:public_id>/export.zip",
        views.offboarding_export,
        name="offboarding_export",
    ),
    path(
        "clinic-offboarding/<uuid:public_id>/certificate.txt",
        views.offboarding_certificate,
        name="offboarding_certificate",
    ),
]
