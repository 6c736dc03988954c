"""The back office: Django's admin, open only to staff verified by a second factor (SEC-01)."""

from functools import partial

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from staff import views

# The back office's areas, named and ordered as the policy is (issue 21): app label, then the name
# a person reads. The names of apps from libraries (two-factor devices, background tasks, Django's
# accounts) are set here too, since their AppConfig is not ours; an app left out comes last.
AREAS = (
    ("rights", _("Requests and rights")),
    ("breaches", _("Breaches")),
    ("leads", _("Leads and meetings")),
    ("newsletter", _("Newsletter")),
    ("consent", _("Consent")),
    ("retention", _("Retention")),
    ("backups", _("Backups")),
    ("processors", _("Recipients and disclosures")),
    ("clinics", _("Clinics (Wekst as processor)")),
    ("campaigns", _("Campaigns for clinics")),
    ("assessments", _("Impact assessments")),
    ("declaration", _("Policy and records")),
    ("content", _("Website content")),
    ("subjects", _("Data subjects")),
    ("mail", _("Outgoing email")),
    ("django_tasks_database", _("Background tasks")),
    ("audit", _("Audit log")),
    ("auth", _("Staff accounts")),
    ("otp_totp", _("Two-factor devices")),
)
_AREA_ORDER = {label: position for position, (label, _name) in enumerate(AREAS)}
_AREA_NAMES = dict(AREAS)


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

    def get_app_list(self, request, app_label=None):
        """The areas in the order of AREAS, under the names a person reads."""
        apps = super().get_app_list(request, app_label)
        for app in apps:
            app["name"] = _AREA_NAMES.get(app["app_label"], app["name"])
        return sorted(apps, key=lambda app: _AREA_ORDER.get(app["app_label"], len(AREAS)))

    def get_urls(self):
        return [
            path("login/code/", partial(views.two_factor, site=self), name="two_factor"),
            path("login/set-up/", partial(views.enrol, site=self), name="two_factor_enrol"),
            *super().get_urls(),
        ]
