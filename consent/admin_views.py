"""The consent figures page for staff: counts and rates only, never a visitor (CON-09)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from consent.analytics import (
    DEFAULT_DAYS,
    consent_by_banner_version,
    consent_by_day,
    consent_totals,
)


@require_safe
def consent_figures(request):
    if not request.user.has_perm("consent.view_consentdecision"):
        raise PermissionDenied
    return render(
        request,
        "consent/figures.html",
        {
            **admin.site.each_context(request),
            "title": _("Consent figures"),
            "days": DEFAULT_DAYS,
            "totals": consent_totals(),
            "by_version": consent_by_banner_version(),
            "by_day": consent_by_day(),
        },
    )
