"""Back-office pages of marketing profiling, mounted under /admin/."""

from django.contrib import admin
from django.urls import path

from marketing import admin_views

app_name = "marketing_admin"
urlpatterns = [
    path(
        "marketing/segments/",
        admin.site.admin_view(admin_views.segment_list),
        name="segments",
    ),
    path(
        "marketing/segments/<slug:key>/export/",
        admin.site.admin_view(admin_views.segment_export),
        name="export",
    ),
]
