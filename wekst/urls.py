"""URLs: public pages in English (unprefixed) and Norwegian (/nb/); the back office at /admin/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", include("declaration.admin_urls")),
    path("admin/", admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", include("declaration.urls")),
    path("", include("content.urls")),
    prefix_default_language=False,
)
