"""How an email address or phone number is reduced to the one form a person is known by: the key
of the subject index (subjects), and of the public forms' limits per address (wekst.public_forms).
"""

import re

_NON_DIGITS = re.compile(r"\D")


def normalise_email(email: str) -> str:
    """Lower-case and trim: the same mailbox typed twice must find the same person.

    Never longer than what was typed, so an address a form or a webhook accepted (at most 254
    characters) fits the index's column: "İ" (U+0130), the one character whose lower case is two
    ("i" and a combining dot), becomes "i", its one-character lower case in Unicode's simple
    mapping. Else a valid address of 248 characters, most of them "İ", became 488, which
    PostgreSQL refused with a 500 (found 8 Dec 2026)."""
    return email.strip().replace("\u0130", "i").lower()


def normalise_phone(phone: str) -> str:
    """Digits with a leading +country code; a bare 8-digit number is taken as Norwegian (+47)."""
    phone = phone.strip()
    if not phone:
        return ""
    digits = _NON_DIGITS.sub("", phone)
    if phone.startswith("+"):
        return f"+{digits}"
    if digits.startswith("00"):
        return f"+{digits[2:]}"
    if len(digits) == 8:
        return f"+47{digits}"
    return f"+{digits}" if digits else ""
