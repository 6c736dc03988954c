"""Google Analytics 4: erasing a visitor's analytics data by client id (User Deletion API).

The visitor's client id is in their `_ga` cookie ("GA1.1.<client id>"); the privacy portal reads
it from the browser with the person's consent, or the person types it. Google deletes the data of
that client id in our GA4 property up to the time of the request.

    POST https://www.googleapis.com/analytics/v3/userDeletion/userDeletionRequests:upsert
    {"kind": "analytics#userDeletionRequest", "propertyId": "<GA4 property id>",
     "id": {"type": "CLIENT_ID", "userId": "<client id>"}}

Authorised with an OAuth access token for the scope
https://www.googleapis.com/auth/analytics.user.deletion, obtained from a refresh token (set once
by an administrator of the property; docs/rights.md), so no Google library is needed.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings

from processors.connectors import (
    ManualStepNeeded,
    ProcessorTarget,
    raise_for_status,
    send,
)
from processors.integration import CLIENT_IDS, Integration

PROCESSOR = "google_analytics"
SCOPE = "https://www.googleapis.com/auth/analytics.user.deletion"


def _access_token() -> str:
    response = send(
        "POST",
        settings.GA4_OAUTH_TOKEN_URL,
        recipient=PROCESSOR,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode(
            {
                "grant_type": "refresh_token",
                "client_id": settings.GA4_OAUTH_CLIENT_ID,
                "client_secret": settings.GA4_OAUTH_CLIENT_SECRET,
                "refresh_token": settings.GA4_OAUTH_REFRESH_TOKEN,
            }
        ).encode(),
    )
    raise_for_status(response, "Google OAuth token")
    return response.json()["access_token"]


def erase_user(target: ProcessorTarget) -> None:
    """Ask Google to delete each client id's data in our GA4 property (idempotent: an upsert)."""
    if not target.client_ids:
        return
    configured = (
        settings.GA4_PROPERTY_ID
        and settings.GA4_OAUTH_CLIENT_ID
        and settings.GA4_OAUTH_CLIENT_SECRET
        and settings.GA4_OAUTH_REFRESH_TOKEN
    )
    if not configured:
        raise ManualStepNeeded(
            "The GA4 User Deletion API is not configured (GA4_PROPERTY_ID and GA4_OAUTH_*). "
            "Delete the client ids by hand in Google Analytics: Admin > Data deletion requests."
        )
    token = _access_token()
    for client_id in target.client_ids:
        response = send(
            "POST",
            settings.GA4_USER_DELETION_URL,
            recipient=PROCESSOR,
            headers={"Authorization": f"Bearer {token}"},
            payload={
                "kind": "analytics#userDeletionRequest",
                "propertyId": settings.GA4_PROPERTY_ID,
                "id": {"type": "CLIENT_ID", "userId": client_id},
            },
        )
        raise_for_status(response, "GA4 user deletion")


INTEGRATION = Integration(
    key=PROCESSOR,
    setting="GA4_MEASUREMENT_ID",
    data_categories=("online_identifier", "usage"),
    received_through=CLIENT_IDS,
    known_by=("client_ids",),
    url_settings=("GA4_OAUTH_TOKEN_URL", "GA4_USER_DELETION_URL"),
    # An erasure only: GA4 holds pseudonymous client ids and usage, nothing a correction changes
    # and no contact to restrict; analytics follows the person's cookie consent, which they
    # withdraw themselves (RG-16).
    erase=erase_user,
    # The token request carries our own OAuth credentials; a deletion request names the property
    # and the client id, nothing else.
    what_it_holds=(
        "Cannot be asked per person: GA4 has no API listing what it holds of a client id. Relies "
        "on the property's data retention setting, 14 months (rule analytics_ga4; Admin > Data "
        "collection and modification > Data retention)."
    ),
    sends={
        "grant_type": None,
        "client_id": None,
        "client_secret": None,
        "refresh_token": None,
        "kind": None,
        "propertyId": None,
        "id.type": None,
        "id.userId": "online_identifier",
    },
)
