"""RIG-01: a public portal takes every kind of request without an account; staff can enter
requests received by email, letter or phone into the same queue."""

import pytest

from audit.models import AuditEntry
from declaration.selectors import get_declaration
from mail.models import OutgoingEmail
from rights.models import Request
from rights.services import open_request
from rights.tests.factories import portal_data
from subjects.models import Subject

pytestmark = pytest.mark.django_db

PORTAL = "/privacy-requests/"


def assert_nothing_stored():
    assert not Request.objects.exists()
    assert not OutgoingEmail.objects.exists()
    assert not Subject.objects.exists()


@pytest.mark.parametrize("prefix", ["", "/nb"])
def test_rig_01_portal_offers_every_right_without_an_account(client, prefix):
    response = client.get(f"{prefix}{PORTAL}")

    assert response.status_code == 200
    page = response.content.decode()
    for kind in Request.Kind.values:
        assert f'value="{kind}"' in page, kind
    assert 'type="password"' not in page
    # DEC-05: the controller, the purpose, the legal basis and the policy at the point of collection.
    assert "Harwest AS" in page
    basis = get_declaration().activities["privacy_requests"].legal_basis_article
    assert basis.in_language("nb" if prefix else "en") in page
    assert "Datatilsynet" in page


def test_rig_01_norwegian_portal_posts_to_itself(client):
    page = client.get(f"/nb{PORTAL}").content.decode()

    assert 'lang="nb"' in page
    assert f'action="/nb{PORTAL}"' in page


@pytest.mark.parametrize("kind", Request.Kind.values)
def test_rig_01_each_kind_is_received_and_waits_for_verification(client, kind):
    extra = {
        "rectification": {"name": "Kari Nordmann"},
        "objection_li": {"activities": ["information_requests"]},
    }.get(kind, {})

    response = client.post(PORTAL, portal_data(kind=kind, **extra))

    assert response.status_code == 302
    assert response["Location"] == "/privacy-requests/sent/"
    request = Request.objects.get()
    assert request.kind == kind
    assert request.status == Request.Status.UNVERIFIED
    assert request.received_via == "portal"
    assert request.subject is None  # nothing is linked to anyone before verification
    assert OutgoingEmail.objects.get().to_address == "kari@klinikk.example"


def test_rig_01_the_browser_identifiers_are_offered_for_the_person_to_include(client):
    client.cookies["wekst_consent"] = "3f2b8c1e-4a5d-4e6f-9a0b-1c2d3e4f5a6b|a1m0e0|2026.2"
    client.cookies["_ga"] = "GA1.1.1234567.1700000000"

    page = client.get(PORTAL).content.decode()

    assert 'value="3f2b8c1e-4a5d-4e6f-9a0b-1c2d3e4f5a6b"' in page
    assert 'value="1234567.1700000000"' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-address"}, "valid email"),
        ({"email": None}, "required"),
        ({"kind": "delete_everything"}, "valid choice"),
        ({"kind": None}, "required"),
        ({"kind": "rectification"}, "what should be corrected"),
        ({"kind": "rectification", "phone": "call me maybe"}, "phone number"),
        ({"name": "Kari\r\nBcc: victim@example.com", "kind": "rectification"}, "one line"),
        ({"details": "hidden\x01text"}, "cannot be stored"),
        ({"consent_id": "'; DROP TABLE rights_request;--"}, "consent id looks like"),
        ({"analytics_client_id": "GA1.1.x"}, "two numbers"),
        ({"clinic_email": "clinic-at-example"}, "valid email"),
    ],
)
def test_rig_01_bad_input_gets_a_clear_error_and_stores_nothing(client, overrides, message):
    response = client.post(PORTAL, portal_data(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert_nothing_stored()


def test_rig_01_what_was_typed_is_kept_in_the_form_after_an_error(client):
    response = client.post(PORTAL, portal_data(email="nope", details="Please send it all"))

    assert "Please send it all" in response.content.decode()


def test_rig_01_honeypot_submissions_get_the_same_answer_and_store_nothing(client):
    response = client.post(PORTAL, portal_data(website="http://spam.example"))

    assert response.status_code == 302
    assert response["Location"] == "/privacy-requests/sent/"
    assert_nothing_stored()


def test_rig_01_too_many_requests_are_refused_without_losing_what_was_typed(client, settings):
    settings.RIGHTS_RATE_LIMIT_PER_ADDRESS = 2
    for _ in range(2):
        assert client.post(PORTAL, portal_data()).status_code == 302

    response = client.post(PORTAL, portal_data(details="third time"))

    assert response.status_code == 429
    assert "third time" in response.content.decode()
    assert Request.objects.count() == 2


def test_rig_01_staff_open_a_request_received_by_letter_recording_the_identity_check(
    admin_client,
):
    response = admin_client.post(
        "/admin/rights/request/open/",
        {
            "kind": "access",
            "email": "ola@klinikk.example",
            "received_via": "letter",
            "identity_check": "Signed letter; address matches the one on record",
        },
    )

    assert response.status_code == 302
    request = Request.objects.get()
    assert request.received_via == "letter"
    assert request.status == Request.Status.OPEN
    assert request.verified_at is not None
    assert request.identity_check == "Signed letter; address matches the one on record"
    assert request.opened_by == "admin"
    assert request.subject.email == "ola@klinikk.example"
    assert AuditEntry.objects.filter(actor="admin", object_type="rights.Request").exists()


def test_rig_01_staff_cannot_open_a_request_without_recording_the_identity_check(admin_client):
    response = admin_client.post(
        "/admin/rights/request/open/",
        {"kind": "erasure", "email": "ola@klinikk.example", "received_via": "phone"},
    )

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Request.objects.exists()


def test_rig_01_open_request_refuses_bad_input_from_code_with_a_clear_error():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        open_request(kind="everything", email="kari@klinikk.example")
    with pytest.raises(ValidationError):
        open_request(kind="access", email="kari@klinikk.example", received_via="phone")
    with pytest.raises(ValidationError):
        open_request(kind="access", email="not an address")
    assert not Request.objects.exists()


@pytest.mark.parametrize("prefix", ["", "/nb"])
def test_rig_01_the_portal_asks_only_what_the_chosen_right_needs(client, prefix):
    choose = client.post(f"{prefix}{PORTAL}", {"kind": "erasure", "step": "choose"})
    linked = client.get(f"{prefix}{PORTAL}?right=rectification")

    assert choose.status_code == 200 and not Request.objects.exists()
    erasure = choose.content.decode()
    assert 'name="kind" value="erasure"' in erasure and 'type="radio"' not in erasure
    assert 'name="phone"' not in erasure and 'name="activities"' not in erasure
    assert 'name="details"' in erasure and 'name="email"' in erasure
    rectification = linked.content.decode()
    assert 'name="phone"' in rectification and 'name="name"' in rectification


def test_rig_01_the_browser_identifiers_are_attached_unless_left_out(client):
    client.cookies["wekst_consent"] = "3f2b8c1e-4a5d-4e6f-9a0b-1c2d3e4f5a6b|a1m0e0|2026.2"
    client.cookies["_ga"] = "GA1.1.1234567.1700000000"
    page = client.get(f"{PORTAL}?right=erasure").content.decode()
    ids = {
        "consent_id": "3f2b8c1e-4a5d-4e6f-9a0b-1c2d3e4f5a6b",
        "analytics_client_id": "1234567.1700000000",
    }

    # Never raw text fields: hidden, with one line saying what they are and a box to leave out.
    assert 'type="hidden" name="consent_id"' in page
    assert 'type="text" name="consent_id"' not in page
    assert "cookie-choice record and Google Analytics id" in page
    assert (
        'name="leave_out_browser"' in page
        and "checked" not in page.split("leave_out_browser")[1][:80]
    )
    client.post(PORTAL, portal_data(kind="erasure", **ids))
    client.post(
        PORTAL, portal_data(kind="erasure", email="ola@example.no", leave_out_browser="on", **ids)
    )

    included, left_out = Request.objects.order_by("pk")
    assert included.consent_ids == [ids["consent_id"]]
    assert included.analytics_client_ids == [ids["analytics_client_id"]]
    assert left_out.consent_ids == [] and left_out.analytics_client_ids == []
