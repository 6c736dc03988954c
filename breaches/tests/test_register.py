"""The breach register: 72-hour countdown, documented even when not notified, the draft for
Datatilsynet, and the notice to the people affected when the risk is high (SEC-02)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from breaches import selectors, services
from breaches.models import Breach, BreachNotice
from breaches.tests.factories import change_form_data, hours, make_breach
from clinics.models import Clinic
from mail.models import OutgoingEmail
from subjects.services import find_or_create_subject

pytestmark = pytest.mark.django_db

AWARE = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)


def high_risk(**fields) -> Breach:
    return make_breach(
        became_aware_at=AWARE,
        risk=Breach.Risk.HIGH,
        risk_reasoning="Phone numbers and the clinic's name reveal an interest in treatment.",
        **fields,
    )


# --- the deadline (Art. 33(1); checklist SB-04) ---


def test_sec_04_a_breach_is_named_by_the_day_in_oslo_it_was_found():
    # 00:30 in Oslo is the evening before in UTC: the name says the day staff lived it.
    found = datetime.datetime(2025, 3, 5, 23, 30, tzinfo=datetime.UTC)  # 6 March, 00:30 in Oslo

    breach = make_breach(title="Laptop stolen", became_aware_at=found)

    assert str(breach) == "Laptop stolen (2025-03-06)"


def test_sec_02_the_deadline_is_72_hours_after_becoming_aware():
    breach = make_breach(became_aware_at=AWARE)
    assert breach.authority_deadline == AWARE + hours(72)


@pytest.mark.parametrize(
    ("elapsed", "state", "text"),
    [
        (hours(0), "open", "72 h 0 min left"),
        (hours(10.25), "open", "61 h 45 min left"),
        (hours(72), "open", "0 h 0 min left"),
        (hours(75.5), "overdue", "overdue by 3 h 30 min"),
    ],
)
def test_sec_02_the_countdown_runs_until_datatilsynet_is_notified(elapsed, state, text):
    breach = make_breach(became_aware_at=AWARE)
    deadline = selectors.authority_deadline(breach, now=AWARE + elapsed)
    assert (deadline.state, deadline.text) == (state, text)


def test_sec_02_the_countdown_stops_when_notified():
    breach = make_breach(became_aware_at=AWARE, authority_notified_at=AWARE + hours(30))
    assert selectors.authority_deadline(breach, now=AWARE + hours(200)).state == "done"


def test_sec_02_no_deadline_when_assessed_as_no_risk_but_still_documented():
    breach = make_breach(
        became_aware_at=AWARE,
        risk=Breach.Risk.NONE,
        risk_reasoning="The laptop was encrypted and the key was not with it.",
    )
    deadline = selectors.authority_deadline(breach, now=AWARE + hours(100))
    assert deadline.state == "not_required"
    assert Breach.objects.filter(pk=breach.pk).exists()  # Art. 33(5): recorded all the same
    assert breach not in selectors.breaches_needing_action()


def test_sec_02_a_risk_level_needs_its_reasoning():
    with pytest.raises(ValidationError) as error:
        make_breach(risk=Breach.Risk.RISK, risk_reasoning="")
    assert "risk_reasoning" in error.value.message_dict


def test_sec_02_a_late_notification_needs_reasons_for_delay():
    with pytest.raises(ValidationError) as error:
        make_breach(became_aware_at=AWARE, authority_notified_at=AWARE + hours(73))
    assert "reasons_for_delay" in error.value.message_dict
    breach = make_breach(
        became_aware_at=AWARE,
        authority_notified_at=AWARE + hours(73),
        reasons_for_delay="The processor's report arrived over a weekend.",
    )
    assert selectors.authority_deadline(breach).state == "late"


def test_sec_02_a_breach_is_classed_by_at_least_one_of_cia():
    with pytest.raises(ValidationError) as error:
        make_breach(confidentiality=False)
    assert "confidentiality" in error.value.message_dict


def make_clinic(**fields) -> Clinic:
    values = {
        "name": "Nordmann Tannklinikk",
        "slug": "nordmann",
        "email": "personvern@nordmann.example",
    }
    return Clinic.objects.create(**(values | fields))


def test_sec_02_the_clinic_is_told_within_its_own_deadline(settings):
    settings.BREACH_CLINIC_NOTICE_HOURS = 24
    breach = make_breach(became_aware_at=AWARE, clinic=make_clinic())
    deadline = selectors.clinic_deadline(breach, now=AWARE + hours(20))
    assert (deadline.state, deadline.text) == ("open", "4 h 0 min left")
    assert selectors.clinic_deadline(make_breach(clinic=None)) is None
    assert breach in selectors.breaches_needing_action()


def test_sec_02_the_clinic_is_notified_through_the_email_queue_once(smtp_server, run_tasks):
    breach = make_breach(became_aware_at=AWARE, clinic=make_clinic())

    with time_machine.travel(AWARE + hours(5), tick=False):
        services.notify_clinic(breach_id=breach.pk, actor="privacy-officer")
    run_tasks()

    [message] = smtp_server.to("personvern@nordmann.example")
    body = message.get_content()
    assert "as your data processor" in body
    assert breach.what_happened in body and str(breach.public_id) in body
    breach.refresh_from_db()
    assert breach.clinic_notified_at == AWARE + hours(5)
    assert selectors.clinic_deadline(breach).state == "done"
    assert AuditEntry.objects.filter(action="notify", reason__contains="clinic").exists()
    with pytest.raises(services.NoticeRefused, match="already"):
        services.notify_clinic(breach_id=breach.pk, actor="privacy-officer")


def test_sec_02_a_clinic_without_a_privacy_contact_cannot_be_notified():
    breach = make_breach(clinic=make_clinic(email=""))
    with pytest.raises(services.NoticeRefused, match="privacy contact"):
        services.notify_clinic(breach_id=breach.pk, actor="po")
    assert OutgoingEmail.objects.count() == 0


def test_sec_02_a_staged_notification_stays_open_until_followed_up():
    breach = make_breach(
        became_aware_at=AWARE,
        risk=Breach.Risk.RISK,
        risk_reasoning="Names and emails of 40 leads.",
        authority_notified_at=AWARE + hours(20),
        authority_notification_partial=True,
    )
    assert breach in selectors.breaches_needing_action()
    breach.authority_follow_up_at = AWARE + hours(100)
    breach.save()
    assert breach not in selectors.breaches_needing_action()


# --- the back office ---


def test_sec_02_the_list_and_the_page_show_the_countdown(admin_client):
    breach = make_breach(became_aware_at=AWARE)
    with time_machine.travel(AWARE + hours(10), tick=False):
        listing = admin_client.get("/admin/breaches/breach/").text
        page = admin_client.get(f"/admin/breaches/breach/{breach.pk}/change/").text
    assert 'class="breach-deadline breach-open">62 h 0 min left</span>' in listing
    assert "62 h 0 min left" in page


def test_sec_02_the_draft_notification_holds_the_art_33_3_content(admin_client):
    breach = make_breach(
        became_aware_at=AWARE,
        authority_notification_partial=True,
        contact_point="Privacy officer, privacy@wekst.com, +47 22 00 00 00",
    )
    response = admin_client.get(f"/admin/breaches/breach/{breach.pk}/notification/")
    assert response.status_code == 200
    page = response.text
    for heading in (
        "(a) Nature of the breach",
        "(b) Contact point",
        "(c) Likely consequences",
        "(d) Measures taken or proposed",
    ):
        assert heading in page
    assert breach.what_happened in page
    assert breach.likely_consequences in page
    assert breach.measures_taken in page
    assert "privacy@wekst.com, +47 22 00 00 00" in page
    assert '<dd id="draft-subjects">40</dd>' in page
    assert "further information will follow" in page
    assert AuditEntry.objects.filter(
        action="view", object_type="breaches.Breach", reason__contains="draft"
    ).exists()


def test_sec_02_breaches_cannot_be_deleted_in_the_back_office(admin_client):
    breach = make_breach()
    assert admin_client.get(f"/admin/breaches/breach/{breach.pk}/delete/").status_code == 403


def test_sec_02_people_affected_are_added_by_email_and_unknown_ones_refused(admin_client):
    breach = make_breach(became_aware_at=AWARE)
    kari = find_or_create_subject(email="kari@klinikk.example")
    ola = find_or_create_subject(email="ola@klinikk.example")
    url = f"/admin/breaches/breach/{breach.pk}/change/"

    refused = admin_client.post(
        url, change_form_data(breach, add_affected="KARI@klinikk.example\nnobody@x.example")
    )
    assert refused.status_code == 200
    assert "Not in our records: nobody@x.example" in refused.text
    assert breach.affected_subjects.count() == 0

    added = admin_client.post(
        url, change_form_data(breach, add_affected=f"KARI@klinikk.example\n{ola.public_id}")
    )
    assert added.status_code == 302
    assert set(breach.affected_subjects.all()) == {kari, ola}


# --- notices to the people affected (Art. 34; checklist SB-07) ---


def test_sec_02_notices_go_to_each_person_affected_through_the_email_queue(smtp_server, run_tasks):
    breach = high_risk()
    kari = find_or_create_subject(email="kari@klinikk.example")
    ola = find_or_create_subject(email="ola@klinikk.example")
    services.add_affected_subjects(breach=breach, subjects=[kari, ola])

    with time_machine.travel(AWARE + hours(30), tick=False):
        queued = services.send_breach_notices(breach_id=breach.pk, actor="privacy-officer")
    run_tasks()

    assert queued == 2
    [message] = smtp_server.to("kari@klinikk.example")
    assert len(smtp_server.messages) == 2
    assert "security breach" in message["Subject"] and "sikkerhetsbrudd" in message["Subject"]
    body = message.get_content()
    assert breach.what_happened in body
    assert breach.likely_consequences in body
    assert breach.measures_taken in body
    assert "privacy@wekst.com" in body  # the contact point (the declaration's privacy contact)
    assert "Datatilsynet" in body
    breach.refresh_from_db()
    assert breach.subjects_notified_at == AWARE + hours(30)
    notified = AuditEntry.objects.filter(action="notify", object_type="breaches.Breach")
    assert set(notified.values_list("subject_ref", flat=True)) == {
        str(kari.public_id),
        str(ola.public_id),
    }
    assert OutgoingEmail.objects.filter(purpose="breach_notices", status="sent").count() == 2


def test_sec_02_a_person_gets_the_notice_once(smtp_server, run_tasks):
    breach = high_risk()
    kari = find_or_create_subject(email="kari@klinikk.example")
    services.add_affected_subjects(breach=breach, subjects=[kari])
    assert services.send_breach_notices(breach_id=breach.pk, actor="po") == 1
    assert services.send_breach_notices(breach_id=breach.pk, actor="po") == 0
    run_tasks()
    assert len(smtp_server.messages) == 1
    assert BreachNotice.objects.filter(breach=breach).count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"risk": Breach.Risk.RISK, "risk_reasoning": "Limited data."},
        {"risk": "", "risk_reasoning": ""},
        {
            "risk": Breach.Risk.HIGH,
            "risk_reasoning": "Sensitive.",
            "art34_exception": Breach.Art34Exception.ENCRYPTED,
            "art34_exception_details": "The backup was encrypted with AES-256; the key is safe.",
        },
    ],
)
def test_sec_02_no_notice_unless_high_risk_without_exception(fields):
    breach = make_breach(**fields)
    services.add_affected_subjects(
        breach=breach, subjects=[find_or_create_subject(email="kari@klinikk.example")]
    )
    with pytest.raises(services.NoticeRefused):
        services.send_breach_notices(breach_id=breach.pk, actor="po")
    assert OutgoingEmail.objects.count() == 0


def test_sec_02_the_admin_action_sends_the_notices(privacy_officer_client, smtp_server, run_tasks):
    breach = high_risk()
    services.add_affected_subjects(
        breach=breach, subjects=[find_or_create_subject(email="kari@klinikk.example")]
    )
    response = privacy_officer_client.post(
        "/admin/breaches/breach/", {"action": "send_notices", "_selected_action": [breach.pk]}
    )
    assert response.status_code == 302
    run_tasks()
    assert len(smtp_server.to("kari@klinikk.example")) == 1
    entry = AuditEntry.objects.get(action="notify")
    assert entry.actor == "privacy-officer"


def test_sec_02_the_admin_action_says_why_it_refused(admin_client):
    breach = make_breach(risk=Breach.Risk.RISK, risk_reasoning="Limited data.")
    response = admin_client.post(
        "/admin/breaches/breach/",
        {"action": "send_notices", "_selected_action": [breach.pk]},
        follow=True,
    )
    assert "when the risk is assessed as high" in response.text
    assert OutgoingEmail.objects.count() == 0


def test_sec_02_the_notice_is_previewed_on_the_page(admin_client):
    breach = high_risk()
    page = admin_client.get(f"/admin/breaches/breach/{breach.pk}/change/").text
    assert '<pre class="breach-notice">' in page
    assert "Likely consequences for you" in page
