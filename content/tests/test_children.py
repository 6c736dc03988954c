"""Children (policy §12; CHI-01): reporting that a child's data was given opens a quick erasure."""

import datetime

import pytest
import time_machine

from content.tests.factories import comment_data, make_article

pytestmark = pytest.mark.django_db

URL = "/children/report/"


def report(client, **overrides):
    data = {
        "email": "child@example.no",
        "details": "My son (12) left a comment.",
        "reporter_email": "parent@example.no",
    }
    data.update(overrides)
    return client.post(URL, data)


def test_dec_05_child_report_form_shows_the_collection_notice(client):
    page = client.get(URL).text

    assert "Harwest AS" in page
    assert 'href="/privacy/"' in page
    assert "under 16" in page


def test_chi_01_child_report_is_linked_from_every_page(client):
    assert f'href="{URL}"' in client.get("/").text
    assert f'href="{URL}"' in client.get("/privacy/").text


def test_chi_01_child_report_opens_an_erasure_request_for_staff_with_a_short_deadline(
    client, settings
):
    from rights.models import Request

    settings.CHILD_REPORT_DUE_DAYS = 7
    received = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    make_article()
    client.post("/articles/growing-a-dental-clinic/", comment_data(email="child@example.no"))

    with time_machine.travel(received, tick=False):
        response = report(client)

    assert response.status_code == 302
    assert response["Location"] == "/children/report/thanks/"
    request = Request.objects.get()
    assert request.kind == "erasure"
    assert request.received_via == "child_report"
    assert request.email == "child@example.no"
    # Due by the end of the seventh day, far inside the month of Art. 12(3).
    assert received + datetime.timedelta(days=6) < request.due_at
    assert request.due_at < received + datetime.timedelta(days=8)
    assert "parent@example.no" in request.details
    assert "My son (12) left a comment." in request.details
    assert request.subject is not None and request.subject.email == "child@example.no"


def test_chi_01_the_answer_never_reveals_whether_the_address_is_known(client):
    make_article()
    client.post("/articles/growing-a-dental-clinic/", comment_data(email="known@example.no"))

    known = report(client, email="known@example.no")
    unknown = report(client, email="unknown@example.no")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    page = client.get(known["Location"]).text
    assert "within 7 days" in page
    assert "we do not say here whether we hold any" in page


def test_chi_01_bad_report_gets_a_clear_error_and_opens_nothing(client):
    from rights.models import Request

    response = report(client, email="not an address")

    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert not Request.objects.exists()


def test_lea_04_child_reports_are_rate_limited_and_honeypot_dropped(client, settings):
    from rights.models import Request

    settings.CONTENT_RATE_LIMIT_PER_IP = 1
    bot = report(client, website="http://spam.example")
    assert bot.status_code == 302  # the usual answer, and nothing opened
    assert not Request.objects.exists()

    assert report(client).status_code == 302
    limited = report(client, email="other@example.no")

    assert limited.status_code == 429
    assert "too many times" in limited.text
    assert Request.objects.count() == 1
