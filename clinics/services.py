"""Recording clinics' contacts and the enquiries collected on a clinic's behalf (PRO-03; CL-02)."""

from django.db import transaction

from clinics.models import Clinic, ClinicContact
from clinics.selectors import get_clinic_accepting_work
from leads.models import Lead
from leads.services import submit_enquiry
from subjects.services import get_or_create_subject


def add_clinic_contact(
    *, clinic: Clinic, name: str, email: str, phone: str = "", role: str = ""
) -> ClinicContact:
    """Record a person at a client clinic, linked to the subject index (client records, §7).

    From then on the person is a client: their leads follow the client rules, not the 24 months
    of a lead (retention rule lead_after_last_contact).
    """
    with transaction.atomic():
        subject, _new = get_or_create_subject(email=email, phone=phone, lock=True)
        contact, _ = ClinicContact.objects.update_or_create(
            clinic=clinic,
            subject=subject,
            defaults={"name": name.strip(), "email": email.strip(), "phone": phone, "role": role},
        )
    return contact


def submit_clinic_enquiry(
    *,
    clinic: Clinic,
    name: str,
    email: str,
    phone: str = "",
    company: str = "",
    role: str = "",
    message: str = "",
    language: str,
) -> tuple[Lead, bool]:
    """Store an enquiry collected on a clinic's behalf, with the clinic as its controller.

    Wekst is the clinic's processor here (GDPR Art. 28): the lead carries the clinic, is kept
    apart from Wekst's own leads, moves "last contact" only on the clinic's leads, starts no
    marketing of Wekst's and follows the clinic's retention instructions (PRO-03; CL-02). Refused
    (Http404) for a clinic without a current agreement and engagement. Returns (lead, created);
    the same content again within the duplicate window is not stored twice.
    """
    with transaction.atomic():
        clinic = get_clinic_accepting_work(slug=clinic.slug)
        return submit_enquiry(
            kind=Lead.Kind.CONTACT,
            name=name,
            email=email,
            phone=phone,
            company=company,
            role=role,
            message=message,
            source=f"clinic_form:{clinic.slug}"[:64],
            language=language,
            clinic=clinic,
        )
