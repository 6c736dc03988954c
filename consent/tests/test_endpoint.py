"""The consent endpoint: what it stores, what it refuses (CON-03, SEC-03)."""

import datetime
import uuid

import pytest
from django.core.cache import cache
from django.utils import timezone

from consent import services
from consent.models import ConsentDecision
from consent.state import COOKIE_NAME, Choices, ConsentCookie
from consent.tests.conftest import JSON, SAME_ORIGIN
from consent.tests.factories import give_cookie, make_decision
from declaration.selectors import get_declaration

pytestmark = pytest.mark.django_db

RAW_IP = "203.0.113.77"


def test_con_03_a_decision_is_logged_with_every_field_and_no_raw_ip(decide):
    before = timezone.now()
    response = decide(
        {"choice": "choose", "analytics": "1", "embedded": "on", "method": "banner"},
        REMOTE_ADDR=RAW_IP,
    )

    assert response.status_code == 200
    decision = ConsentDecision.objects.get()
    declaration = get_declaration()
    assert isinstance(decision.consent_id, uuid.UUID) and decision.consent_id.version == 4
    assert before <= decision.decided_at <= timezone.now()
    assert (decision.analytics, decision.marketing, decision.embedded) == (True, False, True)
    assert decision.action == "choose"
    assert decision.method == "banner"
    assert decision.banner_version == declaration.cookie_version.version
    assert decision.policy_version == declaration.current.version
    assert decision.language == "en"
    assert decision.gpc is False
    assert decision.truncated_ip == "203.0.113.0"
    assert response.json() == {
        "consent_id": str(decision.consent_id),
        "state": "a1m0e1",
        "choices": {"necessary": True, "analytics": True, "marketing": False, "embedded": True},
        "gpc": False,
        "banner_version": decision.banner_version,
        "policy_version": decision.policy_version,
        "expires_at": (decision.decided_at + datetime.timedelta(days=365)).isoformat(),
        "receipt_url": f"/consent/receipt/{decision.consent_id}/{decision.public_id}/",
    }


def test_con_03_the_cookie_holds_the_consent_id_choices_and_banner_version_only(decide):
    response = decide({"choice": "accept_all"})

    decision = ConsentDecision.objects.get()
    morsel = response.cookies[COOKIE_NAME]
    assert morsel.value == f"{decision.consent_id}|a1m1e1|{decision.banner_version}"
    assert morsel["max-age"] == 365 * 24 * 60 * 60
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == "/"


def test_con_03_reject_all_refuses_every_category(decide):
    decide({"choice": "reject_all", "analytics": "1", "marketing": "1"})

    decision = ConsentDecision.objects.get()
    assert (decision.analytics, decision.marketing, decision.embedded) == (False, False, False)


def test_con_04_a_change_keeps_the_consent_id_and_adds_a_row(client, decide):
    first = make_decision()
    give_cookie(client, first)

    decide({"choice": "reject_all", "method": "settings"})

    latest = ConsentDecision.objects.first()
    assert ConsentDecision.objects.count() == 2
    assert latest.consent_id == first.consent_id
    assert latest.method == "settings"
    assert (latest.analytics, latest.marketing, latest.embedded) == (False, False, False)


def test_con_03_a_new_browser_gets_a_new_random_consent_id(client, decide):
    decide({"choice": "accept_all"})
    client.cookies.clear()
    decide({"choice": "accept_all"})

    assert ConsentDecision.objects.values("consent_id").distinct().count() == 2


def test_con_03_norwegian_page_records_norwegian(decide):
    decide({"choice": "reject_all"}, path="/nb/consent/")

    assert ConsentDecision.objects.get().language == "nb"


def test_con_05_ipv6_is_truncated_to_48_bits(decide):
    decide({"choice": "reject_all"}, REMOTE_ADDR="2001:db8:85a3:8d3:1319:8a2e:370:7348")

    assert ConsentDecision.objects.get().truncated_ip == "2001:db8:85a3::"


def test_con_03_no_ip_at_all_when_the_setting_is_off(decide, settings):
    settings.CONSENT_LOG_TRUNCATED_IP = False

    decide({"choice": "reject_all"}, REMOTE_ADDR=RAW_IP)

    assert ConsentDecision.objects.get().truncated_ip is None


def test_con_03_the_raw_ip_is_nowhere_not_in_the_log_the_cache_or_the_logs(decide, caplog):
    caplog.set_level("DEBUG")
    decide({"choice": "accept_all"}, REMOTE_ADDR=RAW_IP)
    decide({"choice": "nonsense"}, REMOTE_ADDR=RAW_IP)

    stored = [str(value) for row in ConsentDecision.objects.values() for value in row.values()]
    assert "203.0.113.0" in stored
    assert not any(RAW_IP in value for value in stored)
    assert RAW_IP not in caplog.text
    assert "203.0.113.0" in caplog.text  # the request log line, truncated
    assert not any(RAW_IP in str(key) for key in cache._cache)


def test_con_03_the_plain_form_is_redirected_back_to_its_page(client):
    response = client.post(
        "/consent/",
        {"choice": "reject_all", "next": "/cookies/?x=1"},
        headers=SAME_ORIGIN,
    )

    assert response.status_code == 303
    assert response["Location"] == "/cookies/?x=1"
    assert COOKIE_NAME in response.cookies
    assert ConsentDecision.objects.count() == 1


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:x", "/" + "x" * 3000]
)
def test_sec_03_the_plain_form_never_redirects_off_the_site(client, target):
    response = client.post(
        "/consent/", {"choice": "reject_all", "next": target}, headers=SAME_ORIGIN
    )

    assert response.status_code == 303
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {},
    ],
    ids=["cross-site", "fetch-metadata-only", "sibling-subdomain", "origin-only", "null", "none"],
)
def test_con_03_a_cross_site_post_is_refused_and_nothing_is_stored(client, headers):
    response = client.post("/consent/", {"choice": "accept_all"}, headers={**headers, **JSON})

    assert response.status_code == 403
    assert "page of this site" in response.json()["error"]
    assert COOKIE_NAME not in response.cookies
    assert ConsentDecision.objects.count() == 0


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "http://testserver"}, {"Sec-Fetch-Site": "same-origin"}],
    ids=["origin", "fetch-metadata"],
)
def test_con_03_either_same_origin_signal_is_enough(client, headers):
    response = client.post("/consent/", {"choice": "accept_all"}, headers={**headers, **JSON})

    assert response.status_code == 200


def test_con_03_a_trusted_origin_is_accepted(client, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://wekst.com"]

    response = client.post(
        "/consent/", {"choice": "accept_all"}, headers={"Origin": "https://wekst.com", **JSON}
    )

    assert response.status_code == 200


def test_con_03_only_post_is_allowed(client):
    assert client.get("/consent/").status_code == 405
    assert ConsentDecision.objects.count() == 0


def test_sec_03_the_endpoint_is_rate_limited(decide, settings):
    settings.CONSENT_RATE_LIMIT_PER_IP = 3

    statuses = [decide({"choice": "reject_all"}).status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 429, 429]
    assert ConsentDecision.objects.count() == 3
    assert "Too many" in decide({"choice": "reject_all"}).json()["error"]


def test_sec_03_a_choice_not_understood_counts_towards_the_limit_and_the_limit_comes_first(
    decide, settings
):
    """The count is sent before the choice is read, and its verdict asked after: the answers
    are as when it was asked first (ratelimit.hit_soon)."""
    settings.CONSENT_RATE_LIMIT_PER_IP = 2

    statuses = [
        decide({"choice": "accept_everything"}).status_code,
        decide({"choice": "reject_all"}).status_code,
        decide({"choice": "accept_everything"}).status_code,
        decide({"choice": "reject_all"}).status_code,
    ]

    assert statuses == [400, 200, 429, 429]
    assert ConsentDecision.objects.count() == 1


def test_sec_03_the_rate_limit_counts_per_address(decide, settings):
    settings.CONSENT_RATE_LIMIT_PER_IP = 1

    assert decide({"choice": "reject_all"}, REMOTE_ADDR="192.0.2.1").status_code == 200
    assert decide({"choice": "reject_all"}, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert decide({"choice": "reject_all"}, REMOTE_ADDR="192.0.2.2").status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "choice"),
        ({"choice": "accept_everything"}, "choice"),
        ({"choice": "choose", "analytics": "yes please"}, "analytics"),
        ({"choice": "choose", "embedded": "<script>"}, "embedded"),
        ({"choice": "accept_all", "method": "sideways"}, "method"),
        ({"choice": "accept_all", "gpc": "maybe"}, "gpc"),
    ],
)
def test_sec_03_bad_input_is_a_400_with_a_clear_message_and_nothing_stored(decide, data, field):
    response = decide(data)

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Your choice was not understood, so nothing was stored."
    assert list(body["fields"]) == [field]
    assert COOKIE_NAME not in response.cookies
    assert ConsentDecision.objects.count() == 0


def test_sec_03_bad_input_from_the_plain_form_gets_a_page_not_a_server_error(client):
    response = client.post("/consent/", {"choice": "="}, headers=SAME_ORIGIN)

    assert response.status_code == 400
    assert b"Your cookie choice was not saved" in response.content
    assert ConsentDecision.objects.count() == 0


def test_con_03_a_malformed_cookie_is_ignored_and_replaced(client, decide):
    client.cookies[COOKIE_NAME] = "not|a|cookie"

    response = decide({"choice": "reject_all"})

    assert response.status_code == 200
    decoded = ConsentCookie.decode(response.cookies[COOKIE_NAME].value)
    assert decoded is not None
    assert decoded.consent_id == ConsentDecision.objects.get().consent_id


def test_con_03_the_decision_returned_is_the_row_stored_field_for_field():
    decision = services.record_consent(
        consent_id=None,
        action="choose",
        chosen=Choices(analytics=True, marketing=False, embedded=True),
        method="settings",
        gpc=False,
        language="nb",
        ip="2001:db8:85a3::8a2e:370:7348",
    )

    stored = ConsentDecision.objects.get(pk=decision.pk)
    for field in ConsentDecision._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(decision, field.attname), field.name
    assert stored.truncated_ip == "2001:db8:85a3::"
    assert not decision._state.adding
