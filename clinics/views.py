"""Pages of the clinics: a clinic's public enquiry form, and for staff the records of processing
as processor (Art. 30(2))."""

import logging

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from clinics import selectors, services
from clinics.forms import ClinicEnquiryForm
from clinics.records import COLUMNS, build_processor_records, processor_records_as_csv
from declaration.citations import cite
from declaration.selectors import get_declaration
from leads import services as lead_services
from leads.forms import HONEYPOT_FIELD
from wekst.ratelimit import client_ip

logger = logging.getLogger(__name__)
# The clinic form's Art. 13 notice (the clinic's facts, Wekst as its processor).
CLINIC_NOTICE_ID = "clinic-notice"


@require_http_methods(["GET", "HEAD", "POST"])
def clinic_contact(request, slug: str):
    """The enquiry form of one clinic: 404 unless work may be done for it (a current agreement
    and a running engagement, CL-01); the clinic is named as the controller (Art. 13(1)(a))."""
    clinic = selectors.get_clinic_accepting_work(slug=slug)
    if request.method != "POST":
        return _render_clinic_form(request, clinic, ClinicEnquiryForm())
    if request.POST.get(HONEYPOT_FIELD):
        logger.info("Honeypot filled on a clinic form; submission dropped")
        return redirect("clinics:clinic_contact_thanks", slug=clinic.slug)
    form = ClinicEnquiryForm(request.POST)
    if not lead_services.ip_may_submit(ip=client_ip(request)):
        return _too_many(request, clinic, form)
    if not form.is_valid():
        return _render_clinic_form(request, clinic, form)
    data = form.cleaned_data
    if not lead_services.address_may_submit(email=data["email"]):
        return _too_many(request, clinic, form)
    services.submit_clinic_enquiry(
        clinic=clinic,
        name=data["name"],
        email=data["email"],
        phone=data["phone"],
        company=data["company"],
        role=data["role"],
        message=data["message"],
        language=get_language(),
    )
    return redirect("clinics:clinic_contact_thanks", slug=clinic.slug)


@require_safe
def clinic_contact_thanks(request, slug: str):
    clinic = selectors.get_clinic_accepting_work(slug=slug)
    return render(request, "clinics/clinic_thanks.html", {"clinic": clinic})


def _too_many(request, clinic, form):
    logger.warning("Rate limit reached on a clinic form")
    form.add_error(
        None,
        _(
            "You have sent this form too many times in a short while. Nothing was lost: what you "
            "typed is still below. Please wait a while and send it again."
        ),
    )
    return _render_clinic_form(request, clinic, form, status=429)


def _render_clinic_form(request, clinic, form, status: int = 200):
    context = {
        "clinic": clinic,
        "agreement": selectors.current_agreement(clinic),
        "form": form,
        "activity": get_declaration().activities[services.CLINIC_ENQUIRY_ACTIVITY],
        # Wekst's role for the clinic (GDPR Art. 28); the clinic's own basis and retention come
        # from its agreement, never Wekst's enquiries rule.
        "article": cite(28),
        "notice_id": CLINIC_NOTICE_ID,
        "honeypot_field": HONEYPOT_FIELD,
    }
    return render(request, "clinics/clinic_contact.html", context, status=status)


# The records as processor are the privacy officer's (staff.roles), not every staff member's.
RECORDS_PERMISSION = "clinics.view_clinicagreement"


def _require(request, *permissions: str) -> None:
    if not any(request.user.has_perm(permission) for permission in permissions):
        raise PermissionDenied


@require_safe
@staff_member_required
def records_as_processor(request):
    _require(request, RECORDS_PERMISSION)
    return render(
        request,
        "clinics/records_as_processor.html",
        {
            **admin.site.each_context(request),
            "declaration": get_declaration(),
            "columns": COLUMNS,
            "records": build_processor_records(get_language()),
        },
    )


@require_safe
@staff_member_required
def records_as_processor_csv(request):
    _require(request, RECORDS_PERMISSION)
    response = HttpResponse(
        processor_records_as_csv(get_language()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        'attachment; filename="records-of-processing-as-processor.csv"'
    )
    return response
