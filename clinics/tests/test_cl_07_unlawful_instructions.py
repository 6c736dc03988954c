"""CL-07: when a clinic's instruction would break data protection law, the system records that
Wekst told the clinic so: the instruction, why, the notice (text, date, how it was given) and the
outcome, shown on the clinic's page and in the audit log (GDPR Art. 28(3) final subparagraph)."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from clinics.instructions import (
    InstructionRefused,
    record_instruction_outcome,
    record_unlawful_instruction,
)
from clinics.models import UnlawfulInstruction
from clinics.tests.factories import make_clinic

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
INSTRUCTION = "Upload our whole patient list to Meta for a lookalike audience."
NOTICE = "Uploading patients without their explicit consent would break GDPR Art. 9(1)."


def details(**overrides):
    today = timezone.localdate()
    return {
        "received_on": today - 2 * DAY,
        "instruction": INSTRUCTION,
        "why_unlawful": "Health data (Art. 9(1)) without explicit consent (Art. 9(2)(a)).",
        "notice_text": NOTICE,
        "notified_on": today - DAY,
        "notified_how": "email",
        **overrides,
    }


def test_cl_07_the_instruction_and_wekst_s_notice_are_recorded_and_audited():
    clinic = make_clinic()

    record = record_unlawful_instruction(clinic=clinic, actor="privacy-officer", **details())

    assert (record.notice_text, record.notified_how, record.outcome) == (NOTICE, "email", "pending")
    entry = AuditEntry.objects.get(object_type="clinics.UnlawfulInstruction")
    assert (entry.action, entry.actor, entry.object_id) == (
        "create",
        "privacy-officer",
        str(record.pk),
    )
    assert "Art. 28(3)" in entry.reason

    record_instruction_outcome(
        record=record, outcome="withdrawn", outcome_on=timezone.localdate(),
        note="The clinic withdrew it by email.", actor="privacy-officer",
    )  # fmt: skip
    record.refresh_from_db()
    assert record.outcome == "withdrawn"
    assert AuditEntry.objects.filter(
        object_type="clinics.UnlawfulInstruction", action="change"
    ).exists()


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"notice_text": "  "}, "notice_text"),
        ({"notified_on": timezone.now().date() - 10 * DAY}, "before the instruction"),
        ({"notified_how": "pigeon"}, "how the notice"),
    ],
)
def test_cl_07_an_incomplete_record_is_refused_and_nothing_is_stored(overrides, expected):
    clinic = make_clinic()

    with pytest.raises(InstructionRefused, match=expected):
        record_unlawful_instruction(clinic=clinic, actor="po", **details(**overrides))
    assert not UnlawfulInstruction.objects.exists()
    assert not AuditEntry.objects.filter(object_type="clinics.UnlawfulInstruction").exists()


def test_cl_07_recorded_in_the_back_office_and_shown_on_the_clinic_s_page(privacy_officer_client):
    clinic = make_clinic()
    data = {key: str(value) for key, value in details().items()}

    response = privacy_officer_client.post(
        "/admin/clinics/unlawfulinstruction/add/", {"clinic": clinic.pk, **data}
    )

    assert response.status_code == 302
    assert UnlawfulInstruction.objects.get().recorded_by == "privacy-officer"
    page = privacy_officer_client.get(f"/admin/clinics/clinic/{clinic.pk}/change/").text
    assert INSTRUCTION in page and NOTICE in page


def test_cl_07_a_notice_before_the_instruction_is_a_form_error(privacy_officer_client):
    clinic = make_clinic()
    data = details(notified_on=timezone.localdate() - 5 * DAY)

    response = privacy_officer_client.post(
        "/admin/clinics/unlawfulinstruction/add/",
        {"clinic": clinic.pk, **{key: str(value) for key, value in data.items()}},
    )

    assert response.status_code == 200 and "before the instruction came" in response.text
    assert not UnlawfulInstruction.objects.exists()


def test_cl_07_sales_cannot_see_or_record_them(sales_client):
    assert sales_client.get("/admin/clinics/unlawfulinstruction/").status_code == 403
