"""Test data for clinics and accounting records, made as staff would make them."""

import datetime

from django.core.files.base import ContentFile

from clinics.models import (
    ARTICLE_28_TERMS,
    Clinic,
    ClinicAgreement,
    Engagement,
    PrimaryAccountingRecord,
    SecondaryAccountingRecord,
)
from clinics.services import add_clinic_contact

# A clause of the signed document for each Art. 28(3) term (CL-01).
ALL_TERMS = {f"clause_{letter}": f"§ {n}" for n, (letter, _label) in enumerate(ARTICLE_28_TERMS, 3)}


def make_clinic(
    slug: str = "tannlege-nord",
    *,
    name: str = "Tannlege Nord AS",
    engaged_from: datetime.date | None = datetime.date(2026, 1, 1),
    engaged_until: datetime.date | None = None,
    agreement_signed_on: datetime.date | None = datetime.date(2026, 1, 1),
    agreement_ends_on: datetime.date | None = None,
    retention_months: int = 12,
    covers_article_28_terms: bool = True,
    legal_basis: str = "",
) -> Clinic:
    clinic = Clinic.objects.create(
        name=name,
        slug=slug,
        org_number="912 345 678",
        address="Storgata 1, 9008 Tromsø",
        email="personvern@tannlege-nord.example",
        representative="Ola Personvern, ola@tannlege-nord.example",
    )
    if engaged_from is not None:
        Engagement.objects.create(clinic=clinic, starts_on=engaged_from, ends_on=engaged_until)
    if agreement_signed_on is not None:
        agreement = ClinicAgreement(
            clinic=clinic,
            signed_on=agreement_signed_on,
            ends_on=agreement_ends_on,
            **(ALL_TERMS if covers_article_28_terms else {}),
            platforms="Meta Ads, Google Ads",
            data_categories="Name, email address, phone number of people who enquire",
            purposes="Answering enquiries from prospective patients",
            retention_months=retention_months,
            legal_basis=legal_basis,
        )
        agreement.document.save(f"{slug}-dpa.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        agreement.save()
    return clinic


def make_contact(clinic: Clinic, email: str = "kari@tannlege-nord.example"):
    return add_clinic_contact(
        clinic=clinic, name="Kari Nordmann", email=email, phone="", role="Clinic manager"
    )


def make_accounting_record(
    kind: str = "primary",
    *,
    year_end=datetime.date(2020, 12, 31),
    clinic=None,
    subject=None,
    **extra,
):
    model = PrimaryAccountingRecord if kind == "primary" else SecondaryAccountingRecord
    values = {
        "reference": "INV-2020-017",
        "description": "Invoice for campaign work",
        "document_date": year_end.replace(month=2, day=1),
        "accounting_year_end": year_end,
        "clinic": clinic,
        "subject": subject,
    }
    return model.objects.create(**(values | extra))


# The clinic page's inlines of the duties (CL-03, CL-07, CL-08), for posts of the whole page.
DUTY_INLINES = ("sub_processor_changes", "unlawful_instructions", "offboardings")
