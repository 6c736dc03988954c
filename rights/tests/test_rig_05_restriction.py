"""RIG-05: restriction and objection are states the system enforces (no marketing email, no
profiling); an objection to direct marketing is absolute and survives erasure; corrections are
applied after review; consent can be withdrawn from the portal."""

import uuid

import pytest

from audit.models import AuditEntry
from consent.models import ConsentDecision
from consent.services import record_consent
from leads.models import Lead
from mail.models import OutgoingEmail
from newsletter import services as newsletter_services
from newsletter.models import Subscription, Suppression
from newsletter.selectors import is_suppressed
from newsletter.tests import factories as newsletter_factories
from rights.models import Request, Restriction
from rights.selectors import is_restricted
from rights.services import erase_subject
from rights.tests.factories import CONSENT_ID, EMAIL, submit_and_verify
from subjects.selectors import find_subjects

pytestmark = pytest.mark.django_db


def _send_issue(run_tasks) -> list[str]:
    issue = newsletter_factories.issue()
    OutgoingEmail.objects.all().delete()
    newsletter_services.start_sending_issue(issue_id=issue.pk)
    run_tasks()
    return list(OutgoingEmail.objects.values_list("to_address", flat=True))


def test_rig_05_a_restricted_subscriber_gets_no_newsletter(client, run_tasks):
    newsletter_factories.confirmed_subscription(EMAIL)
    newsletter_factories.confirmed_subscription("ola@example.no")

    request = submit_and_verify(client, kind="restriction")

    assert request.status == Request.Status.COMPLETED
    subject = find_subjects(email=EMAIL).get()
    assert is_restricted(subject)
    # Restricted, not deleted: the subscription and its consent proof are kept (Art. 18(2)).
    assert Subscription.objects.filter(subject=subject).exists()
    assert _send_issue(run_tasks) == ["ola@example.no"]


def test_rig_05_after_the_restriction_is_lifted_the_person_is_told_and_mail_resumes(
    client, run_tasks, admin_client
):
    newsletter_factories.confirmed_subscription(EMAIL)
    submit_and_verify(client, kind="restriction")
    restriction = Restriction.objects.get()

    response = admin_client.post(
        f"/admin/rights/restriction/{restriction.pk}/lift/",
        {"reason": "The accuracy of the data is confirmed."},
    )

    assert response.status_code == 302
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None and restriction.lifted_by == "admin"
    assert not is_restricted(restriction.subject)
    notice = OutgoingEmail.objects.filter(to_address=EMAIL).order_by("-pk").first()
    assert "The accuracy of the data is confirmed." in notice.body_text
    assert _send_issue(run_tasks) == [EMAIL]


def test_rig_05_lifting_needs_a_reason(client, admin_client):
    submit_and_verify(client, kind="restriction")
    restriction = Restriction.objects.get()

    response = admin_client.post(f"/admin/rights/restriction/{restriction.pk}/lift/", {})

    assert response.status_code == 200
    assert is_restricted(restriction.subject)


def test_rig_05_an_objection_to_marketing_stops_it_at_once_and_leaves_a_suppression(
    client, run_tasks
):
    newsletter_factories.confirmed_subscription(EMAIL)
    record_consent(
        consent_id=uuid.UUID(CONSENT_ID),
        action="accept_all",
        method="banner",
        gpc=False,
        language="en",
        ip=None,
    )

    request = submit_and_verify(client, kind="objection", consent_id=CONSENT_ID)

    assert request.status == Request.Status.COMPLETED
    assert not Subscription.objects.exists()
    assert Suppression.objects.get().reason == Suppression.Reason.OBJECTED
    assert is_suppressed(email=EMAIL)
    assert is_restricted(request.subject)
    # No profiling: marketing (and analytics) cookies refused for her browser's consent id.
    latest = ConsentDecision.objects.filter(consent_id=CONSENT_ID).first()
    assert (latest.marketing, latest.analytics) == (False, False)
    assert _send_issue(run_tasks) == []


def test_rig_05_the_suppression_holds_no_readable_address_and_survives_erasure(client, person):
    request = submit_and_verify(client, kind="objection")

    erase_subject(subject=request.subject, actor="admin", reason="test")

    assert not find_subjects(email=EMAIL).exists()
    [entry] = Suppression.objects.values_list("address_digest", flat=True)
    assert EMAIL not in entry and "kari" not in entry
    assert is_suppressed(email=EMAIL)
    # The address is refused again without a fresh, confirmed consent of the person's own.
    newsletter_services.start_subscription(
        email=EMAIL, name="", source="newsletter_form", consent_wording="Yes", language="en"
    )
    assert is_suppressed(email=EMAIL)


def test_rig_05_corrections_are_applied_after_staff_review(client, admin_client, person):
    request = submit_and_verify(
        client, kind="rectification", name="Kari Nordmann-Berg", phone="+47 999 88 777"
    )
    assert request.status == Request.Status.OPEN
    assert Lead.objects.filter(name="Kari Nordmann").exists()  # nothing changed before review

    admin_client.post(
        "/admin/rights/request/",
        {"action": "apply_rectification", "_selected_action": [request.pk]},
    )

    assert set(Lead.objects.values_list("name", flat=True)) == {"Kari Nordmann-Berg"}
    assert set(Lead.objects.values_list("phone", flat=True)) == {"+47 999 88 777"}
    assert find_subjects(email=EMAIL).get().phone == "+4799988777"
    request.refresh_from_db()
    assert request.status == Request.Status.COMPLETED
    assert AuditEntry.objects.filter(reason="rectification applied: name, phone").exists()
    notice = OutgoingEmail.objects.filter(to_address=EMAIL).order_by("-pk").first()
    assert "corrected" in notice.body_text


def test_rig_05_a_rectification_without_structured_corrections_is_done_by_hand(
    client, admin_client
):
    request = submit_and_verify(client, kind="rectification", details="My role is wrong")

    response = admin_client.post(
        "/admin/rights/request/",
        {"action": "apply_rectification", "_selected_action": [request.pk]},
        follow=True,
    )

    assert "correct by hand" in response.content.decode()
    request.refresh_from_db()
    assert request.status == Request.Status.OPEN


def test_rig_05_withdrawing_consent_ends_the_subscription_and_refuses_cookies(client):
    newsletter_factories.confirmed_subscription(EMAIL)
    record_consent(
        consent_id=uuid.UUID(CONSENT_ID),
        action="accept_all",
        method="banner",
        gpc=False,
        language="en",
        ip=None,
    )

    request = submit_and_verify(client, kind="withdrawal", consent_id=CONSENT_ID)

    assert request.status == Request.Status.COMPLETED
    assert not Subscription.objects.exists()
    latest = ConsentDecision.objects.filter(consent_id=CONSENT_ID).first()
    assert latest.action == "reject_all"
    assert "1 newsletter subscription(s) ended" in request.outcome


def test_rig_05_staff_see_the_restriction_flag_in_the_queue(client, admin_client):
    request = submit_and_verify(client, kind="restriction")
    other = submit_and_verify(client, kind="erasure", email="ola@klinikk.example")

    page = admin_client.get("/admin/rights/request/").content.decode()

    row = page[page.index(str(request.public_id)[:8]) :].split("</tr>")[0]
    other_row = page[page.index(str(other.public_id)[:8]) :].split("</tr>")[0]
    assert 'alt="True"' in row
    assert 'alt="False"' in other_row
