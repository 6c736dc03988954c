"""The email/CRM provider (Brevo, per the declaration): deleting the person's contact.

    DELETE https://api.brevo.com/v3/contacts/<urlencoded email>     header `api-key`

204 means deleted; 404 means Brevo holds no such contact, which is the state we want, so both
complete the job. Anything else is retried.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings

from processors.connectors import ErasureTarget, ManualStepNeeded, raise_for_status, send

PROCESSOR = "email_provider"


def erase_contact(target: ErasureTarget) -> None:
    if not target.emails:
        return
    if not settings.BREVO_API_KEY:
        raise ManualStepNeeded(
            "The email provider's API key (BREVO_API_KEY) is not set. Delete the contact by "
            "hand in Brevo: Contacts > search the address > Delete."
        )
    for email in target.emails:
        response = send(
            "DELETE",
            f"{settings.BREVO_API_URL}/contacts/{quote(email, safe='')}",
            headers={"api-key": settings.BREVO_API_KEY, "Accept": "application/json"},
        )
        raise_for_status(response, "Brevo contact deletion", done_statuses=(404,))
