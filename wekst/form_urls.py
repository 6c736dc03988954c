"""The URL configuration a POST to an enquiry form page is resolved with (wekst/fastlane.py):
the leads' own routes first, then the root configuration's, unchanged (issue 23).

Resolved against the root configuration, the contact form's POST tried the patterns of a dozen
other apps before its own (docs/benchmarks.md). Here it finds the same view under the same name
and namespace ("leads:contact") at once, and every other name still reverses as before (the
thank-you page, the links of a page shown again with its errors): the leads' routes are all
here, and the root configuration's follow them, with its error handlers.
"""

import functools

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.utils.module_loading import import_module

HANDLERS = ("handler400", "handler403", "handler404", "handler500")


class FormURLConf:
    """A URL configuration as Django reads one (`urlpatterns`, the error handlers), built from
    the root configuration `root` (a test may swap the root: each gets its own)."""

    def __init__(self, root: str):
        module = import_module(root)
        self.root = root
        self.urlpatterns = [
            *i18n_patterns(path("", include("leads.urls")), prefix_default_language=False),
            *module.urlpatterns,
        ]
        for name in HANDLERS:
            if hasattr(module, name):
                setattr(self, name, getattr(module, name))

    def __repr__(self) -> str:
        return f"<FormURLConf from {self.root}>"


@functools.cache
def form_urlconf(root: str) -> FormURLConf:
    """The one configuration built from `root`: Django keeps its resolver by it."""
    return FormURLConf(root)
