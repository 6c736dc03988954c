from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    default = True
    name = "staff"
    verbose_name = _("Staff accounts")


class StaffAdminConfig(admin_apps.AdminConfig):
    """The back office is the admin site that demands a second factor (staff.sites)."""

    default = False
    default_site = "staff.sites.StaffAdminSite"
