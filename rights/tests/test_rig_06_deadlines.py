"""RIG-06: each request is due one month from receipt, extendable by up to two months with a
recorded reason told to the person, with reminders before the deadline, an audit trail of every
step, and a back-office queue by deadline. Requests about a clinic's data go to the clinic."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEntry
from mail.models import OutgoingEmail
from rights.deadlines import add_months, due_at
from rights.models import Request
from rights.services import extend_request, open_request, send_deadline_reminders
from rights.tests.factories import EMAIL, submit_and_verify

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def _staff_request(**overrides) -> Request:
    values = {
        "kind": "erasure",
        "email": EMAIL,
        "received_via": "email",
        "identity_check": "Sent from the address on record",
    }
    return open_request(**(values | overrides))


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime.date(2026, 1, 15), datetime.date(2026, 2, 15)),
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)),  # no 31 February
        (datetime.date(2028, 1, 31), datetime.date(2028, 2, 29)),  # leap year
        (datetime.date(2026, 12, 20), datetime.date(2027, 1, 20)),
        (datetime.date(2026, 3, 31), datetime.date(2026, 4, 30)),
    ],
)
def test_rig_06_a_request_is_due_one_calendar_month_after_receipt(received, due):
    received_at = datetime.datetime.combine(received, datetime.time(23, 30), tzinfo=OSLO)

    deadline = due_at(received_at)

    assert timezone.localtime(deadline).date() == due
    assert timezone.localtime(deadline).time() == datetime.time.max  # the end of that day


def test_rig_06_add_months_keeps_the_day_or_takes_the_last_of_the_month():
    assert add_months(datetime.date(2026, 8, 31), 3) == datetime.date(2026, 11, 30)
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)


def test_rig_06_a_portal_request_records_receipt_and_due_date(client):
    with time_machine.travel(datetime.datetime(2026, 1, 31, 10, 0, tzinfo=OSLO)):
        client.post("/privacy-requests/", {"kind": "access", "email": EMAIL})

    request = Request.objects.get()
    assert timezone.localtime(request.received_at).date() == datetime.date(2026, 1, 31)
    assert timezone.localtime(request.due_at).date() == datetime.date(2026, 2, 28)


def test_rig_06_staff_extend_with_a_reason_and_the_person_is_told(admin_client):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0, tzinfo=OSLO)):
        request = _staff_request()
        response = admin_client.post(
            f"/admin/rights/request/{request.pk}/extend/",
            {"months": "2", "reason": "Records in three systems must be checked"},
        )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.extended_by_months == 2
    assert timezone.localtime(request.due_at).date() == datetime.date(2026, 6, 10)
    assert "Records in three systems must be checked" in request.extension_reason
    notice = OutgoingEmail.objects.filter(to_address=EMAIL).order_by("-pk").first()
    assert "Records in three systems must be checked" in notice.body_text
    assert "June 10, 2026" in notice.body_text or "10 June 2026" in notice.body_text
    assert AuditEntry.objects.filter(
        reason="deadline extended by 2 month(s)", actor="admin"
    ).exists()


@pytest.mark.parametrize(
    ("first", "second", "error"),
    [
        ((1, "Complex"), (2, "More"), "at most two months"),
        ((2, "Complex"), (1, "More"), "at most two months"),
        ((1, ""), None, "reason"),
        ((3, "Long"), None, "one or two months"),
    ],
)
def test_rig_06_extensions_are_limited_to_two_months_with_a_reason(first, second, error):
    request = _staff_request()

    with pytest.raises(ValidationError, match=error):
        extend_request(request_id=request.pk, months=first[0], reason=first[1], actor="admin")
        extend_request(request_id=request.pk, months=second[0], reason=second[1], actor="admin")

    request.refresh_from_db()
    assert request.extended_by_months <= 2


def test_rig_06_an_extension_must_be_decided_within_the_first_month():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0, tzinfo=OSLO)):
        request = _staff_request()
    with (
        time_machine.travel(datetime.datetime(2026, 4, 11, 0, 30, tzinfo=OSLO)),
        pytest.raises(ValidationError, match="within the first month"),
    ):
        extend_request(request_id=request.pk, months=1, reason="Late", actor="admin")

    request.refresh_from_db()
    assert request.extended_by_months == 0


def test_rig_06_staff_are_reminded_of_requests_due_soon_once_per_deadline(staff_addresses):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=OSLO)):
        soon = _staff_request()
    with time_machine.travel(datetime.datetime(2026, 3, 20, 9, 0, tzinfo=OSLO)):
        later = _staff_request(email="ola@klinikk.example")
    OutgoingEmail.objects.all().delete()
    now = datetime.datetime(2026, 3, 27, 8, 0, tzinfo=OSLO)  # soon is due 1 April

    assert send_deadline_reminders(now=now, within_days=7) == 1
    [reminder] = OutgoingEmail.objects.filter(to_address="privacy@wekst.test")
    assert str(soon.public_id) in reminder.body_text
    assert str(later.public_id) not in reminder.body_text
    assert "5 day(s) left" in reminder.body_text
    assert EMAIL not in reminder.body_text  # references only, no personal data

    assert send_deadline_reminders(now=now, within_days=7) == 0  # not again for this deadline

    with time_machine.travel(now):
        extend_request(request_id=soon.pk, months=1, reason="Complex", actor="admin")
    # The extension set a new deadline (1 May), which is reminded of in turn (with `later`).
    assert send_deadline_reminders(now=now + datetime.timedelta(days=29), within_days=7) == 2
    soon.refresh_from_db()
    assert soon.reminded_for_due_at == soon.due_at


def test_rig_06_overdue_requests_are_in_the_reminder(staff_addresses):
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, 0, tzinfo=OSLO)):
        _staff_request()

    send_deadline_reminders(now=datetime.datetime(2026, 2, 8, 9, 0, tzinfo=OSLO), within_days=7)

    reminder = OutgoingEmail.objects.filter(to_address="privacy@wekst.test").last()
    assert "OVERDUE by 3 day(s)" in reminder.body_text


def test_rig_06_the_reminder_command_sends_them(staff_addresses):
    request = _staff_request()
    Request.objects.filter(pk=request.pk).update(due_at=timezone.now() + datetime.timedelta(days=2))
    out = io.StringIO()

    call_command("send_deadline_reminders", "--days", "3", stdout=out)

    assert "Reminded staff of 1 request(s)" in out.getvalue()


def test_rig_06_closed_requests_are_not_reminded(staff_addresses, client):
    submit_and_verify(client, kind="access")  # completed at once in the portal

    assert send_deadline_reminders(now=timezone.now() + datetime.timedelta(days=40)) == 0


def test_rig_06_the_back_office_queue_is_sorted_by_deadline(admin_client):
    with time_machine.travel(datetime.datetime(2026, 3, 20, 9, 0, tzinfo=OSLO)):
        late = _staff_request(email="late@klinikk.example")
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=OSLO)):
        early = _staff_request(email="early@klinikk.example")
    urgent = _staff_request(
        kind="erasure", email="child@klinikk.example", received_via="child_report", due_in_days=2
    )

    page = admin_client.get("/admin/rights/request/").content.decode()

    positions = [page.index(str(r.public_id)[:8]) for r in (early, late, urgent)]
    assert positions == sorted(positions)


def test_rig_06_every_step_of_a_request_is_in_the_audit_trail(client, admin_client, person):
    request = submit_and_verify(client, kind="erasure")
    extend_request(request_id=request.pk, months=1, reason="Complex", actor="admin")
    admin_client.post(
        "/admin/rights/request/",
        {"action": "carry_out_erasure", "_selected_action": [request.pk]},
    )

    steps = list(
        AuditEntry.objects.filter(object_id=str(request.public_id)).values_list(
            "actor", "action", "reason"
        )
    )
    assert steps == [
        ("requester", "create", "erasure request received via portal"),
        ("requester", "change", "identity verified (link)"),
        ("admin", "change", "deadline extended by 1 month(s)"),
        ("admin", "change", "erasure request completed"),
    ]
    assert AuditEntry.objects.filter(action="erase", actor="admin").exists()
    from audit.selectors import first_broken_link

    assert first_broken_link() is None


def test_rig_06_a_refusal_gives_reasons_and_the_right_to_complain(admin_client):
    request = _staff_request()

    admin_client.post(
        f"/admin/rights/request/{request.pk}/refuse/",
        {"ground": "excessive", "reason": "The same request was answered last week."},
    )

    request.refresh_from_db()
    assert request.status == Request.Status.REFUSED
    notice = OutgoingEmail.objects.filter(to_address=EMAIL).order_by("-pk").first()
    assert "The same request was answered last week." in notice.body_text
    assert "Datatilsynet" in notice.body_text and "court" in notice.body_text


# Clinics (PRO-03): Wekst is the processor; the clinic decides. -------------------------------


def test_rig_06_a_request_about_a_clinics_data_is_forwarded_to_the_clinic(client):
    request = submit_and_verify(
        client,
        kind="erasure",
        clinic_name="Nordmann Tannklinikk",
        clinic_email="post@tannklinikk.example",
        details="I was a patient there",
    )

    assert request.status == Request.Status.FORWARDED
    assert request.get_status_display() == "Forwarded to the controller (clinic)"
    [to_clinic] = OutgoingEmail.objects.filter(to_address="post@tannklinikk.example")
    assert "I was a patient there" in to_clinic.body_text
    assert EMAIL in to_clinic.body_text
    assert to_clinic.headers["Reply-To"] == EMAIL
    told = OutgoingEmail.objects.filter(to_address=EMAIL).order_by("-pk").first()
    assert "Nordmann Tannklinikk" in told.body_text
    assert AuditEntry.objects.filter(reason="forwarded to controller (clinic)").exists()
    # Nothing of the person's data was erased by Wekst on its own.
    assert request.subject is not None


def test_rig_06_staff_add_the_clinics_address_and_forward(admin_client, staff_addresses):
    request = _staff_request(clinic_name="Hudklinikken")
    assert request.status == Request.Status.OPEN  # waiting for staff: no address for the clinic

    response = admin_client.post(
        "/admin/rights/request/",
        {"action": "forward_to_clinic", "_selected_action": [request.pk]},
        follow=True,
    )
    assert "Add the clinic" in response.content.decode()

    Request.objects.filter(pk=request.pk).update(clinic_email="post@hud.example")
    admin_client.post(
        "/admin/rights/request/",
        {"action": "forward_to_clinic", "_selected_action": [request.pk]},
    )

    request.refresh_from_db()
    assert request.status == Request.Status.FORWARDED
    assert OutgoingEmail.objects.filter(to_address="post@hud.example").exists()
