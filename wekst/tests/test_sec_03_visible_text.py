"""SEC-03: what a visitor types must show something and be valid text. A required name made only
of invisible characters, noncharacters anywhere, or controls that reorder a one-line value are
refused by the shared validators (wekst.validators); invisible characters that real text needs
stay allowed. The same rule on every public form: test_sec_03_visible_text_forms.py."""

import unicodedata

import pytest
from django import forms
from django.core.exceptions import ValidationError

from clinics.forms import ClinicEnquiryForm
from content.forms import ChildReportForm, CommentForm, ProfileForm
from content.forms import SignupForm as AccountSignupForm
from leads.forms import (
    InformationRequestForm,
    LeadForm,
    MeetingBookingForm,
    MeetingRequestForm,
)
from newsletter.forms import SignupForm as NewsletterSignupForm
from rights.forms import PortalForm
from wekst.validators import validate_single_line, validate_text

# Values real people write, with the invisible characters their writing needs.
REAL_TEXT = {
    "combining accents after their letters": "Jose\u0301 Zoe\u0308",
    "emoji joined by ZWJ": "Kari \U0001f469\u200d\u2695\ufe0f",
    "family emoji": "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    # England: the black flag, then the tags "gbeng" and the cancel tag.
    "flag with tag characters": "\U0001f3f4"
    + "".join(chr(0xE0000 + ord(c)) for c in "gbeng")
    + "\U000e007f",
    "persian name with ZWNJ": "\u0639\u0644\u06cc\u200c\u0631\u0636\u0627",
    "devanagari with ZWNJ": "\u0915\u094d\u200c\u0937",
    "arabic name with RLM": "\u0645\u062d\u0645\u062f\u200f \u0639\u0644\u064a",
    "hebrew name with LRM": "\u05d3\u05d5\u05d3\u200e (David)",
    "arabic letter mark": "\u061c\u0639\u0644\u064a 2",
    "thai with its vowel and tone marks": "\u0e2a\u0e21\u0e28\u0e31\u0e01\u0e14\u0e34\u0e4c",
    "a zero-width space inside a name": "Kari\u200bNordmann",
    "soft hyphen inside a word": "Tann\u00adklinikk",
    "private use next to letters": "Kari \ue000",
    # Nothing invisible in these: letters, a symbol, punctuation alone are all visible.
    "ascii name": "Kari Nordmann",
    "norwegian letters": "\u00c5se \u00d8vreb\u00f8-Hansen",
    "japanese": "\u5c71\u7530\u592a\u90ce",
    "a symbol alone": "\u2605",
    "punctuation alone": "?",
    # Empty or white space only: whether that is allowed is the field's own "required" check.
    "empty": "",
    "spaces": "   ",
    "ideographic space": "\u3000",
}


def invisible_part(value: str) -> str:
    """The characters of `value` that show nothing on their own (not white space)."""
    return "".join(c for c in value if unicodedata.category(c)[0] not in "LNPS" and not c.isspace())


INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width space with spaces": " \u200b ",
    "joiners only": "\u200b\u200c\u200d",
    "byte order mark": "\ufeff",
    "word joiner and invisible operators": "\u2060\u2061\u2062\u2063\u2064",
    "direction marks only": "\u200e\u200f",
    "soft hyphen": "\u00ad",
    "combining marks without a base": "\u0301\u0308",
    "combining grapheme joiner": "\u034f",
    "variation selector": "\ufe0f",
    "tag characters": "\U000e0041\U000e0042",
    "mongolian vowel separator": "\u180e",
    "hangul filler": "\u3164",
    "hangul choseong and jungseong fillers": "\u115f\u1160",
    "halfwidth hangul filler": "\uffa0",
    "blank braille pattern": "\u2800",
    "private use only": "\ue000",
    "unassigned only": "\U000e0fff",
}
NONCHARACTERS = {
    "U+FDD0 alone": "\ufdd0",
    "U+FDEF after a name": "Kari\ufdef",
    "U+FFFE inside a name": "Ka\ufffeRi",
    "U+FFFF": "Kari \uffff",
    "U+1FFFE": "Kari \U0001fffe",
    "U+10FFFF": "Kari \U0010ffff",
    "a lone surrogate": "Kari \ud800",
}
DIRECTION_CONTROLS = {
    "right-to-left override": "Kari \u202eNordmann",
    "left-to-right override": "\u202dKari",
    "embedding with its pop": "\u202aKari\u202c",
    "right-to-left embedding": "\u202bKari",
    "isolates": "\u2066Kari\u2069 \u2067Nordmann\u2069",
    "first strong isolate": "\u2068Kari\u2069",
}


def refusal(validator, value: str) -> str:
    with pytest.raises(ValidationError) as raised:
        validator(value)
    return raised.value.code


@pytest.mark.parametrize("value", REAL_TEXT.values(), ids=REAL_TEXT)
@pytest.mark.parametrize("validator", [validate_single_line, validate_text])
def test_sec_03_invisible_characters_real_text_needs_are_kept_in_it_and_refused_alone(
    validator, value
):
    validator(value)
    if invisible_part(value):
        assert refusal(validator, invisible_part(value)) == "invisible"


@pytest.mark.parametrize("value", INVISIBLE.values(), ids=INVISIBLE)
@pytest.mark.parametrize("validator", [validate_single_line, validate_text])
def test_sec_03_a_value_that_shows_nothing_is_refused(validator, value):
    assert refusal(validator, value) == "invisible"


@pytest.mark.parametrize("value", NONCHARACTERS.values(), ids=NONCHARACTERS)
@pytest.mark.parametrize("validator", [validate_single_line, validate_text])
def test_sec_03_noncharacters_are_refused_anywhere(validator, value):
    assert refusal(validator, value) == "noncharacter"


@pytest.mark.parametrize("value", DIRECTION_CONTROLS.values(), ids=DIRECTION_CONTROLS)
def test_sec_03_controls_that_reorder_text_are_refused_on_one_line_and_kept_in_free_text(value):
    assert refusal(validate_single_line, value) == "direction_control"
    # A pasted right-to-left paragraph carries them; in its own block they reach no other text.
    validate_text(value)
    validate_text(f"\u0645\u0631\u062d\u0628\u0627\n{value}\n")


def test_sec_03_direction_controls_alone_show_nothing_and_are_refused_in_both():
    assert refusal(validate_single_line, "\u2067\u202e\u2069") == "direction_control"
    assert refusal(validate_text, "\u2067\u202e\u2069") == "invisible"


@pytest.mark.parametrize(
    "value",
    ["Kari\u0085Nordmann", "Kari\x9bNordmann", "Kari\u2028Nordmann", "Kari\nNordmann"],
    ids=["next line", "C1 control", "line separator", "line feed"],
)
def test_sec_03_any_line_break_or_control_is_refused_in_a_one_line_field(value):
    assert refusal(validate_single_line, value) == "line_break"


def test_sec_03_free_text_keeps_the_line_breaks_a_browser_sends():
    """A textarea is posted with CRLF line breaks (HTML's form encoding), which the forms store
    as LF; both are line breaks, not control characters."""
    validate_text("Thank you.\r\nA second line.\r\n\r\nA paragraph.")
    validate_text("Thank you.\nA second line.")
    assert refusal(validate_text, "Hello\x07bell") == "control_character"
    assert refusal(validate_text, "Hello\x85next") == "control_character"
    assert refusal(validate_text, "\r\n\u200b\r\n") == "invisible"


# Each public form a visitor types into, as its page builds it.
PUBLIC_FORMS = {
    "contact": lambda: LeadForm(),
    "information": lambda: InformationRequestForm(),
    "growth meeting request": lambda: MeetingRequestForm(),
    "growth meeting booking": lambda: MeetingBookingForm(),
    "clinic enquiry": lambda: ClinicEnquiryForm(),
    "comment": lambda: CommentForm(),
    "account sign-up": lambda: AccountSignupForm(),
    "profile": lambda: ProfileForm(),
    "newsletter": lambda: NewsletterSignupForm(),
    "privacy portal": lambda: PortalForm(),
    "child's data report": lambda: ChildReportForm(),
}
# Never typed text that is kept: the honeypot is dropped, passwords are hashed, the hidden
# browser identifiers have validators of their own.
NOT_TEXT = {"website", "password1", "password2", "consent_id", "analytics_client_id"}


@pytest.mark.parametrize("build", PUBLIC_FORMS.values(), ids=PUBLIC_FORMS)
def test_sec_03_every_text_field_of_the_public_forms_runs_a_shared_validator(build):
    form = build()
    unchecked = [
        name
        for name, field in form.fields.items()
        if type(field) is not forms.EmailField
        and isinstance(field, forms.CharField)
        and name not in NOT_TEXT
        and validate_single_line not in field.validators
        and validate_text not in field.validators
    ]
    assert not unchecked
