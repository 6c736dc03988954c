"""DEC-02 on every public page: the Norwegian pages are entirely Norwegian, the English ones carry
no Norwegian from the declaration.

The pages are those the DEC-07 crawl finds (consent/tests/crawl.py: every named page without
parameters, and every page linked from them) plus the pages that need an object or a step (an
article and its comment form, a clinic's enquiry form, the privacy portal's steps, the newsletter's
links, a signed-in profile, a consent receipt, the error pages) and the states in which more text
shows: after a form error, after too many submissions, with the cookie banner before and after a
choice. Each is rendered with Django's test client (no browser) and read by
declaration.tests.language, which names the page and the text.
"""

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from clinics.tests.factories import make_clinic
from consent.tests.crawl import discover_pages
from consent.tests.factories import give_cookie, make_decision
from content.tests.factories import make_article, make_profile
from declaration.publishing import publish_policy, render_document
from declaration.selectors import get_declaration
from declaration.tests import language
from newsletter.tests.factories import confirmed_subscription, unconfirmed_subscription
from rights.tests.factories import link_token_sent_to

CLINIC = "/clinics/tannlege-nord/contact/"
ARTICLE = "/articles/growing-a-dental-clinic/"
# Forms sent empty, to show their errors; and sent once more than their limit, to show the 429.
FORMS = (
    "/contact/",
    "/information/",
    "/newsletter/",
    "/privacy-requests/",
    "/account/signup/",
    "/account/login/",
    "/children/report/",
    CLINIC,
    ARTICLE,
)
RATE_LIMITS = {
    "LEADS_RATE_LIMIT_PER_IP": 1,
    "NEWSLETTER_RATE_LIMIT_PER_IP": 1,
    "CONTENT_RATE_LIMIT_PER_IP": 1,
    "RIGHTS_RATE_LIMIT_PER_IP": 1,
}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # Every page here is asked from the same address: each test starts with no submission counted.
    cache.clear()
    yield
    cache.clear()


class Pages:
    """The pages read in one language: path (and state) -> HTML."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.html: dict[str, str] = {}

    def get(self, client, path: str, state: str = "", **kwargs):
        return self._keep(client.get(self.prefix + path, **kwargs), path, state)

    def post(self, client, path: str, data: dict, state: str):
        return self._keep(client.post(self.prefix + path, data), path, state)

    def _keep(self, response, path: str, state: str):
        if response.get("Content-Type", "").startswith("text/html") and response.content:
            label = f"{self.prefix}{path}" + (f" ({state})" if state else "")
            self.html[label] = response.content.decode()
        return response


def collect_pages(prefix: str, settings) -> dict[str, str]:
    """Every public page in one language ("" English, "/nb" Norwegian), in each of its states."""
    make_article()
    make_clinic()
    _publish_the_current_version()
    pages = Pages(prefix)
    client = Client()
    crawled = discover_pages(extra=(CLINIC, f"/nb{CLINIC}"))
    for path in crawled:
        if path.startswith("/nb/") == (prefix == "/nb"):
            pages.get(client, path.removeprefix("/nb"))
    # The banner after a choice (it closes, and its settings say what was chosen).
    chosen = Client()
    give_cookie(chosen, make_decision(analytics=False, marketing=False, embedded=False))
    for path in ("/", ARTICLE, "/cookies/"):
        pages.get(chosen, path, "after a consent choice")
    _steps(pages, prefix)
    for path in FORMS:
        pages.post(Client(), path, {}, "form error")
    _errors(pages)
    for name, limit in RATE_LIMITS.items():
        setattr(settings, name, limit)
    for path in FORMS:
        limited = Client()
        for _ in range(3):
            response = pages.post(limited, path, {"email": "kari@example.no"}, "rate limited")
        assert response.status_code == 429, f"{prefix}{path} was not rate limited"
    return pages.html


def _publish_the_current_version() -> None:
    """Publish the declaration's version on its own date, so that the archive lists it (and the
    earlier ones), with their pages and differences for the crawl to follow."""
    current = get_declaration().current
    publish_policy(
        now=timezone.make_aware(datetime.datetime.combine(current.date, datetime.time(12)))
    )


def _steps(pages: Pages, prefix: str) -> None:
    """The pages that need an object or a step before them."""
    client = Client()
    # Kari first leaves records of several kinds, so that her access report has their tables.
    kari = {"name": "Kari Nordmann", "email": "kari@example.no"}
    Client().post(f"{prefix}/contact/", {**kari, "message": "Ring meg.", "company": "Klinikk AS"})
    Client().post(f"{prefix}/newsletter/", {**kari, "age_confirmed": "on"})
    Client().post(f"{prefix}{ARTICLE}", {**kari, "text": "Takk!", "age_confirmed": "on"})
    # The privacy portal: sent, the emailed link, the request, its report, a refused link.
    pages.post(client, "/privacy-requests/", {"kind": "access", "email": "kari@example.no"}, "sent")
    pages.get(client, "/privacy-requests/sent/")
    # The portal's second step, each right's own fields (with and without JavaScript's help).
    for right in ("rectification", "objection_li", "erasure"):
        pages.get(Client(), f"/privacy-requests/?right={right}")
    pages.post(Client(), "/privacy-requests/", {"kind": "access", "step": "choose"}, "step two")
    token = link_token_sent_to("kari@example.no")
    pages.get(client, f"/privacy-requests/verify/{token}/")
    response = client.post(f"{prefix}/privacy-requests/verify/{token}/")
    detail = response["Location"].removeprefix("/nb")
    pages.get(client, detail)
    pages.get(client, f"{detail}report/")
    pages.get(client, f"{detail}report.json?t=not-a-token", "refused download")
    pages.get(Client(), detail, "signed out")
    pages.get(client, "/privacy-requests/verify/not-a-token/")
    # The newsletter: sign-up sent, confirmation link, unsubscribe, unknown links.
    pages.post(client, "/newsletter/", {"email": "ola@example.no", "consent": "on"}, "sent")
    pages.get(client, "/newsletter/check-your-inbox/")
    unconfirmed_subscription("per@example.no")
    from mail.models import OutgoingEmail
    from newsletter.tests.factories import CONFIRM_LINK

    message = OutgoingEmail.objects.filter(to_address="per@example.no").latest("pk")
    confirm = CONFIRM_LINK.search(message.body_text).group(1).removeprefix("/nb")
    pages.get(client, confirm)
    pages.post(client, confirm, {}, "confirmed")
    pages.get(client, "/newsletter/confirm/not-a-token/")
    subscription = confirmed_subscription("siri@example.no")
    unsubscribe = f"/newsletter/unsubscribe/{subscription.unsubscribe_token}/"
    pages.get(client, unsubscribe)
    pages.post(client, unsubscribe, {}, "unsubscribed")
    pages.get(client, "/newsletter/unsubscribe/not-a-token/")
    # A registered user: profile, its errors, deletion.
    make_profile()
    user = Client()
    user.post(
        f"{prefix}/account/login/",
        {"username": "kari", "password": "a long and unusual passphrase"},
    )
    pages.get(user, "/account/profile/", "signed in")
    pages.post(user, "/account/profile/", {"email": "not an address"}, "signed in, form error")
    pages.get(user, "/account/profile/delete/", "signed in")
    pages.post(user, "/account/profile/delete/", {}, "signed in, form error")
    pages.get(client, "/account/deleted/")
    # Thanks pages, a consent receipt, and a receipt that does not exist.
    for path in ("/contact/thanks/", "/information/thanks/", "/children/report/thanks/"):
        pages.get(client, path)
    pages.get(client, f"{CLINIC}thanks/")
    decision = make_decision()
    pages.get(client, f"/consent/receipt/{decision.consent_id}/")
    pages.get(client, "/consent/receipt/not-a-receipt/")
    pages.post(client, "/consent/", {"action": "nonsense"}, "refused choice")
    # The banner with the browser's Global Privacy Control signal; a comment's outcome; a form
    # sent without its CSRF token.
    pages.get(Client(), "/", "GPC", headers={"Sec-GPC": "1"})
    for outcome in ("pending", "published"):
        pages.get(client, f"{ARTICLE}?comment={outcome}", f"comment {outcome}")
    pages.post(Client(enforce_csrf_checks=True), "/contact/", {}, "403 CSRF")


def _errors(pages: Pages) -> None:
    """404, 400 (a request Django refuses) and the clinic form of a clinic that does not exist."""
    pages.get(Client(), "/no-such-page/", "404")
    pages.get(Client(), "/clinics/no-such-clinic/contact/", "404")
    pages.get(Client(), "/articles/?page=not-a-number", "bad page number")
    pages.get(Client(), "/", "400", headers={"host": "not a host"})


def typed_content() -> tuple[str, ...]:
    """What staff typed in one language and the pages show as written: the article, and the
    clinic's purposes copied from its agreement."""
    from clinics.models import ClinicAgreement
    from content.models import Article

    return (
        *Article.objects.values_list("title", flat=True),
        *ClinicAgreement.objects.values_list("purposes", flat=True),
    )


@pytest.fixture
def norwegian_pages(db, settings, tmp_path):
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    return collect_pages("/nb", settings)


@pytest.fixture
def english_pages(db, settings, tmp_path):
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    return collect_pages("", settings)


def test_dec_02_every_public_nb_page_is_entirely_norwegian(norwegian_pages):
    expected = ("/nb/", "/nb/privacy/", f"/nb{ARTICLE}", f"/nb{CLINIC}", "/nb/no-such-page/ (404)")
    version = get_declaration().current.version
    expected += (f"/nb/privacy/versions/{version}/", f"/nb/privacy/versions/{version}/cookies/")
    expected += (
        "/nb/contact/ (403 CSRF)",
        "/nb/ (GPC)",
        "/nb/ (400)",
        "/nb/ (after a consent choice)",
    )
    expected += (f"/nb{CLINIC} (rate limited)", "/nb/newsletter/ (form error)")
    for label in expected:
        assert label in norwegian_pages, sorted(norwegian_pages)
    assert len(norwegian_pages) > 50, sorted(norwegian_pages)
    problems = [
        f"{label}: {finding}"
        for label, html in norwegian_pages.items()
        for finding in language.check_norwegian_page(html, typed=typed_content())
    ]
    assert not problems, "Not Norwegian on /nb/ pages:\n" + "\n".join(problems)
    # Dates are there, written the Norwegian way ("6. desember 2026"): the request's dates, the
    # report's, the policy's versions.
    dated = {
        label for label, html in norwegian_pages.items() if language.NORWEGIAN_DATE.search(html)
    }
    assert "/nb/privacy/" in dated
    assert any(
        re.fullmatch(r"/nb/privacy-requests/[0-9a-f-]+/(report/)?", label) for label in dated
    )


def test_dec_02_no_english_page_carries_norwegian_from_the_declaration(english_pages):
    assert "/privacy/" in english_pages and ARTICLE in english_pages
    problems = [
        f"{label}: {finding}"
        for label, html in english_pages.items()
        for finding in language.check_english_page(html, typed=typed_content())
    ]
    assert not problems, "Norwegian on English pages:\n" + "\n".join(problems)


# --- the checker can fail ----------------------------------------------------------------------

FAKE_PAGE = '<!doctype html><html lang="{lang}"><body><main>{body}</main></body></html>'


def fake(body: str, lang: str = "nb") -> str:
    return FAKE_PAGE.format(lang=lang, body=body)


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("<p>Personvernerklæring</p><label>Name</label>", "interface text in English: 'Name'"),
        ('<a href="/">Les mer</a> <input type="submit" value="Sign in">', "'Sign in'"),
        ('<input placeholder="Email address">', "'Email address'"),
        ("<p>Vi bruker Norway som eksempel.</p>", "name in English: 'Norway'"),
        ("<p>Grunnlag: Our legitimate interests.</p>", "name in English: 'Our legitimate"),
        ("<td>Accountants, auditors and lawyers</td>", "declared text in English"),
        ("<p>Publisert 6 December 2026</p>", "date in English: '6 December 2026'"),
        ("<p>Publisert Dec. 6, 2026</p>", "date in English: 'Dec. 6, 2026'"),
        ("<p>This field is required.</p>", "'This field is required.'"),
        ("<dd>The report was sent to you.</dd>", "English sentence: 'The report was sent"),
    ],
)
def test_dec_02_the_checker_finds_english_on_a_fake_nb_page(body, found):
    findings = language.check_norwegian_page(fake(body))
    assert any(found in finding for finding in findings), findings


def test_dec_02_the_checker_finds_a_long_interface_text_inside_a_sentence_and_the_wrong_lang():
    sentence = language.english_interface_texts()[1][0]
    findings = language.check_norwegian_page(fake(f"<p>Før. {sentence} Etter.</p>", lang="en"))
    assert f"interface text in English: {sentence!r}" in findings
    assert '<html lang="en">, not "nb"' in findings


def test_dec_02_the_checker_passes_norwegian_and_ignores_scripts():
    body = (
        "<p>Publisert 6. desember 2026 av Wekst. Les personvernerklæringen.</p>"
        "<script>const label = 'Sign in';</script><style>/* Send */</style>"
        '<a href="/" lang="en" hreflang="en">EN</a> Google Ireland Limited'
    )
    assert language.check_norwegian_page(fake(body)) == []


def test_dec_02_only_a_part_marked_as_english_may_be_english():
    marked = '<ol lang="en"><li>Who we are</li></ol><p>Hvem vi er</p>'
    assert language.check_norwegian_page(fake(marked)) == []
    unmarked = '<ol lang="nb"><li>Who we are</li></ol><p lang="en">Hvem</p>'
    assert "interface text in English: 'Who we are'" in language.check_norwegian_page(
        fake(unmarked)
    )


def test_dec_02_the_checker_finds_norwegian_on_a_fake_english_page():
    findings = language.check_english_page(
        fake("<td>Regnskapsførere, revisorer og advokater</td> 6. desember 2026", lang="en")
    )
    assert any("declared text in Norwegian" in f for f in findings), findings
    assert "date in Norwegian: '6. desember 2026'" in findings
    assert re.search("lang", " ".join(language.check_english_page(fake("", lang="nb"))))


def test_dec_02_a_version_archived_while_english_is_active_is_norwegian_in_norwegian():
    # Publishing runs in a command or in the admin, in English: the archived Norwegian text must
    # still be built in Norwegian (the country names and safeguards in its context included).
    with translation.override("en"):
        text = render_document(get_declaration(), "privacy_policy", "nb")
    assert language.check_norwegian_page(fake(text)) == []


# Names that are the same word in both languages.
SAME_IN_BOTH = {"ID", "Status", "Type"}
# The report names a record's fields as the terms of definition lists (it once had tables).
_HEADING = re.compile(r"<(?:th scope=\"col\"|h2|dt)>([^<]+)")


@pytest.mark.django_db
def test_dec_02_the_access_report_names_every_record_and_column_in_norwegian(settings, tmp_path):
    # The report's tables name the stored fields, which are in no catalogue until translated: so
    # the Norwegian page is read against the English one, heading by heading.
    settings.WEKST_PRIVATE_FILES_ROOT = tmp_path / "private"
    make_article()
    kari = {"name": "Kari Nordmann", "email": "kari@example.no"}
    Client().post("/nb/contact/", {**kari, "message": "Ring meg.", "company": "Klinikk AS"})
    Client().post("/nb/newsletter/", {**kari, "age_confirmed": "on"})
    Client().post(f"/nb{ARTICLE}", {**kari, "text": "Takk!", "age_confirmed": "on"})
    client = Client()
    client.post("/nb/privacy-requests/", {"kind": "access", "email": "kari@example.no"})
    token = link_token_sent_to("kari@example.no")
    detail = client.post(f"/nb/privacy-requests/verify/{token}/")["Location"].removeprefix("/nb")
    english = _HEADING.findall(client.get(f"{detail}report/").content.decode())
    norwegian = _HEADING.findall(client.get(f"/nb{detail}report/").content.decode())
    assert len(english) == len(norwegian) > 40
    untranslated = sorted(
        {e.strip() for e, n in zip(english, norwegian, strict=True) if e == n} - SAME_IN_BOTH
    )
    assert not untranslated, f"Shown in English on the Norwegian report: {untranslated}"
