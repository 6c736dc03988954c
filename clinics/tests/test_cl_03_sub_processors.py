"""CL-03 and PT-04: a clinic's sub-processors are listed with its authorisation; a new or
replacing one is notified to the clinic with the last day to object (an email queued with the
change, delivered by the mail queue with its retries) and is not used for the clinic until that
day has passed without objection, or the clinic authorised it; an objection keeps it out."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEntry
from clinics.models import SubProcessorAuthorisation, SubProcessorChange
from clinics.records import COLUMNS, build_processor_records
from clinics.sub_processors import (
    SubProcessorRefused,
    may_use_sub_processor,
    propose_sub_processor,
    record_authorisation,
    record_objection,
    sub_processors_in_use,
)
from clinics.tests.factories import make_clinic
from mail.models import OutgoingEmail
from mail.tasks import deliver_email
from processors.testing import put_on_record

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def clinic():
    today = timezone.localdate()
    clinic = make_clinic(engaged_from=today - 90 * DAY, agreement_signed_on=today - 90 * DAY)
    agreement = clinic.agreements.get()
    agreement.sub_processor_authorisation = SubProcessorAuthorisation.GENERAL
    agreement.save()
    return clinic


@pytest.fixture
def recipients():
    return {r.key: r for r in put_on_record("trafft", "calcom", "email_provider")}


def keys(clinic, on):
    return [r.key for r in sub_processors_in_use(clinic, on=on)]


def test_cl_03_a_change_is_notified_to_the_clinic_with_a_deadline_queued_with_it(
    clinic, recipients
):
    change = propose_sub_processor(
        clinic=clinic, recipient=recipients["calcom"], reason="Booking of consultations",
        actor="privacy-officer",
    )  # fmt: skip

    email = OutgoingEmail.objects.get()
    assert change.notice_email == email and email.to_address == clinic.email
    assert change.object_by == timezone.localdate() + 30 * DAY
    assert change.object_by.isoformat() in email.body_text
    assert "Cal.com" in email.subject_line and "Booking of consultations" in email.body_text
    assert DBTaskResult.objects.filter(
        task_path=deliver_email.module_path, args_kwargs__args=[email.pk]
    ).exists()
    entry = AuditEntry.objects.get(object_type="clinics.SubProcessorChange")
    assert (entry.action, entry.actor) == ("notify", "privacy-officer")


def test_cl_03_a_failed_change_leaves_no_email_and_no_record(clinic, recipients):
    with pytest.raises(RuntimeError), transaction.atomic():
        propose_sub_processor(clinic=clinic, recipient=recipients["calcom"], reason="x", actor="po")
        raise RuntimeError("the caller's transaction fails")

    assert not SubProcessorChange.objects.exists() and not OutgoingEmail.objects.exists()


def test_cl_03_the_new_sub_processor_is_used_only_after_the_deadline_passes_without_objection(
    clinic, recipients
):
    clinic.agreements.get().sub_processors.add(recipients["trafft"])
    change = propose_sub_processor(
        clinic=clinic, recipient=recipients["calcom"], replaces=recipients["trafft"],
        reason="Booking", actor="po",
    )  # fmt: skip
    today = timezone.localdate()

    assert keys(clinic, today) == ["trafft"]
    assert keys(clinic, change.object_by) == ["trafft"]  # the last day to object
    assert not may_use_sub_processor(clinic, key="calcom", on=change.object_by)
    with time_machine.travel(timezone.now() + 31 * DAY, tick=False):
        assert keys(clinic, None) == ["calcom"]  # replaced Trafft
        assert may_use_sub_processor(clinic, key="calcom")


def test_cl_03_an_objection_keeps_the_sub_processor_out_for_good(clinic, recipients):
    change = propose_sub_processor(
        clinic=clinic, recipient=recipients["calcom"], reason="Booking", actor="po"
    )
    record_objection(
        change=change, objected_on=timezone.localdate() + 2 * DAY,
        objection="We do not want a US provider.", actor="po",
    )  # fmt: skip

    assert keys(clinic, change.object_by + 400 * DAY) == []
    with pytest.raises(SubProcessorRefused):
        record_authorisation(
            change=change, authorised_on=timezone.localdate(), evidence="email", actor="po"
        )


def test_cl_03_under_a_specific_authorisation_silence_is_not_consent(clinic, recipients):
    agreement = clinic.agreements.get()
    agreement.sub_processor_authorisation = SubProcessorAuthorisation.SPECIFIC
    agreement.save()
    change = propose_sub_processor(
        clinic=clinic, recipient=recipients["calcom"], reason="Booking", actor="po"
    )
    assert "unless you authorise it in writing" in change.notice_email.body_text

    assert keys(clinic, change.object_by + 10 * DAY) == []
    record_authorisation(
        change=change, authorised_on=timezone.localdate() + 3 * DAY,
        evidence="The clinic's email of this week", actor="po",
    )  # fmt: skip
    assert keys(clinic, timezone.localdate() + 2 * DAY) == []
    assert keys(clinic, timezone.localdate() + 3 * DAY) == ["calcom"]


def test_cl_03_no_sub_processor_is_in_use_without_a_current_agreement(recipients):
    clinic = make_clinic(agreement_signed_on=None)

    assert keys(clinic, None) == []
    with pytest.raises(SubProcessorRefused, match="no current agreement"):
        propose_sub_processor(clinic=clinic, recipient=recipients["calcom"], reason="x", actor="po")
    assert not OutgoingEmail.objects.exists()


@pytest.mark.parametrize(
    "problem, expected",
    [("past", "after today"), ("self", "cannot replace itself"), ("no_email", "privacy contact")],
)
def test_cl_03_a_change_that_cannot_be_is_refused_and_nothing_is_stored(
    clinic, recipients, problem, expected
):
    kwargs = {"clinic": clinic, "recipient": recipients["calcom"], "reason": "x", "actor": "po"}
    if problem == "past":
        kwargs["object_by"] = timezone.localdate()
    elif problem == "self":
        kwargs["replaces"] = recipients["calcom"]
    else:
        clinic.email = ""
        clinic.save()
    with pytest.raises(SubProcessorRefused, match=expected):
        propose_sub_processor(**kwargs)
    assert not SubProcessorChange.objects.exists() and not OutgoingEmail.objects.exists()


def test_pt_04_the_change_is_recorded_with_its_date_deadline_and_decision_in_the_back_office(
    clinic, recipients, privacy_officer_client
):
    response = privacy_officer_client.post(
        "/admin/clinics/subprocessorchange/add/",
        {
            "clinic": clinic.pk,
            "recipient": recipients["calcom"].pk,
            "reason": "Booking of consultations",
            "object_by": (timezone.localdate() + 14 * DAY).isoformat(),
        },
    )
    assert response.status_code == 302
    change = SubProcessorChange.objects.get()
    assert change.recorded_by == "privacy-officer" and OutgoingEmail.objects.count() == 1

    page = privacy_officer_client.get(f"/admin/clinics/subprocessorchange/{change.pk}/change/")
    assert "Waiting: not used until the deadline has passed without objection" in page.text
    assert "Authorised by the clinic" not in page.text
    clinic_page = privacy_officer_client.get(f"/admin/clinics/clinic/{clinic.pk}/change/").text
    assert "Sub-processors in use today" in clinic_page and "Cal.com" in clinic_page

    response = privacy_officer_client.post(
        f"/admin/clinics/subprocessorchange/{change.pk}/change/",
        {"objected_on": timezone.localdate().isoformat(), "objection": "No, thank you."},
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.decision(timezone.localdate()) == "objected"


def test_pt_04_a_past_deadline_or_a_missing_answer_is_a_form_error_and_nothing_is_sent(
    clinic, recipients, privacy_officer_client
):
    response = privacy_officer_client.post(
        "/admin/clinics/subprocessorchange/add/",
        {
            "clinic": clinic.pk,
            "recipient": recipients["calcom"].pk,
            "reason": "Booking",
            "object_by": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200 and "must be after today" in response.text
    assert not SubProcessorChange.objects.exists() and not OutgoingEmail.objects.exists()


def test_cl_03_sales_cannot_reach_the_sub_processor_changes(sales_client):
    assert sales_client.get("/admin/clinics/subprocessorchange/add/").status_code == 403


def test_cl_03_the_records_as_processor_list_a_new_sub_processor_only_once_in_use(
    clinic, recipients
):
    change = propose_sub_processor(
        clinic=clinic, recipient=recipients["calcom"], reason="Booking", actor="po"
    )
    column = COLUMNS.index("Sub-processors")

    def listed(on):
        [record] = build_processor_records(on=on)
        return record.cells[column]

    assert listed(change.object_by) == "-"
    assert listed(change.object_by + DAY).startswith("Cal.com")
