"""The disclosure log: each disclosure of a person's data to a public authority or a professional
adviser, checked against the declaration and audited (policy §5; GDPR Art. 5(2), 15(1)(c))."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from declaration.schema import Recipient as DeclaredRecipient
from declaration.selectors import get_declaration
from processors.models import Disclosure, Role
from subjects.models import Subject
from wekst.validators import validate_single_line

DISCLOSURE_ROLES = (Role.AUTHORITY, Role.ADVISER)
# A legal provision names a section or an article: "skatteforvaltningsloven § 10-2",
# "GDPR Art. 58(1)(a)". A statute's name alone does not say what required the disclosure.
_SECTION_NUMBER = re.compile(r"\d")


def disclosure_recipients() -> list[DeclaredRecipient]:
    """The declaration's recipients data may be disclosed to outside the processor register: the
    public authorities and the professional advisers (policy §5)."""
    return [r for r in get_declaration().recipients.values() if r.role in DISCLOSURE_ROLES]


def check_disclosure(disclosure: Disclosure) -> None:
    """Refuse a disclosure record the declaration does not allow, or that does not say why it was
    made: every problem at once, by field. Sets the recipient's role from the declaration.

    The policy promises that authorities receive data only where the law requires it, so a
    disclosure to an authority names the provision and the authority's reference for the
    request; the data disclosed must be among the categories the policy names for that recipient,
    or the policy would no longer be true (change the declaration first).
    """
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    declared = {r.key: r for r in disclosure_recipients()}.get(disclosure.recipient)
    if declared is None:
        refuse(
            "recipient",
            _("Choose a public authority or a professional adviser named in our privacy policy."),
        )
    else:
        disclosure.recipient_role = declared.role
    for field in ("recipient_name", "legal_provision", "request_reference", "adviser_purpose"):
        value = getattr(disclosure, field) or ""
        setattr(disclosure, field, value.strip())
        try:
            validate_single_line(value)
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)
    if not disclosure.recipient_name:
        refuse("recipient_name", _("Name the authority or adviser that received the data."))
    categories = disclosure.data_categories
    if not isinstance(categories, list) or not categories:
        refuse("data_categories", _("Choose the data that was disclosed."))
    elif declared is not None:
        undeclared = [c for c in categories if c not in declared.data_categories]
        if undeclared:
            refuse(
                "data_categories",
                _(
                    "Our privacy policy does not say that %(data)s goes to %(recipient)s: change "
                    "the declaration first, so that the policy stays true."
                )
                % {"data": ", ".join(map(str, undeclared)), "recipient": declared.name},
            )
    if not isinstance(disclosure.disclosed_on, datetime.date):
        refuse("disclosed_on", _("Give the date of the disclosure."))
    elif disclosure.disclosed_on > timezone.localdate():
        refuse("disclosed_on", _("A disclosure is recorded once it was made, not before."))
    if disclosure.recipient_role == Role.AUTHORITY:
        if not disclosure.legal_provision:
            refuse(
                "legal_provision",
                _(
                    "A disclosure to a public authority is made only where the law requires it: "
                    'name the statute and section, e.g. "skatteforvaltningsloven § 10-2".'
                ),
            )
        elif not _SECTION_NUMBER.search(disclosure.legal_provision):
            refuse(
                "legal_provision",
                _(
                    "Name the section or article too, not only the statute, e.g. "
                    '"skatteforvaltningsloven § 10-2".'
                ),
            )
        if not disclosure.request_reference:
            refuse(
                "request_reference",
                _("Give the authority's reference for the request (its case or letter number)."),
            )
    elif disclosure.recipient_role == Role.ADVISER and not disclosure.adviser_purpose:
        refuse("adviser_purpose", _("Say what the adviser needed the data for."))
    if errors:
        raise ValidationError(errors)


def record_disclosure(
    *,
    subject: Subject,
    recipient: str,
    recipient_name: str,
    data_categories: list[str],
    disclosed_on: datetime.date,
    legal_provision: str = "",
    request_reference: str = "",
    adviser_purpose: str = "",
    actor: str,
) -> Disclosure:
    """Record that a person's data was disclosed to an authority or an adviser, with why.

    Bad input raises ValidationError (by field) and stores nothing. The record and its audit
    entry are committed together; the record is the proof the policy's promise needs (§5), shown
    to the person in their access report and kept through an erasure request for its declared
    period (retention rule disclosure_record).
    """
    disclosure = Disclosure(
        subject=subject,
        recipient=recipient,
        recipient_name=recipient_name,
        data_categories=list(data_categories) if data_categories is not None else [],
        disclosed_on=disclosed_on,
        legal_provision=legal_provision,
        request_reference=request_reference,
        adviser_purpose=adviser_purpose,
    )
    check_disclosure(disclosure)
    disclosure.full_clean()
    with transaction.atomic():
        disclosure.save()
        record_event(
            actor=actor,
            action="create",
            object_type="processors.Disclosure",
            object_id=disclosure.pk,
            subject_ref=subject.public_id,
            reason=f"disclosure to {disclosure.recipient} ({disclosure.recipient_role})",
        )
    return disclosure
