"""The evidence pack's back-office URL, mounted under /admin/."""

from django.urls import path

from wekst.evidence import views

app_name = "evidence"
urlpatterns = [path("evidence-pack/", views.evidence_pack, name="evidence_pack")]
