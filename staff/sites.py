"""The back office: Django's admin, open only to staff verified by a second factor (SEC-01)."""

from functools import partial

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from staff import views


class StaffAdminSite(OTPAdminSite):
    """django-otp's OTPAdminSite (has_permission demands a verified device), with a sign-in in
    two steps instead of one form, so that a person without a device is led to set one up."""

    site_header = _("Wekst back office")
    site_title = _("Wekst back office")
    index_title = _("Back office")

    def __init__(self, name: str = "admin"):
        super().__init__(name)

    def login(self, request, extra_context=None):
        return views.sign_in(request, site=self)

    def get_urls(self):
        return [
            path("login/code/", partial(views.two_factor, site=self), name="two_factor"),
            path("login/set-up/", partial(views.enrol, site=self), name="two_factor_enrol"),
            *super().get_urls(),
        ]
