"""The clinics' models: the clinics and their agreements (clinic.py), and what Wekst owes them as
processor beyond the agreement (duties.py)."""

from clinics.models.clinic import (
    ARTICLE_28_TERMS,
    LEGAL_BASIS_CHOICES,
    AccountingRecord,
    Clinic,
    ClinicAgreement,
    ClinicContact,
    Engagement,
    PrimaryAccountingRecord,
    SecondaryAccountingRecord,
    SubProcessorAuthorisation,
    last_day_of_year,
)
from clinics.models.duties import Offboarding, SubProcessorChange, UnlawfulInstruction

__all__ = [
    "ARTICLE_28_TERMS",
    "LEGAL_BASIS_CHOICES",
    "AccountingRecord",
    "Clinic",
    "ClinicAgreement",
    "ClinicContact",
    "Engagement",
    "Offboarding",
    "PrimaryAccountingRecord",
    "SecondaryAccountingRecord",
    "SubProcessorAuthorisation",
    "SubProcessorChange",
    "UnlawfulInstruction",
    "last_day_of_year",
]
