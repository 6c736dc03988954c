"""consent.js's decision takes the fast lane (wekst/fastlane.py) and loses nothing on it: the
same headers as through the whole middleware stack, the same Origin protection, the same rate
limit, the same language from the path, one request log line, the database's 503 page."""

import logging

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

from consent import views
from consent.models import ConsentDecision
from consent.tests.conftest import JSON, SAME_ORIGIN
from wekst import fastlane

pytestmark = pytest.mark.django_db
VARYING = {"Expires", "Set-Cookie", "Content-Length"}


def _post(client, path="/consent/", headers=None):
    return client.post(
        path, {"choice": "reject_all"}, headers={**SAME_ORIGIN, **JSON, **(headers or {})}
    )


def test_sec_03_the_fast_lane_answers_with_the_full_stacks_headers(client, settings):
    fast = _post(client)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != fastlane.NAME]
    full = _post(client)

    assert fast.status_code == full.status_code == 200
    assert {k: v for k, v in fast.headers.items() if k not in VARYING} == {
        k: v for k, v in full.headers.items() if k not in VARYING
    }
    assert fast.cookies["wekst_consent"]["max-age"] == full.cookies["wekst_consent"]["max-age"]
    assert fast.json().keys() == full.json().keys()
    assert ConsentDecision.objects.count() == 2


def test_sec_03_only_the_json_post_of_the_decision_takes_the_fast_lane(client, monkeypatch):
    taken = []
    real = fastlane.FastLaneMiddleware._view
    monkeypatch.setattr(
        fastlane.FastLaneMiddleware, "_view", lambda self, r: taken.append(r.path) or real(self, r)
    )

    _post(client)
    _post(client, path="/nb/consent/")
    client.post("/consent/", {"choice": "reject_all"}, headers=SAME_ORIGIN)  # the plain form
    client.get("/")

    assert taken == ["/consent/", "/nb/consent/"]


def test_sec_03_a_cross_site_decision_is_refused_on_the_fast_lane(client):
    response = _post(
        client, headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    )

    assert response.status_code == 403
    assert not ConsentDecision.objects.exists()


def test_sec_03_the_rate_limit_holds_on_the_fast_lane(client, settings):
    settings.CONSENT_RATE_LIMIT_PER_IP = 2

    statuses = [_post(client).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert ConsentDecision.objects.count() == 2


def test_sec_03_the_language_comes_from_the_path_on_the_fast_lane(client):
    _post(client, path="/nb/consent/")
    _post(client)

    assert list(ConsentDecision.objects.order_by("id").values_list("language", flat=True)) == [
        "nb",
        "en",
    ]


def test_sec_03_a_decision_on_the_fast_lane_logs_one_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="wekst.requests"):
        _post(client)

    lines = [r.getMessage() for r in caplog.records if r.name == "wekst.requests"]
    assert len(lines) == 1
    assert lines[0].startswith("POST /consent/ 200 ")
    assert lines[0].endswith(" 127.0.0.0")


def test_sec_03_a_lost_database_on_the_fast_lane_gets_the_503_page(client, monkeypatch):
    def lost(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(views.services, "record_consent", lost)

    response = _post(client)

    assert response.status_code == 503


def test_sec_03_the_decisions_never_cache_headers_are_djangos():
    ours, djangos = HttpResponse(), HttpResponse()
    views._never_cache(ours)
    add_never_cache_headers(djangos)

    assert ours["Cache-Control"] == djangos["Cache-Control"]
    assert ours["Expires"][:-3] == djangos["Expires"][:-3]  # the same to the minute at least
