"""RG-05: a request is refused only on a recorded ground with written reasons, and the person is
told at once, in their language, with the right to complain to Datatilsynet (its address from the
declaration) and to a judicial remedy; requests are free (GDPR Art. 12(4)-(5))."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from declaration.selectors import get_declaration
from mail.models import OutgoingEmail
from rights.models import Request
from rights.services import open_request, refuse_request
from rights.tests.factories import EMAIL
from staff.testing import sign_in_verified

pytestmark = pytest.mark.django_db

REASONS = "You asked for the same copy on each of the last five days; it has not changed."


def _staff_request(language: str = "en") -> Request:
    return open_request(
        kind="access",
        email=EMAIL,
        received_via="email",
        identity_check="Sent from the address on record",
        language=language,
        actor="anna",
    )


def _refusal_emails():
    return OutgoingEmail.objects.filter(to_address=EMAIL, body_text__contains="Datatilsynet")


@pytest.mark.parametrize(
    ("ground", "reason", "field", "message"),
    [
        ("", REASONS, "ground", "Choose the ground for the refusal"),
        ("because", REASONS, "ground", "Choose the ground for the refusal"),
        ("excessive", "  ", "reason", "Write the reasons for the refusal"),
    ],
)
def test_rg_05_a_refusal_without_a_ground_or_reasons_is_rejected_and_nothing_stored(
    ground, reason, field, message
):
    request = _staff_request()
    entries = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as error:
        refuse_request(request_id=request.pk, actor="anna", ground=ground, reason=reason)

    assert message in " ".join(error.value.message_dict[field])
    request.refresh_from_db()
    assert request.status == Request.Status.OPEN
    assert (request.refusal_ground, request.outcome, request.closed_at) == ("", "", None)
    assert AuditEntry.objects.count() == entries
    assert not _refusal_emails().exists()


def test_rg_05_the_back_office_shows_the_error_and_refuses_nothing(admin_client):
    request = _staff_request()

    response = admin_client.post(f"/admin/rights/request/{request.pk}/refuse/", {"reason": REASONS})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    request.refresh_from_db()
    assert request.status == Request.Status.OPEN
    assert not _refusal_emails().exists()


def test_rg_05_the_person_is_told_in_norwegian_with_datatilsynets_address_and_the_courts(
    smtp_server, run_tasks
):
    request = _staff_request(language="nb")

    refuse_request(request_id=request.pk, actor="anna", ground="excessive", reason=REASONS)
    run_tasks()

    [message] = [m for m in smtp_server.to(EMAIL) if "avslått" in m["Subject"]]
    assert message["Subject"] == "Henvendelsen din om personvern er avslått"
    body = message.get_content()
    authority = get_declaration().supervisory_authority
    assert authority.name == "Datatilsynet"
    assert "Postboks 458 Sentrum, 0105 Oslo" in authority.address.nb
    for words in (
        REASONS,
        "Urimelig, for eksempel fordi den gjentas",
        "klage til Datatilsynet",
        authority.website,
        authority.address.nb,
        "domstolene",
    ):
        assert words in body
    assert "court" not in body and "Excessive" not in body  # nothing left in English
    request.refresh_from_db()
    assert (request.status, request.refusal_ground) == (Request.Status.REFUSED, "excessive")


def test_rg_05_the_person_is_told_at_once_within_the_deadline_and_every_step_is_audited():
    start = timezone.now()
    request = _staff_request()

    with time_machine.travel(start + datetime.timedelta(days=10), tick=False):
        refuse_request(
            request_id=request.pk, actor="berit", ground="manifestly_unfounded", reason=REASONS
        )

    request.refresh_from_db()
    [email] = _refusal_emails()
    assert email.created_at <= request.due_at
    assert "Manifestly unfounded" in email.body_text and "court" in email.body_text
    steps = list(
        AuditEntry.objects.filter(object_id=str(request.public_id))
        .order_by("sequence")
        .values_list("actor", "action", "reason")
    )
    assert steps[-2:] == [
        ("berit", "change", "refused by staff (manifestly_unfounded)"),
        ("berit", "notify", "refusal and remedies sent to person"),
    ]


def test_rg_05_refusing_needs_the_refusal_permission(
    privacy_officer_client, sales_client, client, django_user_model
):
    request = _staff_request()
    url = f"/admin/rights/request/{request.pk}/refuse/"
    viewer = django_user_model.objects.create_user(username="viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_request"))
    sign_in_verified(client, viewer)

    assert client.get(url).status_code == 403
    assert sales_client.get(url).status_code == 403
    assert privacy_officer_client.get(url).status_code == 200
    response = privacy_officer_client.post(url, {"ground": "exception", "reason": REASONS})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Request.Status.REFUSED


def test_rg_05_requests_are_free_and_no_fee_is_offered(client):
    page = client.get("/privacy-requests/").content.decode()

    assert "Requests are free." in page
    assert "fee" not in " ".join(str(label) for _value, label in Request.RefusalGround.choices)


def test_rg_05_a_refusal_after_the_deadline_is_still_sent_and_the_lateness_recorded():
    start = timezone.now()
    request = _staff_request()

    with time_machine.travel(start + datetime.timedelta(days=40), tick=False):
        refuse_request(request_id=request.pk, actor="berit", ground="excessive", reason=REASONS)

    assert _refusal_emails().count() == 1
    assert AuditEntry.objects.filter(
        object_id=str(request.public_id), reason="refused by staff (excessive) after the deadline"
    ).exists()
