"""Validators for what visitors type into public forms, shared so every form refuses the same.

Line breaks in a one-line field are how email header injection is attempted (SEC-03); control
characters in free text cannot be stored or shown safely.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_LINE_BREAK_OR_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PHONE = re.compile(r"^\+?[0-9 ()./-]+$")


def validate_single_line(value: str) -> None:
    """Refuse line breaks and control characters in a name, subject line or other one-line field."""
    if _LINE_BREAK_OR_CONTROL.search(value):
        raise ValidationError(
            _("Please write this on one line, without line breaks or special characters."),
            code="line_break",
        )


def validate_text(value: str) -> None:
    """Refuse control characters in free text; line breaks are allowed."""
    if _CONTROL_BUT_NEWLINE.search(value):
        raise ValidationError(
            _("The text contains characters that cannot be stored; please remove them."),
            code="control_character",
        )


def validate_phone(value: str) -> None:
    digits = sum(character.isdigit() for character in value)
    if not _PHONE.match(value) or not 5 <= digits <= 15:
        raise ValidationError(
            _("Please enter a phone number with digits only, for example +47 912 34 567."),
            code="phone",
        )
