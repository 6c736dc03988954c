"""RIG-02: identity is verified by a single-use, expiring link before anything is disclosed or
changed, and the answer never reveals whether an address is known."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.tests.factories import make_lead
from mail.models import OutgoingEmail
from rights.models import Request
from rights.tests.factories import link_token_sent_to, portal_data, submit_and_verify
from rights.tokens import hash_token

pytestmark = pytest.mark.django_db

PORTAL = "/privacy-requests/"
KNOWN = "kari@klinikk.example"
UNKNOWN = "nobody@elsewhere.example"


def _normalised(sql: str) -> str:
    """A query's shape: the same statement with its values left out."""
    return re.sub(r"'[^']*'|\b\d+\b|\"s\w+_x\w+\"", "?", sql)


def test_rig_02_known_and_unknown_addresses_get_the_same_answer_by_the_same_path(client):
    make_lead(email=KNOWN, name="Kari Nordmann")
    answers, shapes = [], []
    for email in (KNOWN, UNKNOWN):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(PORTAL, portal_data(email=email, kind="erasure"))
        answers.append((response.status_code, response["Location"]))
        shapes.append([_normalised(q["sql"]) for q in queries.captured_queries])
        followed = client.get(response["Location"])
        answers.append((followed.status_code, followed.content))

    assert answers[0] == answers[2]
    assert answers[1] == answers[3]
    # The same statements in the same order: no look-up of the address, so no timing difference
    # that depends on it, and no branch a visitor could observe (RG-03).
    assert shapes[0] == shapes[1]
    assert not any("subjects_subject" in q for q in shapes[0])
    # Both addresses get a verification link, through the email worker.
    for email in (KNOWN, UNKNOWN):
        assert OutgoingEmail.objects.get(to_address=email).status == OutgoingEmail.Status.QUEUED


def test_rig_02_the_verification_email_is_delivered_by_the_worker(client, smtp_server, run_tasks):
    client.post(PORTAL, portal_data(email=UNKNOWN))
    assert smtp_server.messages == []  # nothing is sent inline, during the request

    run_tasks()

    [message] = smtp_server.to(UNKNOWN)
    assert "/privacy-requests/verify/" in message.get_content()
    assert "48 hours" in message.get_content()
    assert '("Access to my data")' in message.get_content()
    assert "Harwest AS (Wekst)" in message.get_content()


def test_rig_02_only_a_hash_of_the_link_token_is_stored(client):
    client.post(PORTAL, portal_data())
    token = link_token_sent_to(KNOWN)

    request = Request.objects.get()
    assert request.verification_token_hash == hash_token(token)
    assert token not in str(Request.objects.values().get())


def test_rig_02_nothing_is_disclosed_before_the_link_is_used(client):
    make_lead(email=KNOWN, name="Kari Nordmann")
    client.post(PORTAL, portal_data())
    request = Request.objects.get()

    page = client.get(f"/privacy-requests/{request.public_id}/")
    report = client.get(f"/privacy-requests/{request.public_id}/report/")

    assert page.status_code == 200
    assert "Kari Nordmann" not in page.content.decode()
    assert "Send me a new link" in page.content.decode()
    assert report.status_code == 404
    request.refresh_from_db()
    assert request.subject is None and request.status == Request.Status.UNVERIFIED


def test_rig_02_opening_the_link_shows_a_button_and_changes_nothing(client):
    # Mail scanners fetch links: a GET must never verify.
    client.post(PORTAL, portal_data())
    token = link_token_sent_to(KNOWN)

    response = client.get(f"/privacy-requests/verify/{token}/")

    assert response.status_code == 200
    assert "Confirm my request" in response.content.decode()
    assert Request.objects.get().status == Request.Status.UNVERIFIED


def test_rig_02_the_link_verifies_once_and_lets_only_this_browser_in(client, django_user_model):
    from django.test import Client

    request = submit_and_verify(client)

    assert request.status != Request.Status.UNVERIFIED
    assert request.identity_check.startswith("A single-use link")
    assert request.subject.email == KNOWN
    assert client.get(f"/privacy-requests/{request.public_id}/report/").status_code == 200
    # Another browser that knows the request's id sees nothing.
    stranger = Client()
    assert stranger.get(f"/privacy-requests/{request.public_id}/report/").status_code == 404


def test_rig_02_a_used_link_does_not_work_again(client):
    client.post(PORTAL, portal_data())
    token = link_token_sent_to(KNOWN)
    client.post(f"/privacy-requests/verify/{token}/")

    again = client.post(f"/privacy-requests/verify/{token}/")

    assert again.status_code == 404
    assert "already been used" in again.content.decode()


def test_rig_02_an_expired_link_is_refused_and_nothing_changes(client):
    client.post(PORTAL, portal_data())
    token = link_token_sent_to(KNOWN)

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=48, seconds=1)):
        shown = client.get(f"/privacy-requests/verify/{token}/")
        used = client.post(f"/privacy-requests/verify/{token}/")

    assert shown.status_code == 410
    assert used.status_code == 410
    assert "expired" in used.content.decode()
    assert Request.objects.get().status == Request.Status.UNVERIFIED


@pytest.mark.parametrize("token", ["x", "a" * 65, "not-a-real-token-at-all", "%00"])
def test_rig_02_a_malformed_or_unknown_link_is_refused(client, token):
    assert client.post(f"/privacy-requests/verify/{token}/").status_code == 404
    assert client.get(f"/privacy-requests/verify/{token}/").status_code == 404


def test_rig_02_the_portal_session_ends_after_its_lifetime(client):
    request = submit_and_verify(client)

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
        response = client.get(f"/privacy-requests/{request.public_id}/report/")

    assert response.status_code == 404


def test_rig_02_a_new_link_goes_only_to_the_address_of_the_request(client):
    from django.test import Client

    request = submit_and_verify(client)
    before = set(OutgoingEmail.objects.values_list("pk", flat=True))
    stranger = Client()

    response = stranger.post(f"/privacy-requests/{request.public_id}/new-link/")
    unknown = stranger.post("/privacy-requests/6f1c2b8e-0000-4000-8000-000000000000/new-link/")

    assert response.status_code == unknown.status_code == 200
    assert response.content == unknown.content
    new = OutgoingEmail.objects.exclude(pk__in=before).get()
    assert new.to_address == KNOWN  # the stranger gets nothing; the person gets the link
    token = link_token_sent_to(KNOWN)
    assert stranger.post(f"/privacy-requests/verify/{token}/").status_code == 302


def test_rig_02_unverified_requests_whose_link_lapsed_are_deleted(client):
    from rights.services import delete_lapsed_requests

    client.post(PORTAL, portal_data())
    assert delete_lapsed_requests() == 0

    later = timezone.now() + datetime.timedelta(hours=49)

    assert delete_lapsed_requests(now=later) == 1
    assert not Request.objects.exists()
