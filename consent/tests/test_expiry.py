"""A choice lasts a limited time and a new banner version asks again (CON-08, DEC-06)."""

import dataclasses
import datetime
import re

import pytest

from consent import selectors
from consent.models import ConsentDecision
from consent.tests.factories import give_cookie, make_decision
from declaration.schema import Text, Version
from declaration.selectors import get_declaration

pytestmark = pytest.mark.django_db

START = datetime.datetime(2027, 1, 10, 12, 0, tzinfo=datetime.UTC)


def banner(client, path: str = "/") -> dict[str, str | bool]:
    """The consent dialog as the server rendered it: its data-state and whether it is open."""
    html = client.get(path).content.decode()
    tag = re.search(r'<div id="wekst-consent"[^>]*>', html).group(0)
    return {"state": re.search(r'data-state="([^"]*)"', tag).group(1), "open": " hidden" not in tag}


def test_con_08_the_banner_is_open_until_a_choice_and_closed_after(client, decide):
    assert banner(client) == {"state": "", "open": True}

    decide({"choice": "choose", "analytics": "1"})

    assert banner(client) == {"state": "a1m0e0", "open": False}


def test_con_08_a_decision_expires_after_the_configured_period(client, decide, time_machine):
    time_machine.move_to(START, tick=False)
    decide({"choice": "accept_all"})

    time_machine.move_to(START + datetime.timedelta(days=365) - datetime.timedelta(seconds=1))
    assert banner(client) == {"state": "a1m1e1", "open": False}

    time_machine.move_to(START + datetime.timedelta(days=365))
    assert banner(client) == {"state": "", "open": True}


def test_con_08_a_shorter_period_from_the_setting_is_honoured(
    client, decide, settings, time_machine
):
    settings.CONSENT_MAX_AGE_DAYS = 30
    time_machine.move_to(START, tick=False)
    response = decide({"choice": "reject_all"})
    assert response.cookies["wekst_consent"]["max-age"] == 30 * 24 * 60 * 60

    time_machine.move_to(START + datetime.timedelta(days=29))
    assert banner(client)["open"] is False

    time_machine.move_to(START + datetime.timedelta(days=30))
    assert banner(client)["open"] is True


def test_con_08_a_refusal_is_remembered_as_long_as_a_consent(client, decide, time_machine):
    time_machine.move_to(START, tick=False)
    decide({"choice": "reject_all"})

    time_machine.move_to(START + datetime.timedelta(days=200))

    assert banner(client) == {"state": "a0m0e0", "open": False}


def test_con_08_a_cookie_from_an_older_banner_version_counts_as_no_choice(client):
    old = make_decision(banner_version="2026.1")
    give_cookie(client, old)

    assert banner(client) == {"state": "", "open": True}


def test_con_08_a_cookie_that_claims_the_current_version_over_an_old_logged_one_is_void(client):
    old = make_decision(banner_version="2026.1")
    give_cookie(client, old, banner_version=selectors.banner_version())

    assert banner(client)["open"] is True


def test_con_08_a_new_cookie_version_in_the_declaration_asks_again(client, decide, monkeypatch):
    decide({"choice": "accept_all"})
    assert banner(client)["open"] is False

    declaration = get_declaration()
    newer = Version(
        version="2027.1",
        date=datetime.date(2027, 2, 1),
        summary=Text(en="A new analytics cookie.", nb="En ny analysekapsel."),
        significant=True,
        cookies_changed=True,
    )
    changed = dataclasses.replace(declaration, versions=(newer, *declaration.versions))
    monkeypatch.setattr(selectors, "get_declaration", lambda: changed)

    assert banner(client) == {"state": "", "open": True}
    decide({"choice": "reject_all"})
    assert ConsentDecision.objects.first().banner_version == "2027.1"
    assert banner(client) == {"state": "a0m0e0", "open": False}


def test_con_08_a_policy_change_without_cookie_change_does_not_ask_again(
    client, decide, monkeypatch
):
    decide({"choice": "accept_all"})
    declaration = get_declaration()
    newer = Version(
        version="2027.1",
        date=datetime.date(2027, 2, 1),
        summary=Text(en="A new address.", nb="En ny adresse."),
        significant=False,
        cookies_changed=False,
    )
    changed = dataclasses.replace(declaration, versions=(newer, *declaration.versions))
    monkeypatch.setattr(selectors, "get_declaration", lambda: changed)

    assert banner(client)["open"] is False


def test_con_08_an_edited_cookie_grants_nothing_the_log_does_not_hold(client):
    refused = make_decision(action="reject_all", analytics=False, marketing=False, embedded=False)
    refused.analytics = refused.marketing = True  # in memory only: the cookie claims consent
    give_cookie(client, refused)

    assert banner(client) == {"state": "a0m0e0", "open": False}


def test_con_08_a_cookie_for_an_unknown_consent_id_counts_as_no_choice(client):
    never_logged = ConsentDecision(
        consent_id="6f1c1b5e-2b8a-4f57-9b0e-0c6f7d0d9a11",
        analytics=True,
        marketing=True,
        embedded=True,
        banner_version=selectors.banner_version(),
    )
    give_cookie(client, never_logged)

    assert banner(client)["open"] is True
