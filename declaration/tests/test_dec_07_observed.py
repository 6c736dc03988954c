"""DEC-07 without a browser: the declaration's hosts and storage keys are validated at start-up,
and the checker the crawl uses fails on anything the declaration does not allow in a state."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from consent.checks import check_browser_hosts_are_declared
from declaration.observed import COOKIE, HOST, Seen, find_never_seen, find_undeclared
from declaration.policy import cookie_policy_context
from declaration.schema import parse_declaration
from declaration.selectors import get_declaration
from declaration.tests.test_validation import _real_data, assert_refused, data  # noqa: F401

STATES = {"reject all": set(), "accept all": {"analytics", "marketing", "embedded"}}


def recipient(raw: dict, key: str) -> dict:
    return raw["recipients"][key]


def test_dec_07_browser_hosts_without_a_consent_category_are_refused(data):  # noqa: F811
    del recipient(data, "youtube")["consent_category"]
    assert_refused(data, "recipients.youtube: browser_hosts need a consent_category")


def test_dec_07_a_recipient_loaded_as_necessary_is_refused(data):  # noqa: F811
    recipient(data, "youtube")["consent_category"] = "necessary"
    assert_refused(data, "recipients.youtube: browser_hosts need a consent_category")


def test_dec_07_browser_hosts_of_a_recipient_no_consent_activity_names_are_refused(data):  # noqa: F811
    recipient(data, "it_support")["browser_hosts"] = ["chat.support.example"]
    recipient(data, "it_support")["consent_category"] = "analytics"
    assert_refused(data, "recipients.it_support: browser_hosts are declared but no activity")


def test_dec_07_a_host_that_is_not_a_host_name_is_refused(data):  # noqa: F811
    recipient(data, "email_provider")["server_hosts"] = ["https://api.brevo.com/v3"]
    assert_refused(data, "recipients.email_provider: server_hosts: 'https://api.brevo.com/v3'")


def test_dec_07_storage_keys_are_declared_like_cookies_with_their_kind(data):  # noqa: F811
    entry = {
        "name": "wekst_theme",
        "kind": "local",
        "party": "first",
        "provider": "Wekst",
        "category": "necessary",
        "activity": "consent_records",
        "purpose": {"en": "Remembers the theme.", "nb": "Husker temaet."},
        "lifetime": {"en": "Until deleted", "nb": "Til den slettes"},
    }
    data["storage"] = [entry]
    declaration = parse_declaration(data)
    [key] = declaration.storage_keys
    assert (key.name, key.kind, key.category) == ("wekst_theme", "local", "necessary")
    # The cookie policy lists it with the cookies of its category (CK-02).
    categories = dict(cookie_policy_context(declaration)["cookie_categories"])
    assert key in categories["necessary"]

    data["storage"] = [{**entry, "kind": "cookie-jar"}]
    assert_refused(data, "storage.wekst_theme: kind must be one of local, session, indexeddb")


def test_dec_07_the_checker_names_an_undeclared_cookie_host_and_storage_key_with_page_and_state():
    seen = [
        Seen(COOKIE, "wekst_consent", "/", "reject all", "first"),
        Seen(COOKIE, "_fbp", "/articles/", "accept all", "first"),
        Seen(HOST, "connect.facebook.net", "/nb/", "accept all"),
        Seen("local", "ajs_user_id", "/contact/", "reject all", "first"),
    ]

    problems = find_undeclared(get_declaration(), seen, allowed=STATES)

    assert problems == [
        "cookie '_fbp' on /articles/ in state 'accept all': not in the declaration",
        "request to 'connect.facebook.net' on /nb/ in state 'accept all': "
        "no recipient declares this host",
        "localStorage key 'ajs_user_id' on /contact/ in state 'reject all': not in the declaration",
    ]


def test_dec_07_a_declared_cookie_or_host_outside_its_state_fails():
    seen = [
        Seen(COOKIE, "_ga_ABC123", "/", "reject all", "first"),
        Seen(HOST, "www.googletagmanager.com", "/privacy/", "reject all"),
        Seen(HOST, "region1.google-analytics.com", "/", "accept all"),
        Seen(COOKIE, "_ga", "/", "accept all", "first"),
    ]

    problems = find_undeclared(get_declaration(), seen, allowed=STATES)

    assert problems == [
        "cookie '_ga_ABC123' on / in state 'reject all': declared as analytics, which this "
        "state does not allow",
        "request to 'www.googletagmanager.com' on /privacy/ in state 'reject all': declared "
        "for google_analytics (analytics), which this state does not allow",
    ]


def test_dec_07_a_cookie_set_by_another_party_than_declared_fails():
    seen = [Seen(COOKIE, "wekst_consent", "/", "reject all", "third")]
    assert find_undeclared(get_declaration(), seen, allowed=STATES) == [
        "cookie 'wekst_consent' on / in state 'reject all': set as third party, declared otherwise"
    ]


def test_dec_07_declared_but_never_seen_is_reported():
    seen = [Seen(COOKIE, "wekst_consent", "/", "reject all", "first")]
    missing = find_never_seen(get_declaration(), seen)
    assert "cookie '_ga' (analytics, Google Analytics 4)" in missing
    assert "host 'www.youtube-nocookie.com' (youtube, embedded)" in missing
    assert not any("wekst_consent" in line for line in missing)


def test_dec_07_a_csp_host_no_recipient_declares_stops_the_start(db, settings):
    csp = settings.SECURE_CSP
    settings.SECURE_CSP = {**csp, "script-src": [*csp["script-src"], "https://cdn.tracker.example"]}

    [error] = check_browser_hosts_are_declared()
    assert error.id == "declaration.E004"
    assert "SECURE_CSP script-src lets the browser contact cdn.tracker.example" in error.msg
    with pytest.raises(SystemCheckError, match="cdn.tracker.example"):
        call_command("check")


def test_dec_07_the_code_and_the_declaration_agree_on_browser_hosts(settings):
    settings.GA4_MEASUREMENT_ID = "G-TEST1234"
    csp = settings.SECURE_CSP
    settings.SECURE_CSP = {
        **csp,
        "script-src": [*csp["script-src"], "https://www.googletagmanager.com"],
        "connect-src": [*csp["connect-src"], "https://*.google-analytics.com"],
    }
    assert check_browser_hosts_are_declared() == []
