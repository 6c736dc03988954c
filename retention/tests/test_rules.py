"""Each retention rule erases what it governs when its period ends, and not a minute before
(RET-01; checklist RT-02..RT-06). The clock is moved with time-machine."""

import datetime

import pytest
from django.core.files.base import ContentFile

from clinics.models import (
    ClinicContact,
    Engagement,
    PrimaryAccountingRecord,
    SecondaryAccountingRecord,
)
from clinics.services import submit_clinic_enquiry
from clinics.tests.factories import make_accounting_record, make_clinic, make_contact
from consent.models import ConsentDecision
from consent.tests.factories import make_decision
from leads.meetings import record_booking
from leads.models import Lead, Meeting
from leads.services import tell_staff
from leads.tests.factories import make_lead
from mail.models import OutgoingEmail
from mail.services import queue_email
from newsletter.models import Subscription, Suppression
from newsletter.services import unsubscribe
from newsletter.tests.factories import confirmed_subscription, unconfirmed_subscription
from retention.models import LegalHold
from retention.registry import Elsewhere, entries_for
from retention.services import lift_legal_hold, place_legal_hold
from retention.tests.helpers import START, at, count_for, oslo, sweep_at
from subjects.models import Subject

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)
# 24 months after START (2024-01-05 09:00 UTC).
TWO_YEARS_ON = START.replace(year=2026)


# Leads (policy §7: 24 months after last contact) ------------------------------------------------


def test_ret_01_a_lead_is_erased_24_months_after_last_contact_and_not_before():
    with at(START):
        lead = make_lead()

    sweep_at(TWO_YEARS_ON - MINUTE)
    assert Lead.objects.filter(pk=lead.pk).exists()

    run = sweep_at(TWO_YEARS_ON)
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert count_for(run, "lead_after_last_contact").erased == 1


def test_ret_01_a_meeting_goes_with_its_lead_and_is_counted_as_linked():
    with at(START):
        meeting = record_booking(
            provider="calcom",
            status="booked",
            booking_id="b-1",
            name="Kari Nordmann",
            email="kari@klinikk.example",
            starts_at=START + DAY,
            ends_at=START + DAY,
            occurred_at=START,
        )

    run = sweep_at(TWO_YEARS_ON)

    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert count_for(run, "lead_after_last_contact").cascaded == {"leads.Meeting": 1}


def test_ret_01_new_two_way_contact_restarts_the_clock():
    with at(START):
        first = make_lead(email="kari@klinikk.example")
    later = START + datetime.timedelta(days=400)
    with at(later):
        make_lead(email="kari@klinikk.example", message="Still interested")

    sweep_at(TWO_YEARS_ON)
    assert Lead.objects.filter(pk=first.pk).exists()

    sweep_at(later.replace(year=later.year + 2))
    assert not Lead.objects.exists()


def test_ret_01_a_lead_who_became_a_client_is_kept_until_the_client_rules_end():
    with at(START):
        lead = make_lead(email="kari@tannlege-nord.example")
        clinic = make_clinic(engaged_from=datetime.date(2024, 1, 1))
        contact = make_contact(clinic, email="kari@tannlege-nord.example")

    run = sweep_at(TWO_YEARS_ON)
    assert Lead.objects.filter(pk=lead.pk).exists()
    assert count_for(run, "lead_after_last_contact").kept["client"] == 1

    # The engagement ends; client records are kept for the declared 12 months after its end.
    Engagement.objects.filter(clinic=clinic).update(ends_on=datetime.date(2026, 3, 31))
    sweep_at(oslo(2027, 3, 31, 23, 30))
    assert ClinicContact.objects.filter(pk=contact.pk).exists()
    assert Lead.objects.filter(pk=lead.pk).exists()

    run = sweep_at(oslo(2027, 4, 1, 0, 30))
    assert not ClinicContact.objects.filter(pk=contact.pk).exists()
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert count_for(run, "client_engagement").erased == 1


# Exceptions that stop every rule -----------------------------------------------------------------


def test_ret_01_a_legal_hold_stops_the_sweep_for_its_subject_until_lifted():
    with at(START):
        held = make_lead(email="held@klinikk.example")
        other = make_lead(email="other@klinikk.example")
        for lead in (held, other):  # as the worker does next
            tell_staff(lead_id=lead.pk)
    hold = place_legal_hold(subject=held.subject, reason="Invoice dispute, case 2026-14", user=None)

    run = sweep_at(TWO_YEARS_ON)

    assert Lead.objects.filter(pk=held.pk).exists()
    assert not Lead.objects.filter(pk=other.pk).exists()
    count = count_for(run, "lead_after_last_contact")
    assert count.kept["legal_hold"] == 1
    assert count.legal_holds == [str(hold.public_id)]
    # The staff notification about the held lead is kept too; the other person's is gone.
    assert set(OutgoingEmail.objects.values_list("subject_id", flat=True)) == {held.subject_id}

    lift_legal_hold(hold=hold, user=None)
    sweep_at(TWO_YEARS_ON + DAY)
    assert not Lead.objects.filter(pk=held.pk).exists()


def test_ret_01_a_hold_placed_while_the_sweep_runs_is_respected_by_the_next_batch(monkeypatch):
    with at(START):
        leads = [make_lead(email=f"person{i}@klinikk.example") for i in range(3)]
    last = leads[-1]
    from retention import services

    real = services._erase_batch

    def place_hold_after_first_batch(**kwargs):
        erased = real(**kwargs)
        if not LegalHold.objects.exists():
            place_legal_hold(subject=last.subject, reason="Order from the police", user=None)
        return erased

    monkeypatch.setattr(services, "_erase_batch", place_hold_after_first_batch)

    sweep_at(TWO_YEARS_ON, batch_size=1)

    assert list(Lead.objects.values_list("pk", flat=True)) == [last.pk]


def test_ret_01_an_open_privacy_request_stops_the_sweep(monkeypatch):
    with at(START):
        asking = make_lead(email="asking@klinikk.example")
        other = make_lead(email="other@klinikk.example")
    monkeypatch.setattr("retention.selectors.open_request_subject_ids", lambda: [asking.subject_id])

    run = sweep_at(TWO_YEARS_ON)

    assert Lead.objects.filter(pk=asking.pk).exists()
    assert not Lead.objects.filter(pk=other.pk).exists()
    assert count_for(run, "lead_after_last_contact").kept["open_request"] == 1
    assert Subject.objects.filter(pk=asking.subject_id).exists()


# Newsletter (until unsubscribe; unconfirmed sign-ups 7 days) ----------------------------------


def test_ret_01_an_unconfirmed_signup_is_erased_after_7_days():
    with at(START):
        pending = unconfirmed_subscription("pending@example.no")
        confirmed = confirmed_subscription("confirmed@example.no")

    sweep_at(START + 7 * DAY - MINUTE)
    assert Subscription.objects.filter(pk=pending.pk).exists()

    run = sweep_at(START + 7 * DAY)
    assert list(Subscription.objects.values_list("pk", flat=True)) == [confirmed.pk]
    assert count_for(run, "unconfirmed_signup").erased == 1


def test_ret_01_newsletter_data_ends_at_unsubscribe_leaving_a_suppression_without_the_address():
    subscription = confirmed_subscription("kari@example.no")

    assert unsubscribe(token=subscription.unsubscribe_token)

    assert not Subscription.objects.exists()
    [suppression] = Suppression.objects.all()
    assert "kari" not in suppression.address_digest
    assert "example" not in suppression.address_digest
    # The registry records that the newsletter, not the sweep, keeps this rule.
    [entry] = entries_for("until_unsubscribe")
    assert isinstance(entry, Elsewhere)
    assert "unsubscribe" in str(entry.where)


# Consent log, email copies ----------------------------------------------------------------------


def test_ret_01_consent_log_entries_are_erased_after_their_declared_36_months():
    with at(START):
        old = make_decision()
    with at(START + 400 * DAY):
        recent = make_decision()

    sweep_at(START.replace(year=2027) - MINUTE)
    assert ConsentDecision.objects.filter(pk=old.pk).exists()

    run = sweep_at(START.replace(year=2027))
    assert list(ConsentDecision.objects.values_list("pk", flat=True)) == [recent.pk]
    assert count_for(run, "consent_log").erased == 1


def test_ret_01_email_copies_are_erased_30_days_after_sending_and_undelivered_ones_given_up():
    def email(label: str) -> OutgoingEmail:
        return queue_email(to="x@example.no", subject_line=label, body=label, purpose="enquiries")

    with at(START):
        sent_early = email("sent early")
        email("never sent")
        OutgoingEmail.objects.filter(pk=sent_early.pk).update(status="sent", sent_at=START)
        sent_late = email("sent late")
    OutgoingEmail.objects.filter(pk=sent_late.pk).update(status="sent", sent_at=START + 20 * DAY)

    run = sweep_at(START + 30 * DAY)

    assert list(OutgoingEmail.objects.values_list("subject_line", flat=True)) == ["sent late"]
    assert count_for(run, "email_copy").erased == 2


# Accounting material: from the END of the accounting year (bokføringsloven § 13) ----------------


def test_ret_01_primary_accounting_records_are_kept_5_years_from_the_end_of_the_accounting_year():
    record = make_accounting_record("primary", year_end=datetime.date(2020, 12, 31))

    # Five years after the invoice itself (1 Feb 2020) is not enough: the year ended 31 Dec.
    sweep_at(oslo(2025, 2, 2, 12, 0))
    sweep_at(oslo(2025, 12, 31, 23, 59))
    assert PrimaryAccountingRecord.objects.filter(pk=record.pk).exists()

    run = sweep_at(oslo(2026, 1, 1, 0, 0))
    assert not PrimaryAccountingRecord.objects.filter(pk=record.pk).exists()
    assert count_for(run, "accounting_primary").erased == 1


def test_ret_01_secondary_accounting_records_are_kept_3_5_years_from_the_end_of_the_year():
    record = make_accounting_record("secondary", year_end=datetime.date(2020, 12, 31))

    sweep_at(oslo(2024, 6, 30, 23, 59))
    assert SecondaryAccountingRecord.objects.filter(pk=record.pk).exists()

    run = sweep_at(oslo(2024, 7, 1, 0, 0))
    assert not SecondaryAccountingRecord.objects.filter(pk=record.pk).exists()
    assert count_for(run, "accounting_secondary").erased == 1


def test_ret_01_a_client_lapsing_does_not_shorten_its_accounting_records():
    with at(START):
        clinic = make_clinic(engaged_from=datetime.date(2023, 1, 1))
        contact = make_contact(clinic)
    Engagement.objects.filter(clinic=clinic).update(ends_on=datetime.date(2023, 6, 30))
    record = make_accounting_record(
        "primary", year_end=datetime.date(2023, 12, 31), clinic=clinic, subject=contact.subject
    )

    sweep_at(oslo(2026, 1, 1, 12, 0))

    assert not ClinicContact.objects.exists()
    assert PrimaryAccountingRecord.objects.filter(pk=record.pk).exists()
    # The record still names the person, so their index entry stays until the record goes.
    assert Subject.objects.filter(pk=contact.subject_id).exists()

    sweep_at(oslo(2029, 1, 1, 12, 0))
    assert not PrimaryAccountingRecord.objects.exists()
    assert not Subject.objects.filter(pk=contact.subject_id).exists()


# Clinics' data (Wekst as processor) ---------------------------------------------------------------


def test_ret_01_leads_collected_for_a_clinic_follow_the_clinics_instructions():
    clinic = make_clinic(engaged_from=datetime.date(2024, 1, 1), retention_months=6)
    clinic.agreements.update(signed_on=datetime.date(2024, 1, 1))
    with at(START):
        lead, _created = submit_clinic_enquiry(
            clinic=clinic, name="Per Pasient", email="per@example.no", language="nb"
        )
        wekst_lead = make_lead(email="per@example.no")

    six_months_on = START.replace(month=7)
    sweep_at(six_months_on - MINUTE)
    assert Lead.objects.filter(pk=lead.pk).exists()

    run = sweep_at(six_months_on)
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert Lead.objects.filter(pk=wekst_lead.pk).exists()
    assert count_for(run, "clinic_instructions").erased == 1


def test_ret_01_a_clinics_data_goes_at_the_latest_3_months_after_the_engagement_ends():
    clinic = make_clinic(engaged_from=datetime.date(2024, 1, 1), retention_months=60)
    clinic.agreements.update(signed_on=datetime.date(2024, 1, 1))
    with at(START):
        lead, _created = submit_clinic_enquiry(
            clinic=clinic, name="Per Pasient", email="per@example.no", language="nb"
        )
    Engagement.objects.filter(clinic=clinic).update(ends_on=datetime.date(2024, 3, 31))

    sweep_at(oslo(2024, 6, 30, 23, 0))
    assert Lead.objects.filter(pk=lead.pk).exists()

    sweep_at(oslo(2024, 7, 1, 1, 0))
    assert not Lead.objects.filter(pk=lead.pk).exists()


# The subject index, comments, lifted holds ------------------------------------------------------


def test_ret_01_a_person_with_no_record_left_leaves_the_subject_index():
    with at(START):
        gone = make_lead(email="gone@klinikk.example")
    with at(START + 300 * DAY):
        kept = make_lead(email="kept@klinikk.example")

    run = sweep_at(TWO_YEARS_ON)

    assert not Subject.objects.filter(pk=gone.subject_id).exists()
    assert Subject.objects.filter(pk=kept.subject_id).exists()
    assert count_for(run, "subject_without_records").erased == 1


def test_ret_01_a_breach_notice_kept_after_erasure_goes_after_5_years():
    from breaches.models import Breach, BreachNotice
    from breaches.services import add_affected_subjects, send_breach_notices
    from breaches.tests.factories import make_breach
    from rights.services import erase_subject

    with at(START):
        breach = make_breach(risk=Breach.Risk.HIGH, risk_reasoning="Contact details exposed.")
        kari = make_lead(email="kari@klinikk.example").subject
        add_affected_subjects(breach=breach, subjects=[kari])
        send_breach_notices(breach_id=breach.pk, actor="privacy-officer")
        erase_subject(subject=kari, actor="admin", reason="asked to be erased")

    sweep_at(START.replace(year=2028))
    assert BreachNotice.objects.filter(subject=kari).exists()
    assert Subject.objects.filter(pk=kari.pk).exists()

    run = sweep_at(START.replace(year=2029) + DAY)

    assert not BreachNotice.objects.exists()
    assert run.counts.get(rule="audit_record", model="breaches.BreachNotice").erased == 1
    # The register entry stays, and with it the random id of a person it affected.
    assert list(Breach.objects.get(pk=breach.pk).affected_subjects.all()) == [
        Subject.objects.get(pk=kari.pk, email=None)
    ]


def test_ret_01_comments_stay_but_their_ip_address_and_user_agent_go_after_30_days():
    from content.models import Article, Comment

    article = Article.objects.create(title="Growth", slug="growth", body="Text")
    with at(START):
        comment = Comment.objects.create(
            article=article,
            name="Kari",
            text="Nice article",
            ip_address="192.0.2.0",
            user_agent="Mozilla/5.0 (X11; Linux x86_64)",
            policy_version="2026.2",
            language="en",
        )

    sweep_at(START + 30 * DAY - MINUTE)
    comment.refresh_from_db()
    assert comment.ip_address == "192.0.2.0"

    run = sweep_at(START + 30 * DAY)
    comment.refresh_from_db()
    assert (comment.text, comment.ip_address, comment.user_agent) == ("Nice article", "", "")
    assert count_for(run, "comment_metadata").erased == 1
    # Cleared once: the next run finds nothing left to clear.
    assert count_for(sweep_at(START + 31 * DAY), "comment_metadata").erased == 0


def test_ret_01_a_lifted_legal_hold_is_kept_5_years_as_a_record_then_erased():
    with at(START):
        lead = make_lead()
        hold = place_legal_hold(subject=lead.subject, reason="Dispute", user=None)
        lift_legal_hold(hold=hold, user=None)

    sweep_at(START.replace(year=2029) - MINUTE)
    assert LegalHold.objects.filter(pk=hold.pk).exists()

    sweep_at(START.replace(year=2029))
    assert not LegalHold.objects.exists()
    assert not Subject.objects.exists()


def test_ret_01_a_document_on_file_does_not_stop_a_records_erasure(tmp_path):
    record = make_accounting_record("secondary", year_end=datetime.date(2019, 12, 31))
    record.document.save("voucher.pdf", ContentFile(b"%PDF-1.4"), save=True)

    sweep_at(oslo(2024, 1, 1, 12, 0))

    assert not SecondaryAccountingRecord.objects.exists()


def test_ret_01_a_person_who_gets_a_new_record_during_the_sweep_stays_in_the_index(monkeypatch):
    with at(START):
        lead = make_lead(email="back@klinikk.example")
    from retention import services

    real = services._erase_batch

    def a_new_email_arrives_first(**kwargs):
        if kwargs["sweep"].model == "subjects.Subject":
            queue_email(
                to="back@klinikk.example",
                subject_line="Hello again",
                body="Hello",
                purpose="enquiries",
                subject=Subject.objects.get(pk=lead.subject_id),
            )
        return real(**kwargs)

    monkeypatch.setattr(services, "_erase_batch", a_new_email_arrives_first)

    run = sweep_at(TWO_YEARS_ON)

    assert count_for(run, "lead_after_last_contact").erased == 1
    assert Subject.objects.filter(pk=lead.subject_id).exists()
    assert count_for(run, "subject_without_records").erased == 0
