"""Data from other sources (checklist TP-02; GDPR Art. 14): the source is kept, and the person is
told it, with the rest of the Art. 14 information, within one month or at first contact."""

import datetime
import html

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEntry
from declaration.selectors import get_declaration
from leads import notices
from leads.models import Lead
from leads.other_sources import (
    add_address_to_lead,
    check_art14_notices,
    enter_lead_from_other_source,
    record_notice_exception,
)
from leads.tasks import check_art14_notices as check_task
from leads.tests.factories import make_lead
from mail.models import OutgoingEmail
from newsletter.services import record_objection_to_marketing
from processors.fake import Booking, FakeBookingProvider
from processors.testing import put_on_record
from rights import ledger
from rights.models import Restriction
from subjects.models import Subject
from subjects.services import find_or_create_subject

pytestmark = pytest.mark.django_db

ADDRESS = "ingrid@tannklinikk.example"
EXPO = "Nordic Dental Expo 2026"


@pytest.fixture(autouse=True)
def _ledger(settings, tmp_path):
    """An erasure ledger of the test's own, so no other run's erasures count."""
    settings.WEKST_ERASURE_LEDGER_PATH = tmp_path / "erasure-ledger.jsonl"


def enter(**changes) -> tuple[Lead, str]:
    values = {
        "source_kind": Lead.SourceKind.EVENT,
        "source_description": EXPO,
        "name": "Ingrid Berg",
        "email": ADDRESS,
        "company": "Berg Tannklinikk",
        "language": "nb",
        "actor": "sales",
    }
    values.update(changes)
    return enter_lead_from_other_source(**values)


def notices_to(address: str) -> list[OutgoingEmail]:
    return list(OutgoingEmail.objects.filter(to_address=address))


# The notice ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nb", "en"])
def test_tp_02_a_staff_entered_lead_gets_one_notice_naming_its_source_in_its_language(
    smtp_server, run_tasks, language
):
    lead, outcome = enter(language=language)
    assert outcome == notices.QUEUED
    run_tasks()
    check_art14_notices()  # the daily check finds nothing left to send
    run_tasks()

    [message] = smtp_server.to(ADDRESS)
    body = message.get_content()
    declaration = get_declaration()
    activity = declaration.activities["leads_from_other_sources"]
    with_spaces = " ".join(body.split())
    # The source (Art. 14(2)(f)), in the staff's words and as a kind in the person's language.
    assert EXPO in body
    assert (
        "Et arrangement eller en messe" if language == "nb" else "An event or trade fair"
    ) in body
    # The rest of Art. 14(1)-(2), written from the declaration, not from the template.
    controller, authority = declaration.controller, declaration.supervisory_authority
    for expected in (
        controller.legal_name,
        controller.email,
        authority.name,
        authority.website,
        activity.purpose.in_language(language),
        activity.legitimate_interest.in_language(language),
        activity.legal_basis_article.in_language(language),
        declaration.retention_rules[activity.retention].description.in_language(language),
        *(
            declaration.data_categories[key].name.in_language(language)
            for key in activity.data_categories
        ),
        *(
            recipient.name.in_language(language)
            for recipient in declaration.recipients_of(activity)
        ),
    ):
        assert " ".join(expected.split()) in with_spaces, expected
    # The right to object, apart from the other rights (Art. 21(4)).
    heading = "RETTEN DIN TIL Å PROTESTERE" if language == "nb" else "YOUR RIGHT TO OBJECT"
    assert heading in body
    assert body.index(heading) < body.index(
        "Dine andre rettigheter" if language == "nb" else "Your other rights"
    )

    lead.refresh_from_db()
    assert lead.notice_queued_at is not None
    assert lead.notice_email.sent_at is not None
    assert notices.notice_state(lead).startswith("sent ")


def test_tp_02_a_lead_whose_language_is_not_known_is_told_in_norwegian(smtp_server, run_tasks):
    lead, _ = enter(language="")
    run_tasks()
    assert lead.language == "nb"
    [message] = smtp_server.to(ADDRESS)
    assert "RETTEN DIN TIL Å PROTESTERE" in message.get_content()


def test_tp_02_a_lead_from_our_own_contact_form_gets_no_notice(smtp_server, run_tasks, settings):
    settings.WEKST_STAFF_EMAILS = ["sales@wekst.test"]
    lead = make_lead(email=ADDRESS)
    run_tasks()
    assert check_art14_notices().queued == 0
    run_tasks()

    assert lead.source_kind == ""
    assert smtp_server.to(ADDRESS) == []
    assert smtp_server.to("sales@wekst.test")  # staff were told: the mail did run
    assert not notices.awaiting_notice().exists()


def test_tp_02_a_booking_on_the_providers_page_is_collected_from_the_person(
    settings, client, smtp_server, run_tasks
):
    # Trafft is our processor: what the person types into its booking page they give to us
    # (Art. 13), so the lead has no other source and gets no Art. 14 notice.
    put_on_record("trafft")
    settings.TRAFFT_WEBHOOK_SECRET = "trafft-test-secret"
    booking = Booking(email=ADDRESS)
    response = FakeBookingProvider("trafft", "trafft-test-secret", client).deliver(
        "booked", booking
    )
    assert response.status_code == 200
    run_tasks()
    check_art14_notices()
    run_tasks()

    lead = Lead.objects.get()
    assert (lead.kind, lead.source_kind) == (Lead.Kind.BOOKING, "")
    assert notices_to(ADDRESS) == []


# Within the month ------------------------------------------------------------------------------


def test_tp_02_the_daily_check_sends_the_notice_once_a_lead_has_an_address(smtp_server, run_tasks):
    start = timezone.now()
    lead, outcome = enter(email="", phone="+47 912 34 567")
    assert outcome == notices.NO_ADDRESS
    assert lead.subject.email is None

    with time_machine.travel(start + datetime.timedelta(days=3), tick=False):
        # An address that arrives other than through the back office (an import, a correction).
        Lead.objects.filter(pk=lead.pk).update(email=ADDRESS)
        check_task.enqueue()
        run_tasks()
        run_tasks()

    assert len(smtp_server.to(ADDRESS)) == 1
    lead.refresh_from_db()
    assert lead.notice_queued_at == start + datetime.timedelta(days=3)

    call_command("send_art14_notices")  # run again: nothing new
    run_tasks()
    assert len(smtp_server.to(ADDRESS)) == 1


def test_tp_02_an_address_added_by_staff_sends_the_notice_at_once(smtp_server, run_tasks):
    lead, _ = enter(email="", phone="+47 912 34 567")
    outcome = add_address_to_lead(lead_id=lead.pk, email=ADDRESS, actor="sales")
    run_tasks()

    assert outcome == notices.QUEUED
    assert len(smtp_server.to(ADDRESS)) == 1
    lead.refresh_from_db()
    assert lead.subject.email == ADDRESS
    assert Subject.objects.count() == 1


def test_tp_02_staff_are_shown_a_notice_near_and_past_its_deadline(
    smtp_server, run_tasks, settings, admin_client
):
    # The leads are entered in the past, so that the back office (whose sign-in is dated now)
    # is read at the present moment.
    settings.WEKST_STAFF_EMAILS = ["privacy@wekst.test"]
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=26), tick=False):
        near, _ = enter(email="", phone="+47 912 34 567")
    with time_machine.travel(now - datetime.timedelta(days=45), tick=False):
        late, _ = enter(email="", phone="+47 913 00 000", name="Per Lie")
    enter(email="", phone="+47 914 00 000", name="Ny Person")  # a month ahead of it
    assert now < notices.notice_deadline(near) < now + notices.WARN_BEFORE_DEADLINE
    assert notices.notice_deadline(late) < now

    with time_machine.travel(now - datetime.timedelta(days=30), tick=False):
        result = check_art14_notices()  # the late one is still 15 days from its deadline
        run_tasks()
    assert (result.due_soon, result.overdue) == (0, 0)
    assert smtp_server.to("privacy@wekst.test") == []

    result = check_art14_notices()
    run_tasks()
    assert (result.due_soon, result.overdue) == (1, 1)
    [warning] = smtp_server.to("privacy@wekst.test")
    content = warning.get_content()
    assert "Due within a week: 1" in content
    assert "Overdue: 1" in content
    assert "art14=attention" in content
    assert "+47 912 34 567" not in content  # counts and a link, no personal data

    listed = admin_client.get("/admin/leads/lead/", {"art14": "attention"}).text
    assert "Ingrid Berg" in listed and "Per Lie" in listed
    assert "Ny Person" not in listed
    page = admin_client.get(f"/admin/leads/lead/{late.pk}/change/").text
    assert "OVERDUE since" in page
    assert f"/admin/leads/lead/{late.pk}/art14-exception/" in page


# The Art. 14(5) exceptions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ground", "reason", "field"),
    [
        ("", "She already has it: we told her at the stand.", "ground"),
        ("we_felt_like_it", "No reason", "ground"),
        (Lead.NoticeException.ALREADY_INFORMED, "   ", "reason"),
    ],
)
def test_tp_02_an_exception_needs_a_ground_of_art_14_5_and_a_reason(ground, reason, field):
    lead, _ = enter(email="", phone="+47 912 34 567")
    entries = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as error:
        record_notice_exception(lead_id=lead.pk, ground=ground, reason=reason, actor="sales")

    assert field in error.value.message_dict
    lead.refresh_from_db()
    assert (lead.notice_exception, lead.notice_exception_reason) == ("", "")
    assert AuditEntry.objects.count() == entries


def test_tp_02_a_recorded_exception_is_audited_and_no_notice_is_sent(
    smtp_server, run_tasks, admin_client
):
    lead, _ = enter(email="", phone="+47 912 34 567")
    url = f"/admin/leads/lead/{lead.pk}/art14-exception/"

    refused = admin_client.post(url, {"ground": "already_informed", "reason": ""})
    assert refused.status_code == 200
    assert "This field is required" in refused.text
    lead.refresh_from_db()
    assert lead.notice_exception == ""

    done = admin_client.post(
        url, {"ground": "already_informed", "reason": "Told her in person at the stand."}
    )
    assert done.status_code == 302
    lead.refresh_from_db()
    assert lead.notice_exception == Lead.NoticeException.ALREADY_INFORMED
    assert lead.notice_exception_by == "admin"
    entry = AuditEntry.objects.filter(object_type="leads.Lead", object_id=str(lead.pk)).last()
    assert entry.actor == "admin"
    assert "Art. 14(5)" in entry.reason and "already_informed" in entry.reason
    assert entry.subject_ref == str(lead.subject.public_id)

    Lead.objects.filter(pk=lead.pk).update(email=ADDRESS)
    check_art14_notices()
    run_tasks()
    assert smtp_server.to(ADDRESS) == []


# Not to someone who said no --------------------------------------------------------------------


def _objected():
    record_objection_to_marketing(email=ADDRESS)


def _restricted():
    subject = find_or_create_subject(email=ADDRESS)
    Restriction.objects.create(subject=subject, kind=Restriction.Kind.OBJECTION)


def _erased():
    ledger.record_erasure(email=ADDRESS, phone="")


@pytest.mark.parametrize("said_no", [_objected, _restricted, _erased])
def test_tp_02_no_notice_to_a_person_who_objected_or_was_erased(
    smtp_server, run_tasks, settings, said_no
):
    settings.WEKST_STAFF_EMAILS = ["privacy@wekst.test"]
    said_no()
    lead, outcome = enter()
    run_tasks()
    result = check_art14_notices()
    run_tasks()

    assert outcome == notices.WITHHELD
    assert result.withheld == 1
    assert smtp_server.to(ADDRESS) == []
    assert notices_to(ADDRESS) == []
    [warning] = smtp_server.to("privacy@wekst.test")  # staff are told, to delete the lead
    assert "objected or was erased earlier: 1" in warning.get_content()
    assert ADDRESS not in warning.get_content()


# Entering a lead -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"source_kind": ""}, "source_kind"),
        ({"source_description": "  "}, "source_description"),
        ({"email": "not an address"}, "email"),
        ({"email": "", "phone": ""}, "email"),
    ],
)
def test_tp_02_a_lead_without_its_source_or_a_way_to_tell_the_person_is_refused(changes, field):
    with pytest.raises(ValidationError) as error:
        enter(**changes)

    assert field in error.value.message_dict
    assert not Lead.objects.exists()
    assert not Subject.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_tp_02_sales_enter_a_lead_from_another_source_in_the_back_office(
    sales_client, smtp_server, run_tasks
):
    assert sales_client.get("/admin/leads/lead/add/").url == "/admin/leads/lead/enter/"
    form = {
        "source_kind": "clinic_referral",
        "source_description": "Referral from Oslo Tannklinikk",
        "name": "Ingrid Berg",
        "email": ADDRESS,
        "language": "en",
    }
    refused = sales_client.post("/admin/leads/lead/enter/", {**form, "source_description": ""})
    assert refused.status_code == 200
    assert not Lead.objects.exists()

    response = sales_client.post("/admin/leads/lead/enter/", form)
    run_tasks()

    lead = Lead.objects.get()
    assert response.url == f"/admin/leads/lead/{lead.pk}/change/"
    assert (lead.kind, lead.purpose, lead.source) == (
        "other_source",
        "leads_from_other_sources",
        "staff:sales",
    )
    [message] = smtp_server.to(ADDRESS)
    assert "Referral from Oslo Tannklinikk" in message.get_content()
    assert "A referral from a clinic" in message.get_content()
    assert AuditEntry.objects.filter(
        actor="sales", action="create", object_type="leads.Lead", object_id=str(lead.pk)
    ).exists()


# The policy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "language"), [("", "en"), ("/nb", "nb")])
def test_tp_02_the_policy_says_which_data_comes_from_other_sources(client, prefix, language):
    activity = get_declaration().activities["leads_from_other_sources"]
    page = " ".join(html.unescape(client.get(f"{prefix}/privacy/").text).split())
    assert activity.name.in_language(language) in page
    assert " ".join(activity.source.in_language(language).split()) in page


def test_tp_02_an_address_added_on_the_change_page_sends_the_notice_at_once(
    admin_client, smtp_server, run_tasks
):
    lead, _ = enter(email="", phone="+47 912 34 567")
    url = f"/admin/leads/lead/{lead.pk}/change/"
    assert 'name="email"' in admin_client.get(url).text

    response = admin_client.post(
        url,
        {
            "name": lead.name,
            "email": ADDRESS,
            "phone": lead.phone,
            "company": lead.company,
            "role": "",
            "meetings-TOTAL_FORMS": "0",
            "meetings-INITIAL_FORMS": "0",
        },
    )
    run_tasks()

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.email, lead.subject.email) == (ADDRESS, ADDRESS)
    assert len(smtp_server.to(ADDRESS)) == 1
    assert 'name="email"' not in admin_client.get(url).text  # given once, then evidence
