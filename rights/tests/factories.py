"""Test data for privacy requests: what a person types into the portal, and the link they get."""

import re

from mail.models import OutgoingEmail
from rights.models import Request

EMAIL = "kari@klinikk.example"
CONSENT_ID = "3f2b8c1e-4a5d-4e6f-9a0b-1c2d3e4f5a6b"
LINK = re.compile(r"/privacy-requests/verify/([A-Za-z0-9_-]+)/")


def portal_data(**overrides) -> dict:
    data = {"kind": "access", "email": "kari@klinikk.example"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def link_token_sent_to(email: str) -> str:
    """The token in the newest portal link emailed to `email`."""
    message = OutgoingEmail.objects.filter(to_address=email).order_by("-pk").first()
    assert message is not None, f"no email to {email}"
    match = LINK.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


def submit_and_verify(client, **overrides) -> Request:
    """Make a request through the portal and open the emailed link in the same browser."""
    data = portal_data(**overrides)
    response = client.post("/privacy-requests/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    token = link_token_sent_to(data["email"])
    response = client.post(f"/privacy-requests/verify/{token}/")
    assert response.status_code == 302
    return Request.objects.order_by("-pk").first()
