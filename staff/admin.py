"""Staff accounts in the back office, audited like every other record of personal data."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from audit.admin import AuditedModelAdmin

User = get_user_model()


class StaffUserAdmin(AuditedModelAdmin, UserAdmin):
    """Django's user admin; who looked at or changed a staff account is in the audit log."""


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
