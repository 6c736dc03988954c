"""Demo of Wekst's duties as the clinics' processor, and the accounting records about them: a
sub-processor change waiting for the clinic and one it authorised (CL-03), instructions Wekst
warned were unlawful (CL-07), an engagement ended with its data deleted and certified (CL-08).

Clinics' addresses are on .invalid and their patients' on example.com (RFC 2606): nothing the
demo queues can reach anyone.
"""

import datetime

from django.db import models

from audit.admin import subject_ref_of
from audit.services import record_event
from clinics.instructions import record_instruction_outcome, record_unlawful_instruction
from clinics.models import (
    Clinic,
    Offboarding,
    PrimaryAccountingRecord,
    SecondaryAccountingRecord,
    SubProcessorChange,
    UnlawfulInstruction,
)
from clinics.offboarding import delete_clinic_data, issue_deletion_certificate, record_end_choice
from clinics.services import submit_clinic_enquiry
from clinics.sub_processors import propose_sub_processor, record_authorisation
from processors.models import Recipient
from processors.services import sync_register
from rights.models import ProcessorNotice
from rights.services.processor_notices import mark_processor_notice_done
from wekst.demo.registers import CLINICS, make_clinic

ACTOR = "system:demo"
DAY = datetime.timedelta(days=1)
ENDED_CLINIC = ("demo-kiropraktor-vest", "Demo Kiropraktor Vest AS")
ENDED_CHOSEN_BY = "Liv Johansen, daglig leder"
# Patients who enquired through the ended clinic's form: deleted with its data.
CLINIC_PATIENTS = (
    ("Anders Holm", "anders.holm@example.com"),
    ("Nina Strand", "nina.strand@example.com"),
)
TRAFFT_REASON = "Demo: online booking of consultations from the clinic's campaign pages"


def _clinics() -> tuple[Clinic, Clinic]:
    return Clinic.objects.get(slug=CLINICS[0][0]), Clinic.objects.get(slug=CLINICS[1][0])


def load_sub_processor_changes(today: datetime.date) -> None:
    if SubProcessorChange.objects.filter(reason=TRAFFT_REASON).exists():
        return
    nord, sor = _clinics()
    sync_register()  # the sub-processors come from the recipient register
    propose_sub_processor(
        clinic=nord, recipient=Recipient.objects.get(key="trafft"), reason=TRAFFT_REASON,
        actor=ACTOR,
    )  # fmt: skip
    change = propose_sub_processor(
        clinic=sor, recipient=Recipient.objects.get(key="calcom"), actor=ACTOR,
        reason="Demo: booking of first consultations with the clinic's physiotherapists",
    )  # fmt: skip
    record_authorisation(
        change=change, authorised_on=today, actor=ACTOR,
        evidence="Demo: the clinic manager's reply to the notice, filed with the agreement",
    )  # fmt: skip


def load_unlawful_instructions(today: datetime.date) -> None:
    """One the clinic amended after Wekst's notice, one still waiting for its answer."""
    if UnlawfulInstruction.objects.exists():
        return
    nord, sor = _clinics()
    amended = record_unlawful_instruction(
        clinic=sor, received_on=today - 12 * DAY, notified_on=today - 11 * DAY,
        notified_how=UnlawfulInstruction.Channel.EMAIL,
        instruction="Demo: upload the clinic's whole patient list to Meta Ads to find people like "
        "them.",
        why_unlawful="Health data (GDPR Art. 9(1)): most patients gave no explicit consent "
        "(Art. 9(2)(a)), and the agreement names Google Ads only (Art. 28(3)(a)).",
        notice_text="Demo: we will not carry out this instruction as given: it would process "
        "health data without a condition of Art. 9(2). We can use the patients who gave explicit "
        "consent, on Google Ads, as the agreement says.",
        actor=ACTOR,
    )  # fmt: skip
    record_instruction_outcome(
        record=amended, outcome=UnlawfulInstruction.Outcome.AMENDED, outcome_on=today - 6 * DAY,
        note="Demo: the clinic now sends only patients who consented on form v3.", actor=ACTOR,
    )  # fmt: skip
    record_unlawful_instruction(
        clinic=nord, received_on=today - 2 * DAY, notified_on=today - DAY,
        notified_how=UnlawfulInstruction.Channel.MEETING,
        instruction="Demo: keep every lead for five years, for later campaigns.",
        why_unlawful="Storage limitation (Art. 5(1)(e)): the agreement's instructions keep leads "
        "12 months, and the people were told so.",
        notice_text="Demo: as said in today's meeting, we keep leads for the 12 months your "
        "instructions set; a longer period needs new instructions and a new notice to the people.",
        actor=ACTOR,
    )  # fmt: skip


def load_ended_engagement(today: datetime.date) -> None:
    """A clinic that left: its leads collected while the engagement ran, the end recorded, its
    choice of deletion, the deletion here and at the processors, and the certificate."""
    slug, name = ENDED_CLINIC
    if Clinic.objects.filter(slug=slug).exists():
        return
    clinic = make_clinic(
        slug=slug, name=name, basis="consent", since=today - 400 * DAY, ends_on=None
    )
    for patient, email in CLINIC_PATIENTS:
        submit_clinic_enquiry(
            clinic=clinic, name=patient, email=email, language="nb",
            message="Demo: I would like an appointment for back pain.",
        )  # fmt: skip
    # Staff record the end on the clinic's page: the engagement and its agreement end together.
    clinic.engagements.update(ends_on=today - DAY)
    clinic.agreements.update(ends_on=today - DAY)
    _audit_saved(clinic, action="change")
    offboarding = record_end_choice(
        clinic=clinic, choice=Offboarding.Choice.DELETION, chosen_on=today - DAY,
        instructed_by=ENDED_CHOSEN_BY, actor=ACTOR,
    )  # fmt: skip
    offboarding = delete_clinic_data(offboarding=offboarding, actor=ACTOR)
    # A demo reaches no processor (and must not, were an API key set): staff confirm each erasure
    # in the processor's own interface, which is what the certificate waits for; the worker then
    # finds the notices done and sends nothing.
    notices = ProcessorNotice.objects.filter(public_id__in=offboarding.processor_notices)
    for notice in notices:
        mark_processor_notice_done(job_id=notice.pk, actor=ACTOR)
    issue_deletion_certificate(offboarding=offboarding, signer=ACTOR)


def load_accounting_records(today: datetime.date) -> None:
    """Invoices (primary) and the signed agreements (secondary), entered as staff do in the back
    office: the retention sweep erases each at the end of its bokføringsloven period."""
    if PrimaryAccountingRecord.objects.exists():
        return
    nord, sor = _clinics()
    for clinic, days_ago, number in ((nord, 20, "0142"), (sor, 50, "0117")):
        issued = today - days_ago * DAY
        _saved_in_back_office(
            PrimaryAccountingRecord(
                clinic=clinic,
                reference=f"Invoice {issued.year}-{number}",
                description="Demo: ad management and monthly reporting",
                document_date=issued,
                accounting_year_end=datetime.date(issued.year, 12, 31),
            )
        )
    for clinic in (nord, sor):
        agreement = clinic.agreements.get()
        signed = agreement.signed_on
        _saved_in_back_office(
            SecondaryAccountingRecord(
                clinic=clinic,
                reference=f"Processing agreement {signed:%Y-%m-%d}",
                description="Demo: the signed data processing agreement and its price terms",
                document_date=signed,
                accounting_year_end=datetime.date(signed.year, 12, 31),
            )
        )


def _saved_in_back_office(record: models.Model) -> None:
    """What the back office does with a record staff add: checked, saved, audited."""
    record.full_clean()
    record.save()
    _audit_saved(record, action="create")


def _audit_saved(record: models.Model, *, action: str) -> None:
    record_event(
        actor=ACTOR, action=action, object_type=record._meta.label, object_id=record.pk,
        subject_ref=subject_ref_of(record), reason="saved in the back office",
    )  # fmt: skip
