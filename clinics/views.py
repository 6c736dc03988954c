"""Pages of the clinics: a clinic's public enquiry form, and for staff the records of processing
as processor (Art. 30(2))."""

from functools import partial

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from audit.services import actor_of, record_event
from clinics import selectors, services
from clinics.forms import ClinicEnquiryForm
from clinics.models import Clinic, Offboarding
from clinics.records import COLUMNS, build_processor_records, processor_records_as_csv
from declaration.citations import cite
from declaration.selectors import get_declaration
from leads.models import Lead
from leads.views import FormPage, form_page

# The clinic form's Art. 13 notice (the clinic's facts, Wekst as its processor).
CLINIC_NOTICE_ID = "clinic-notice"


@require_http_methods(["GET", "HEAD", "POST"])
def clinic_contact(request, slug: str):
    """The enquiry form of one clinic: 404 unless work may be done for it (a current agreement
    and a running engagement, CL-01); the clinic is named as the controller (Art. 13(1)(a)).
    One more enquiry form page (leads.views.form_page), with the clinic's form, notice and
    thank-you page, storing the lead on the clinic's behalf."""
    clinic = selectors.get_clinic_accepting_work(slug=slug)
    page = FormPage(
        kind=Lead.Kind.CONTACT,
        form_class=ClinicEnquiryForm,
        template="clinics/clinic_contact.html",
        source=f"clinic_form:{clinic.slug}",
        thanks=reverse("clinics:clinic_contact_thanks", kwargs={"slug": clinic.slug}),
        submit=partial(_submit_clinic_enquiry, clinic),
        context=partial(_clinic_form_context, clinic),
    )
    return form_page(request, page)


def _clinic_form_context(clinic: Clinic) -> dict[str, object]:
    return {
        "clinic": clinic,
        "agreement": selectors.current_agreement(clinic),
        # Wekst's role for the clinic (GDPR Art. 28); the clinic's own basis and retention come
        # from its agreement, never Wekst's enquiries rule.
        "article": cite(28),
        "notice_id": CLINIC_NOTICE_ID,
    }


def _submit_clinic_enquiry(clinic: Clinic, form: ClinicEnquiryForm) -> None:
    data = form.cleaned_data
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


@require_safe
def clinic_contact_thanks(request, slug: str):
    clinic = selectors.get_clinic_accepting_work(slug=slug)
    return render(request, "clinics/clinic_thanks.html", {"clinic": clinic})


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


# The end of an engagement (CL-08): the export to return and the deletion certificate, to staff
# who may see the record; each download is audited.
OFFBOARDING_PERMISSION = "clinics.view_offboarding"


@require_safe
@staff_member_required
def offboarding_export(request, public_id):
    _require(request, OFFBOARDING_PERMISSION)
    record = get_object_or_404(Offboarding, public_id=public_id)
    if not record.export:
        raise Http404
    _audit_download(request, record, "export of the clinic's data (return)")
    return FileResponse(
        record.export.open("rb"),
        as_attachment=True,
        filename=f"{record.clinic.slug}-data.zip",
        content_type="application/zip",
    )


@require_safe
@staff_member_required
def offboarding_certificate(request, public_id):
    _require(request, OFFBOARDING_PERMISSION)
    record = get_object_or_404(Offboarding, public_id=public_id)
    if not record.certificate:
        raise Http404
    _audit_download(request, record, "deletion certificate")
    body = f"{record.certificate}\nSHA-256 of the text above: {record.certificate_sha256}\n"
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{record.clinic.slug}-deletion-certificate.txt"'
    )
    return response


def _audit_download(request, record: Offboarding, what: str) -> None:
    record_event(
        actor=actor_of(request.user),
        action="export",
        object_type="clinics.Offboarding",
        object_id=record.pk,
        reason=f"clinic {record.clinic_id}: {what} downloaded",
    )
