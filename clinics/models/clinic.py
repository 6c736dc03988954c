"""The clinics Wekst works for as their processor: clinics, their contacts, engagements and
agreements, and the accounting records about them (policy §2, §7; GDPR Art. 28, 30(2)).

Moved from processors/ (issue 17): each model keeps its table (`db_table`), so no data moved.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from declaration.citations import cite
from declaration.schema import LEGAL_BASES
from processors.models import Recipient
from processors.storage import private_documents
from subjects.legal_duty import KeptUnderLegalDuty

# The tables keep the names they had in processors/ (issue 17 moved the models, not the data).


class Clinic(models.Model):
    """A client: a clinic that is the controller of the data Wekst processes for it (policy §2).

    Its leads (collected on its behalf through its own form) are kept apart from Wekst's own and
    follow the clinic's instructions, not Wekst's purposes (GDPR Art. 28(3)(a), 29; PRO-03).
    """

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="In the address of the clinic's form."
    )
    org_number = models.CharField("organisation number", max_length=32, blank=True)
    address = models.CharField(max_length=300, blank=True)
    email = models.EmailField(
        "privacy contact", blank=True, help_text="Where requests about the clinic's data go."
    )
    representative = models.CharField(
        "data protection officer or representative",
        max_length=300,
        blank=True,
        help_text="Name and contact, when the clinic has one (Art. 30(2)(a)).",
    )
    # Who in Wekst may see the data processed for this clinic: only staff who need it for the
    # clinic's work (GDPR Art. 29, 32(4); CL-02). Read through selectors.clinics_visible_to.
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_clinics",
        verbose_name="staff assigned to this clinic",
        help_text="Only these staff see the clinic's leads and meetings (besides administrators "
        "and the privacy officer).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "processors_clinic"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClinicContact(models.Model):
    """A person at a clinic we work with: a client representative (client records, policy §7).

    Linked to the subject index, so that the person's leads count as a client's (kept while the
    engagement runs) and access and erasure requests find this record.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="contacts")
    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.CASCADE, related_name="clinic_contacts"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=32, blank=True)
    role = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "processors_cliniccontact"
        ordering = ["clinic", "name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "subject"], name="one_contact_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.clinic})"


class Engagement(models.Model):
    """A period of work for a clinic. Client records are kept for its duration and the declared
    period after its end (retention rule client_engagement)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="engagements")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Empty while it runs.")
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "processors_engagement"
        ordering = ["clinic", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="engagement_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinic}: {self.starts_on} - {self.ends_on or '…'}"

    def is_current(self, on: datetime.date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


# The clinic's own Art. 6(1) basis, in the clinic's voice (its notice names it as the controller's
# basis, never Wekst's; CL-01). One label per basis the declaration knows.
_BASIS_LABELS = {
    "consent": _("your consent"),
    "contract": _("a contract with you, or steps you ask for before entering into one"),
    "legal_obligation": _("a legal obligation the clinic is subject to"),
    "vital_interests": _("protecting someone's vital interests"),
    "public_task": _("a task carried out in the public interest"),
    "legitimate_interests": _("the clinic's legitimate interests"),
}
LEGAL_BASIS_CHOICES = [(basis, _BASIS_LABELS[basis]) for basis in LEGAL_BASES]


# The terms every processor's contract must hold (GDPR Art. 28(3)(a)-(h)).
ARTICLE_28_TERMS = (
    ("a", _("(a) processes only on the clinic's documented instructions, transfers included")),
    ("b", _("(b) the people who process the data are bound to confidentiality")),
    ("c", _("(c) the security measures of Art. 32")),
    ("d", _("(d) the conditions for engaging sub-processors (Art. 28(2), (4))")),
    ("e", _("(e) helps the clinic answer requests from data subjects")),
    ("f", _("(f) helps the clinic with Art. 32-36 (security, breaches, DPIA)")),
    ("g", _("(g) deletes or returns all the data at the end, at the clinic's choice")),
    ("h", _("(h) makes information available and allows audits")),
)
_TERM_LABELS = dict(ARTICLE_28_TERMS)


def _clause(letter: str) -> models.CharField:
    return models.CharField(
        f"Art. 28(3)({letter}): clause",
        max_length=100,
        blank=True,
        help_text=_TERM_LABELS[letter],
    )


class SubProcessorAuthorisation(models.TextChoices):
    SPECIFIC = "specific", _("Specific: each sub-processor authorised by the clinic in advance")
    GENERAL = "general", _("General: each change notified, with time to object")


class ClinicAgreement(models.Model):
    """The clinic's data processing agreement with Wekst as its processor (GDPR Art. 28(3), (9)).

    Holds the clinic's documented instructions: on which platforms, which data, for which purposes,
    kept for how long. Without a current agreement no work is done for the clinic (its form is
    unavailable; CL-01).
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="agreements")
    signed_on = models.DateField()
    ends_on = models.DateField(
        null=True, blank=True, help_text="When the agreement ended or ends; empty while in force."
    )
    document = models.FileField(
        storage=private_documents, upload_to="clinics/agreements/", help_text="The signed DPA."
    )
    # Art. 28(3)(a)-(h), term by term: the clause of the signed document that holds each (CL-01,
    # PT-03). An agreement missing any term is not current, and no work is done under it.
    clause_a = _clause("a")
    clause_b = _clause("b")
    clause_c = _clause("c")
    clause_d = _clause("d")
    clause_e = _clause("e")
    clause_f = _clause("f")
    clause_g = _clause("g")
    clause_h = _clause("h")
    sub_processor_authorisation = models.CharField(
        "authorisation of sub-processors",
        max_length=8,
        choices=SubProcessorAuthorisation.choices,
        default=SubProcessorAuthorisation.SPECIFIC,
        help_text="Art. 28(2): whether the clinic authorised each sub-processor specifically, or "
        "in general with notice of each change and time to object.",
    )
    platforms = models.TextField(help_text="Instructions: the platforms and tools to use.")
    data_categories = models.TextField(help_text="Instructions: the personal data processed.")
    purposes = models.TextField(help_text="Instructions: what the data is processed for.")
    legal_basis = models.CharField(
        "the clinic's legal basis",
        max_length=32,
        choices=LEGAL_BASIS_CHOICES,
        blank=True,
        help_text="Instructions: the clinic's own basis under GDPR Art. 6(1) for the processing, "
        "as the clinic states it; shown to people on the clinic's enquiry form.",
    )
    retention_months = models.PositiveSmallIntegerField(
        help_text="Instructions: months after the last contact that data collected for the "
        "clinic is kept (it is deleted sooner when the engagement ends)."
    )
    sub_processors = models.ManyToManyField(
        Recipient,
        verbose_name="sub-processors",
        blank=True,
        related_name="clinic_agreements",
        help_text="Sub-processors the clinic authorised in the agreement itself (Art. 28(2)); "
        "changes later are recorded as sub-processor changes.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "processors_clinicagreement"
        ordering = ["clinic", "-signed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(retention_months__gte=1), name="agreement_retention_at_least_a_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinic}: agreement of {self.signed_on}"

    @property
    def legal_basis_article(self):
        """The clinic's basis as an article of the GDPR ("Art. 6(1)(a)"); None when not recorded."""
        return cite(6, 1, LEGAL_BASES[self.legal_basis]) if self.legal_basis else None

    def missing_article_28_terms(self) -> list[str]:
        """The letters of the Art. 28(3) terms with no clause recorded ("a" … "h")."""
        return [
            letter for letter, _label in ARTICLE_28_TERMS if not getattr(self, f"clause_{letter}")
        ]

    @property
    def covers_article_28_terms(self) -> bool:
        return not self.missing_article_28_terms()

    def is_current(self, on: datetime.date) -> bool:
        return (
            self.signed_on <= on
            and (self.ends_on is None or self.ends_on >= on)
            and self.covers_article_28_terms
            and bool(self.document)
        )


# Accounting material (bokføringsloven § 13) --------------------------------------------------


def last_day_of_year(on: datetime.date) -> datetime.date:
    return datetime.date(on.year, 12, 31)


class AccountingRecord(models.Model):
    """Accounting material about a client (bokføringsloven § 13; policy §7; checklist RT-03).

    Its clock counts from the end of the accounting year, not from the engagement: primary
    documentation is kept 5 years, secondary 3.5 years, then deleted by the retention sweep. An
    erasure request does not remove it before then (GDPR Art. 17(3)(b)): erase_subject keeps it
    and says why (`kept_under_legal_duty`).
    """

    clinic = models.ForeignKey(
        Clinic, null=True, blank=True, on_delete=models.PROTECT, related_name="%(class)ss"
    )
    subject = models.ForeignKey(
        "subjects.Subject",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(class)ss",
        help_text="The person the record names, if any.",
    )
    reference = models.CharField(max_length=100, help_text="E.g. the invoice number.")
    description = models.CharField(max_length=300, blank=True)
    document_date = models.DateField()
    accounting_year_end = models.DateField(
        help_text="The last day of the accounting year the record belongs to (usually 31 "
        "December): the retention period counts from the end of that day."
    )
    document = models.FileField(storage=private_documents, upload_to="accounting/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-document_date"]

    def __str__(self) -> str:
        return f"{self.reference} ({self.document_date})"

    def clean(self) -> None:
        dates = (self.document_date, self.accounting_year_end)
        if all(dates) and self.accounting_year_end < self.document_date:
            raise ValidationError(
                {"accounting_year_end": _("The accounting year ends before the document.")}
            )


def _end_of_accounting_year(record: AccountingRecord) -> datetime.datetime:
    day_after = record.accounting_year_end + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day_after, datetime.time()))


class PrimaryAccountingRecord(AccountingRecord):
    """Primary documentation (bfl. § 13 first paragraph no. 1-4): annual accounts, ledgers,
    documentation of booked entries such as invoices. Kept 5 years from the end of the year."""

    kept_under_legal_duty = KeptUnderLegalDuty(
        law="bokføringsloven § 13",
        reason=_(
            "Primary accounting documentation (such as invoices) must be kept for 5 years from "
            "the end of the accounting year."
        ),
        retention_rule="accounting_primary",
        counts_from=_end_of_accounting_year,
    )

    class Meta(AccountingRecord.Meta):
        db_table = "processors_primaryaccountingrecord"
        verbose_name = "primary accounting record"


class SecondaryAccountingRecord(AccountingRecord):
    """Secondary documentation (bfl. § 13 second paragraph): agreements of importance and
    correspondence that supplements the books. Kept 3.5 years from the end of the year."""

    kept_under_legal_duty = KeptUnderLegalDuty(
        law="bokføringsloven § 13",
        reason=_(
            "Secondary accounting documentation (such as agreements) must be kept for 3 years "
            "and 6 months from the end of the accounting year."
        ),
        retention_rule="accounting_secondary",
        counts_from=_end_of_accounting_year,
    )

    class Meta(AccountingRecord.Meta):
        db_table = "processors_secondaryaccountingrecord"
        verbose_name = "secondary accounting record"
