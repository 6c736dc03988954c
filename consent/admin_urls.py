"""Back-office pages of consent, mounted under /admin/."""

from django.contrib import admin
from django.urls import path

from consent import admin_views

app_name = "consent_admin"
urlpatterns = [
    path("consent/figures/", admin.site.admin_view(admin_views.consent_figures), name="figures"),
]
