"""How an email address or phone number is reduced to the one form the subject index is keyed on."""

import re

_NON_DIGITS = re.compile(r"\D")


def normalise_email(email: str) -> str:
    """Lower-case and trim: the same mailbox typed twice must find the same person."""
    return email.strip().lower()


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
