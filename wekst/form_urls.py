"""The URL configuration a POST to an enquiry form page is resolved with (wekst/fastlane.py):
the leads' own routes first, then the root configuration's, unchanged (issue 23).

Resolved against the root configuration, the contact form's POST tried the patterns of a dozen
other apps before its own (docs/benchmarks.md). Here it finds the same view under the same name
and namespace ("leads:contact") at once, and every other name still reverses as before (the
thank-you page, the links of a page shown again with its errors): the leads' routes are all
here, and the root configuration's follow them, with its error handlers.
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.utils.module_loading import import_module

# What this configuration was built from: a test that swaps the root configuration does not
# get it (FastLaneMiddleware checks).
ROOT_URLCONF = settings.ROOT_URLCONF
_root = import_module(ROOT_URLCONF)

handler400 = getattr(_root, "handler400", "django.views.defaults.bad_request")
handler403 = getattr(_root, "handler403", "django.views.defaults.permission_denied")
handler404 = getattr(_root, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(_root, "handler500", "django.views.defaults.server_error")

urlpatterns = [
    *i18n_patterns(path("", include("leads.urls")), prefix_default_language=False),
    *_root.urlpatterns,
]
