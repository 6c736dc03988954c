"""When the shared store (Redis) goes away: staff sign-in fails closed, public forms fail open
onto per-process counters with a loud log (SEC-01, docs/security.md)."""

import logging
import socket

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from leads.models import Lead
from leads.tests.factories import contact_form_data
from staff.tests.test_two_factor import PASSWORD, password_step  # noqa: F401 - fixtures below
from wekst import ratelimit

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens


@pytest.fixture
def redis_gone(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    ratelimit._fallback.clear()
    yield
    ratelimit._fallback.clear()


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="kari", password=PASSWORD, is_staff=True, is_superuser=True
    )


def test_sec_01_without_redis_staff_sign_in_fails_closed_and_checks_no_password(
    client, staff_user, redis_gone, monkeypatch, caplog
):
    checked = []
    monkeypatch.setattr(
        "django.contrib.auth.backends.ModelBackend.authenticate",
        lambda *args, **kwargs: checked.append(1),
    )
    with caplog.at_level(logging.ERROR):
        response = password_step(client)

    assert response.status_code == 503
    assert response["Retry-After"]
    assert "Sign-in is unavailable just now: please try again shortly." in response.text
    assert checked == []  # the password was never looked at
    assert "_auth_user_id" not in client.session
    assert "REDIS_URL" in caplog.text
    # Norwegian too
    response = client.post(
        "/admin/login/", {"username": "kari", "password": "x"}, headers={"accept-language": "nb"}
    )
    assert response.status_code == 503


def test_sec_01_without_redis_a_public_form_is_answered_and_limited_per_process(
    client, settings, redis_gone, caplog
):
    settings.LEADS_RATE_LIMIT_PER_IP = 2
    settings.LEADS_RATE_LIMIT_PER_ADDRESS = 100
    with caplog.at_level(logging.ERROR):
        answers = [
            client.post("/contact/", contact_form_data(email=f"p{n}@example.org")).status_code
            for n in range(3)
        ]

    assert answers == [302, 302, 429]  # accepted, and the limit still holds in this process
    assert Lead.objects.count() == 2
    assert "Shared store (REDIS_URL) unavailable" in caplog.text


def test_sec_01_production_deploy_check_requires_redis_url(settings):
    settings.PRODUCTION = True
    settings.REDIS_URL = ""
    with pytest.raises(SystemCheckError, match="REDIS_URL is not set"):
        call_command("check", deploy=True, tags=["security"], fail_level="ERROR")

    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    from wekst.checks import check_shared_store_is_set

    assert check_shared_store_is_set() == []
    settings.PRODUCTION = False
    settings.REDIS_URL = ""
    assert check_shared_store_is_set() == []
    cache.clear()
