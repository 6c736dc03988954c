"""/health/ for the proxy and monitoring: each part, 200 or 503 naming the failed part, JSON with
no personal data, never cached, not logged when healthy; and one log line per request (CON-05)."""

import datetime
import logging
import socket

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from mail.services import queue_email
from wekst.scheduler import enqueue_due_schedules

pytestmark = pytest.mark.django_db
ADDRESS = "kari.health@example.org"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def healthy():
    enqueue_due_schedules()  # the scheduler's slots, and tasks due now
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.update(status="SUCCESSFUL", finished_at=timezone.now())


def test_health_answers_200_with_every_part_and_no_personal_data(client, healthy, caplog):
    queue_email(to=ADDRESS, subject_line="Hello", body="Hi", purpose="newsletter")
    with caplog.at_level(logging.INFO, logger="wekst.requests"):
        response = client.get("/health/")

    assert response.status_code == 200, response.json()
    report = response.json()
    assert report["status"] == "ok" and report["failed"] == []
    assert set(report["checks"]) == {
        "database",
        "shared_store",
        "worker",
        "scheduler",
        "mail_queue",
    }
    assert report["checks"]["mail_queue"]["queued"] == 1
    assert report["checks"]["scheduler"]["last_slot"]
    assert ADDRESS not in response.text and "kari" not in response.text
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "/health/" not in caplog.text  # polling is not a visit


def test_health_names_a_silent_scheduler_and_a_stalled_worker(client, settings):
    start = timezone.now()
    enqueue_due_schedules(now=start)  # tasks enqueued, none run: the worker is gone
    with time_machine.travel(start + datetime.timedelta(hours=2)):
        response = client.get("/health/")

    assert response.status_code == 503
    report = response.json()
    assert set(report["failed"]) == {"worker", "scheduler"}
    assert report["checks"]["worker"]["oldest_due_task_waiting_seconds"] >= 7000
    assert report["checks"]["database"]["ok"]


def test_health_names_the_shared_store_when_redis_is_gone(client, settings, healthy):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["failed"] == ["shared_store"]


def test_health_without_redis_fails_in_production_only(client, settings, healthy):
    settings.PRODUCTION = True
    assert client.get("/health/").json()["failed"] == ["shared_store"]
    settings.PRODUCTION = False
    assert client.get("/health/").status_code == 200


@pytest.fixture
def database_gone(monkeypatch):
    from django.db import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", refuse)


def test_health_names_the_database_when_it_is_gone(client, database_gone):
    response = client.get("/health/")

    assert response.status_code == 503
    assert "database" in response.json()["failed"]


def test_con_05_one_log_line_per_request_also_for_a_refused_one(client, caplog):
    from django.test import Client

    with caplog.at_level(logging.INFO):
        Client(enforce_csrf_checks=True).post("/privacy-requests/", {"email": ADDRESS})
        client.get("/no-such-page/")

    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2, lines
    assert lines[0].startswith("POST /privacy-requests/ 403")
    assert lines[1].startswith("GET /no-such-page/ 404")
    assert ADDRESS not in caplog.text


def test_sb_02_the_proxys_health_check_asks_only_what_a_visitor_needs(client, settings, caplog):
    """Caddy takes a backend out of service on a 503 of its health_uri: a late scheduler or a
    stalled worker must not turn the whole site into 503 pages (deploy/Caddyfile)."""
    start = timezone.now()
    enqueue_due_schedules(now=start)  # tasks enqueued, none run: the worker is gone
    later = start + datetime.timedelta(hours=2)
    with time_machine.travel(later), caplog.at_level(logging.INFO, logger="wekst.requests"):
        full, web = client.get("/health/"), client.get("/health/web/")

    assert full.status_code == 503
    assert web.status_code == 200, web.json()
    assert set(web.json()["checks"]) == {"database", "shared_store"}
    assert "no-store" in web["Cache-Control"]
    assert "/health/web/" not in caplog.text  # polling is not a visit
    caddyfile = (settings.BASE_DIR / "deploy" / "Caddyfile").read_text()
    assert "health_uri /health/web/" in caddyfile


def test_sb_02_the_proxys_health_check_fails_when_the_database_is_gone(client, database_gone):
    response = client.get("/health/web/")

    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
