"""The email/CRM provider (Brevo, per the declaration): deleting, correcting and blocklisting the
person's contact, which Brevo knows by the email address.

    DELETE https://api.brevo.com/v3/contacts/<urlencoded email>     header `api-key`
    PUT    https://api.brevo.com/v3/contacts/<urlencoded email>     {"attributes": {...}}
    PUT    https://api.brevo.com/v3/contacts/<urlencoded email>     {"emailBlacklisted": true, ...}
    GET    https://api.brevo.com/v3/contacts?limit=&offset=&sort=asc  (the retention reconciliation)

204 means done; 404 means Brevo holds no such contact, so there is nothing to erase, correct or
restrict there, and the job is complete. Anything else is retried.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from urllib.parse import quote, urlencode

from django.conf import settings

from processors.connectors import (
    ConnectorFailed,
    ManualStepNeeded,
    ProcessorTarget,
    raise_for_status,
    send,
)
from processors.integration import ACTIVITIES, Integration

PROCESSOR = "email_provider"
# Backends that deliver no email to anyone: no email provider receives data through them.
LOCAL_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


def attribute_names() -> tuple[str, str, str]:
    """The account's contact attributes for a first name, a last name and a phone number.

    Their names differ between Brevo accounts (FIRSTNAME/LASTNAME/SMS are common, Brevo's own
    examples use FNAME/LNAME): settings BREVO_ATTRIBUTE_FIRST_NAME, _LAST_NAME, _PHONE. Company
    and role have no standard attribute in Brevo, so a correction of those waits for staff.
    """
    return (
        settings.BREVO_ATTRIBUTE_FIRST_NAME,
        settings.BREVO_ATTRIBUTE_LAST_NAME,
        settings.BREVO_ATTRIBUTE_PHONE,
    )


def email_provider_switched_on() -> bool:
    """Email leaves through a provider unless a local backend (console, files, memory) is set."""
    backend = settings.MAILERS.get("default", {}).get("BACKEND", "")
    return backend not in LOCAL_EMAIL_BACKENDS


def _contact_url(email: str) -> str:
    return f"{settings.BREVO_API_URL}/contacts/{quote(email, safe='')}"


def _headers() -> dict[str, str]:
    return {"api-key": settings.BREVO_API_KEY, "Accept": "application/json"}


def erase_contact(target: ProcessorTarget) -> None:
    if not target.emails:
        return
    if not settings.BREVO_API_KEY:
        raise ManualStepNeeded(
            "The email provider's API key (BREVO_API_KEY) is not set. Delete the contact by "
            "hand in Brevo: Contacts > search the address > Delete."
        )
    for email in target.emails:
        response = send(
            "DELETE", _contact_url(email), recipient="email_provider", headers=_headers()
        )
        raise_for_status(response, "Brevo contact deletion", done_statuses=(404,))


def contact_attributes(changes: dict[str, str]) -> dict[str, str]:
    """Brevo attributes for the corrected values it has a standard attribute for."""
    first_name, last_name, phone = attribute_names()
    attributes = {}
    if "name" in changes:
        # Brevo splits a name in two; the last word is taken as the family name.
        first, _, last = changes["name"].strip().rpartition(" ")
        attributes[first_name] = first or last
        attributes[last_name] = last if first else ""
    if "phone" in changes:
        attributes[phone] = changes["phone"]
    return attributes


def rectify_contact(target: ProcessorTarget, changes: dict[str, str]) -> None:
    """Correct the contact's name and phone number (Art. 16, 19); other corrected values, which
    Brevo has no standard attribute for, are left to staff with the job's `changes`."""
    if not target.emails or not changes:
        return
    by_hand = sorted(set(changes) - {"name", "phone"})
    if not settings.BREVO_API_KEY:
        raise ManualStepNeeded(
            "The email provider's API key (BREVO_API_KEY) is not set. Correct "
            f"{', '.join(sorted(changes))} by hand in Brevo: Contacts > search the address > "
            "Edit, with the corrected values in this job's changes."
        )
    attributes = contact_attributes(changes)
    if attributes:
        for email in target.emails:
            response = send(
                "PUT",
                _contact_url(email),
                recipient="email_provider",
                headers=_headers(),
                payload={"attributes": attributes},
            )
            raise_for_status(response, "Brevo contact correction", done_statuses=(404,))
    if by_hand:
        raise ManualStepNeeded(
            f"Brevo has no standard attribute for {', '.join(by_hand)}: correct it by hand in "
            "Brevo (Contacts > search the address > Edit) with the corrected values in this "
            "job's changes, then mark the job done."
        )


def restrict_contact(target: ProcessorTarget) -> None:
    """Blocklist the contact for email and SMS campaigns (Art. 18, 19): Brevo keeps the contact
    but sends it no marketing. Brevo still delivers transactional email, so we can still answer
    the person (and tell them before the restriction is lifted, Art. 18(3))."""
    if not target.emails:
        return
    if not settings.BREVO_API_KEY:
        raise ManualStepNeeded(
            "The email provider's API key (BREVO_API_KEY) is not set. Restrict the contact by "
            "hand in Brevo: Contacts > search the address > Blocklist for email and SMS."
        )
    for email in target.emails:
        response = send(
            "PUT",
            _contact_url(email),
            recipient="email_provider",
            headers=_headers(),
            payload={"emailBlacklisted": True, "smsBlacklisted": True},
        )
        raise_for_status(response, "Brevo contact restriction", done_statuses=(404,))


def list_contacts(*, offset: int, limit: int) -> tuple[list[dict], int]:
    """One page of the contacts Brevo holds, oldest first, and how many it holds in all, for the
    retention reconciliation (RT-09):

        GET https://api.brevo.com/v3/contacts?limit=<n>&offset=<n>&sort=asc

    ManualStepNeeded without an API key; ConnectorFailed when Brevo does not answer with a list.
    """
    if not settings.BREVO_API_KEY:
        raise ManualStepNeeded(
            "The email provider's API key (BREVO_API_KEY) is not set: Brevo cannot be asked "
            "which contacts it holds."
        )
    query = urlencode({"limit": limit, "offset": offset, "sort": "asc"})
    response = send(
        "GET", f"{settings.BREVO_API_URL}/contacts?{query}", recipient=PROCESSOR, headers=_headers()
    )
    raise_for_status(response, "Brevo contact list")
    try:
        answer = response.json()
        contacts = [c for c in answer.get("contacts") or [] if isinstance(c, dict)]
        return contacts, int(answer.get("count") or 0)
    except (ValueError, AttributeError, TypeError) as error:
        raise ConnectorFailed(f"Brevo contact list: not a contact list ({error})") from error


class BrevoSends(Mapping[str, str | None]):
    """The fields Brevo may be sent (PT-08), with the attribute names read from the settings each
    time, so that the allow-list follows the account's names."""

    FIXED = {
        "emailBlacklisted": "consent_record",
        "smsBlacklisted": "consent_record",
        "limit": None,
        "offset": None,
        "sort": None,
    }

    def _fields(self) -> dict[str, str | None]:
        first_name, last_name, phone = attribute_names()
        return {
            f"attributes.{first_name}": "identity",
            f"attributes.{last_name}": "identity",
            f"attributes.{phone}": "contact",
            **self.FIXED,
        }

    def __getitem__(self, name: str) -> str | None:
        return self._fields()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields())

    def __len__(self) -> int:
        return len(self._fields())


INTEGRATION = Integration(
    key=PROCESSOR,
    setting="EMAIL_BACKEND",
    switched_on=email_provider_switched_on,
    data_categories=("identity", "contact", "professional", "consent_record"),
    # It receives the address of everyone an activity it serves mails (newsletter, replies).
    received_through=ACTIVITIES,
    known_by=("emails",),
    url_settings=("BREVO_API_URL",),
    erase=erase_contact,
    rectify=rectify_contact,
    restrict=restrict_contact,
    # Asked what it holds by the retention reconciliation (list_contacts), so no `what_it_holds`.
    # The contact itself is named by its address in the URL (`known_by`); a body carries only the
    # corrected name and phone, or the blocklist flags (the person's marketing choice). Company
    # and role are never sent: Brevo has no standard attribute for them.
    sends=BrevoSends(),
)
