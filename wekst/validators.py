"""Validators for what visitors type into public forms, shared so every form refuses the same.

Line breaks in a one-line field are how email header injection is attempted (SEC-03); control
characters in free text cannot be stored or shown safely. A value must also show something: a
name made only of invisible characters reaches staff as an empty-looking lead they cannot
address.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Every character either validator refuses, or must look at more closely (any character beyond
# the Basic Multilingual Plane, for its noncharacters), found in one pass: the contact form is a
# hot path, and a value without any of them (nearly every value) costs a single scan.
_UNICODE_SUSPECTS = (
    "\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff\U00010000-\U0010ffff"
)
# C0 and C1 controls (U+0085 is a line break too) and the Unicode line and paragraph separators.
_ONE_LINE_SUSPECTS = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_UNICODE_SUSPECTS}]")
# Free text keeps its line breaks: LF, and the CR of the CRLF browsers send for a textarea.
_TEXT_SUSPECTS = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_UNICODE_SUSPECTS}]")
# Letters and a symbol that are drawn as nothing: the Hangul fillers (Default_Ignorable_Code_Point)
# and the blank braille pattern, both used to pass a "required" check with an empty-looking name.
_BLANK_VISIBLES = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_VISIBLE_CATEGORIES = frozenset("LNPS")  # letters, numbers, punctuation, symbols
_PHONE = re.compile(r"^\+?[0-9 ()./-]+$")

_NONCHARACTER = _(
    "This contains characters that are not valid text, perhaps from copying and pasting; "
    "please type it in again."
)


def validate_single_line(value: str) -> None:
    """Refuse line breaks and control characters in a name, subject line or other one-line field,
    noncharacters, and a value that shows nothing (see _require_visible).

    Bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069) are refused
    here: in a one-line value they serve no name, yet they can make what staff read, in a list,
    a subject line or an email header, differ from what is stored ("Trojan Source",
    CVE-2021-42574), and an unclosed one reverses whatever is shown after it on the same line.
    The direction marks (U+200E, U+200F, U+061C) stay allowed: they are what keyboards and
    editors put inside Arabic and Hebrew names, and cannot reorder letters. Free text (see
    validate_text) keeps all of them: pasted right-to-left paragraphs carry them, and a message
    is shown as a block of its own, where they cannot reach other text.
    """
    if _ONE_LINE_SUSPECTS.search(value):
        problems = _problems(_ONE_LINE_SUSPECTS.findall(value))
        if "control" in problems:
            raise ValidationError(
                _("Please write this on one line, without line breaks or special characters."),
                code="line_break",
            )
        if "noncharacter" in problems:
            raise ValidationError(_NONCHARACTER, code="noncharacter")
        if "direction" in problems:
            raise ValidationError(
                _(
                    "This contains hidden characters that change the direction of the text; "
                    "please type it in again rather than pasting it."
                ),
                code="direction_control",
            )
    if not value.isascii():  # printable ASCII is always visible: the common case stops here
        _require_visible(value)


def validate_text(value: str) -> None:
    """Refuse control characters in free text (line breaks are allowed), noncharacters, and a
    text that shows nothing (see _require_visible)."""
    if _TEXT_SUSPECTS.search(value):
        problems = _problems(_TEXT_SUSPECTS.findall(value))
        if "control" in problems:
            raise ValidationError(
                _("The text contains characters that cannot be stored; please remove them."),
                code="control_character",
            )
        if "noncharacter" in problems:
            raise ValidationError(_NONCHARACTER, code="noncharacter")
    if not value.isascii():
        _require_visible(value)


def _problems(suspects: list[str]) -> set[str]:
    """What is wrong with the suspect characters found: "control", "noncharacter" (U+FDD0..U+FDEF
    and the last two code points of every plane are "not for open interchange", Unicode §23.7;
    a lone surrogate cannot even be written as UTF-8), "direction"; nothing for the others."""
    problems = set()
    for character in suspects:
        point = ord(character)
        if point <= 0x9F or point in (0x2028, 0x2029):
            problems.add("control")
        elif 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE or 0xD800 <= point <= 0xDFFF:
            problems.add("noncharacter")
        elif 0x202A <= point <= 0x202E or 0x2066 <= point <= 0x2069:
            problems.add("direction")
    return problems


def _require_visible(value: str) -> None:
    """Refuse a value with no visible character: no letter, number, punctuation or symbol (Unicode
    categories L, N, P, S), only format characters (U+200B, U+FEFF, …), combining marks without
    a base, private-use or unassigned code points.

    Invisible characters inside visible text stay allowed: the zero-width joiner of an emoji
    sequence, the zero-width non-joiner of a Persian or Indic name, a combining accent after its
    letter. A blank value (nothing, or only white space) passes: whether it is required is the
    field's own check, with its own message.
    """
    for character in value:
        if (
            unicodedata.category(character)[0] in _VISIBLE_CATEGORIES
            and character not in _BLANK_VISIBLES
        ):
            return
    if value.strip():
        raise ValidationError(
            _(
                "Please write this with letters or digits; what was entered contains only "
                "invisible characters."
            ),
            code="invisible",
        )


def validate_phone(value: str) -> None:
    digits = sum(character.isdigit() for character in value)
    if not _PHONE.match(value) or not 5 <= digits <= 15:
        raise ValidationError(
            _("Please enter a phone number with digits only, for example +47 912 34 567."),
            code="phone",
        )
