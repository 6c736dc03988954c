"""SEC-03 on the pages: each public form refuses a value that shows nothing, with the message in
the page's language, keeps nothing, and gives the form back to correct. The rule itself, case by
case: test_sec_03_visible_text.py."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache

from clinics.tests.factories import make_clinic
from content.models import Comment, Profile
from content.tests.factories import comment_data, make_article, make_profile
from leads.models import Lead
from leads.tests.factories import contact_form_data
from mail.models import OutgoingEmail
from newsletter.models import Subscription
from rights.models import Request
from subjects.models import Subject

pytestmark = pytest.mark.django_db

INVISIBLE = {
    "en": "Please write this with letters or digits; what was entered contains only invisible "
    "characters.",
    "nb": "Skriv dette med bokstaver eller tall; det som ble skrevet inn, består bare av usynlige "
    "tegn.",
}
NONCHARACTER = {
    "en": "This contains characters that are not valid text, perhaps from copying and pasting; "
    "please type it in again.",
    "nb": "Dette inneholder tegn som ikke er gyldig tekst, kanskje fra kopiering og innliming; "
    "skriv det inn på nytt.",
}
DIRECTION = {
    "en": "This contains hidden characters that change the direction of the text; please type "
    "it in again rather than pasting it.",
    "nb": "Dette inneholder skjulte tegn som endrer retningen på teksten; skriv det inn på nytt i "
    "stedet for å lime det inn.",
}
# Everything a public form can leave behind.
STORED = [Lead, Comment, Subscription, Request, Subject, OutgoingEmail, Profile, get_user_model()]
PASSWORD = "a long and unusual passphrase"


@dataclass
class Case:
    path: str
    data: dict
    message: dict = field(default_factory=lambda: INVISIBLE)
    setup: Callable = lambda client: None


def _signed_in(client) -> None:
    client.force_login(make_profile().user)


CASES = {
    "contact, name": Case("/contact/", contact_form_data(name="\u200b")),
    "contact, company": Case("/contact/", contact_form_data(company="\u2060\u200d")),
    "contact, name with a noncharacter": Case(
        "/contact/", contact_form_data(name="Kari\ufdd0"), NONCHARACTER
    ),
    "contact, name with a bidi override": Case(
        "/contact/", contact_form_data(name="Kari \u202ennamdroN"), DIRECTION
    ),
    "information, message": Case(
        "/information/", contact_form_data(name="", message="\ufeff\r\n\u200b")
    ),
    "growth meeting, preferred times": Case(
        "/growth-meeting/",
        contact_form_data(role=None, preferred_times="\u2063\u2063", topic="patients"),
    ),
    "growth meeting, clinic": Case(
        "/growth-meeting/",
        contact_form_data(role=None, company="\u0301", preferred_times="Tuesday", topic="other"),
    ),
    "clinic enquiry, name": Case(
        "/clinics/tannlege-nord/contact/",
        contact_form_data(name="\u0301\u0308"),
        setup=lambda client: make_clinic(),
    ),
    "comment, name": Case(
        "/articles/growing-a-dental-clinic/",
        comment_data(name="\u3164"),
        setup=lambda client: make_article(),
    ),
    "comment, text": Case(
        "/articles/growing-a-dental-clinic/",
        comment_data(text="\u00ad\u200b"),
        setup=lambda client: make_article(),
    ),
    "account sign-up, name": Case(
        "/account/signup/",
        {
            "username": "kari",
            "email": "kari@example.no",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "name": "\u200e\u200f",
            "age_confirmed": "on",
        },
    ),
    "profile, name": Case(
        "/account/profile/",
        {"name": "\u2800", "email": "kari@example.no", "bio": ""},
        setup=_signed_in,
    ),
    "newsletter, name": Case(
        "/newsletter/", {"email": "kari@example.no", "name": "\ufe0f", "age_confirmed": "on"}
    ),
    "privacy portal, correct name": Case(
        "/privacy-requests/",
        {"kind": "rectification", "email": "kari@klinikk.example", "name": "\u200b\u200b"},
    ),
    "child's data report, details": Case(
        "/children/report/", {"email": "child@example.no", "details": "\u200b"}
    ),
}


@pytest.fixture(autouse=True)
def _fresh_limits_and_a_working_day(settings, tmp_path):
    """A date inside the clinic's engagement, an empty rate-limit count, and private files
    (agreements) in the test's own directory."""
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    cache.clear()
    with time_machine.travel(datetime.datetime(2026, 5, 4, 10, tzinfo=datetime.UTC), tick=False):
        yield
    cache.clear()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in STORED}


@pytest.mark.parametrize("language", ["en", "nb"])
@pytest.mark.parametrize("case", CASES.values(), ids=CASES)
def test_sec_03_a_public_form_refuses_what_shows_nothing_in_the_pages_language(
    client, case, language
):
    case.setup(client)
    before = _counts()
    profile_names = list(Profile.objects.values_list("name", flat=True))

    response = client.post(("/nb" if language == "nb" else "") + case.path, case.data)

    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert case.message[language] in page
    other = "en" if language == "nb" else "nb"
    assert case.message[other] not in page
    assert 'method="post"' in page  # the form is back, to correct and send again
    assert _counts() == before
    assert list(Profile.objects.values_list("name", flat=True)) == profile_names


def test_sec_03_a_comment_written_on_several_lines_in_a_browser_is_accepted(client):
    """Browsers post a textarea's line breaks as CRLF; the carriage return is not a control
    character to refuse."""
    make_article()

    response = client.post(
        "/articles/growing-a-dental-clinic/", comment_data(text="First line.\r\nSecond line.")
    )

    assert response.status_code == 302
    assert Comment.objects.get().text.splitlines() == ["First line.", "Second line."]
