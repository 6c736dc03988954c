"""Global Privacy Control is honoured as a refusal of analytics and marketing (CON-07)."""

import pytest

from consent.models import ConsentDecision
from consent.tests.factories import give_cookie, make_decision
from declaration.selectors import get_declaration

pytestmark = pytest.mark.django_db

GPC = {"Sec-GPC": "1"}


def test_con_07_a_gpc_header_turns_accept_all_into_a_refusal_of_analytics_and_marketing(decide):
    response = decide({"choice": "accept_all"}, headers=GPC)

    decision = ConsentDecision.objects.get()
    assert decision.gpc is True
    assert (decision.analytics, decision.marketing, decision.embedded) == (False, False, True)
    assert response.json()["state"] == "a0m0e1"


def test_con_07_the_browser_property_sent_by_the_script_counts_too(decide):
    decide({"choice": "choose", "analytics": "1", "marketing": "1", "gpc": "1"})

    decision = ConsentDecision.objects.get()
    assert (decision.gpc, decision.analytics, decision.marketing) == (True, False, False)


@pytest.mark.parametrize("value", ["0", "true", "1, 1", ""])
def test_con_07_only_exactly_1_is_a_gpc_signal(decide, value):
    decide({"choice": "accept_all"}, headers={"Sec-GPC": value})

    decision = ConsentDecision.objects.get()
    assert (decision.gpc, decision.analytics) == (False, True)


def test_con_07_the_banner_says_so_and_disables_the_two_boxes(client):
    html = client.get("/", headers=GPC).content.decode()

    assert 'data-gpc="1"' in html
    assert '<p class="wc-gpc">' in html  # shown, not hidden
    assert '<input type="checkbox" name="analytics" value="1" disabled>' in html
    assert '<input type="checkbox" name="marketing" value="1" disabled>' in html
    assert '<input type="checkbox" name="embedded" value="1">' in html


def test_con_07_without_the_signal_the_notice_is_hidden_and_boxes_enabled(client):
    html = client.get("/").content.decode()

    assert 'data-gpc="0"' in html
    assert '<p class="wc-gpc" hidden>' in html
    assert '<input type="checkbox" name="analytics" value="1">' in html


def test_con_07_an_older_consent_gives_no_analytics_while_the_signal_is_sent(client):
    give_cookie(client, make_decision())

    html = client.get("/", headers=GPC).content.decode()

    assert 'data-state="a0m0e1"' in html


def test_con_07_gpc_json_is_served(client):
    response = client.get("/.well-known/gpc.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "gpc": True,
        "lastUpdate": get_declaration().cookie_version.date.isoformat(),
    }


def test_con_07_gpc_json_is_not_under_a_language_prefix(client):
    assert client.get("/nb/.well-known/gpc.json").status_code == 404
