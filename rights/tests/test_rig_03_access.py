"""RIG-03: access returns every record about the person across the system, readable and as JSON
and CSV, through a short-lived authenticated download, with the Art. 15(1) information."""

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.utils import timezone

from audit.models import AuditEntry
from consent.models import ConsentDecision
from newsletter.models import Subscription
from rights.models import Request
from rights.reports import safe_cell
from rights.tests.factories import CONSENT_ID, EMAIL, submit_and_verify
from subjects.selectors import find_subjects

pytestmark = pytest.mark.django_db


def _json(client, request, format="json"):
    page = client.get(f"/privacy-requests/{request.public_id}/").content.decode()
    link = re.search(rf'href="([^"]+report\.{format}\?t=[^"]+)"', page).group(1)
    return client.get(link.replace("&amp;", "&"))


def test_rig_03_the_report_holds_every_record_about_the_person(client, person):
    request = submit_and_verify(client, consent_id=CONSENT_ID)

    response = _json(client, request)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["schema"] == "wekst-access-report/1"
    records = data["records"]
    for label in (
        "subjects.Subject",
        "leads.Lead",
        "leads.Meeting",
        "newsletter.Subscription",
        "mail.OutgoingEmail",
        "rights.Request",
        "audit.AuditEntry",
        "consent.ConsentDecision",
    ):
        assert records.get(label, {}).get("rows"), label
    assert records["leads.Lead"]["rows"][0]["name"] == "Kari Nordmann"
    assert records["leads.Meeting"]["rows"][0]["provider_booking_id"] == "appt-8812"
    # Only this person's consent decisions, the ones she gave as hers.
    assert [r["consent_id"] for r in records["consent.ConsentDecision"]["rows"]] == [CONSENT_ID]
    # Every field is classified with its data category from the declaration.
    assert records["leads.Lead"]["fields"]["email"]["category"] == "contact"


def test_rig_03_the_report_leaves_out_secrets_and_other_peoples_data(client, person):
    request = submit_and_verify(client)

    data = _json(client, request).json()

    text = str(data)
    assert "unsubscribe_token" not in text
    assert "verification_token_hash" not in text
    assert "staff-anna" not in text  # a staff member's name is another person's data
    assert "[Wekst staff]" in text
    staff_emails = [
        r for r in data["records"]["mail.OutgoingEmail"]["rows"] if r["to_address"] != EMAIL
    ]
    assert staff_emails and all(r["to_address"] == "[Wekst staff mailbox]" for r in staff_emails)


def test_rig_03_the_report_says_purposes_legal_bases_recipients_retention_and_complaint(
    client, person
):
    request = submit_and_verify(client)

    data = _json(client, request).json()

    by_activity = {p["activity"]: p for p in data["processing"]}
    assert {"enquiries", "meetings", "newsletter", "privacy_requests"} <= set(by_activity)
    meetings = by_activity["meetings"]
    assert meetings["legal_basis"] == "contract (Art. 6(1)(b))"
    assert "Trafft" in [r["name"] for r in meetings["recipients"]]
    assert "24 months" in meetings["retention"]
    assert by_activity["newsletter"]["legal_basis"] == "consent (Art. 6(1)(a))"
    assert data["right_to_complain"]["authority"] == "Datatilsynet"
    assert "Postboks 458" in data["right_to_complain"]["address"]


def test_rig_03_the_readable_report_shows_the_records_and_the_right_to_complain(client, person):
    request = submit_and_verify(client)

    page = client.get(f"/privacy-requests/{request.public_id}/report/").content.decode()

    assert "Kari Nordmann" in page
    assert "appt-8812" in page
    assert "Datatilsynet" in page
    assert "Art. 6(1)(b)" in page
    assert AuditEntry.objects.filter(action="export", reason="access report as page").exists()


def test_rig_03_csv_cells_cannot_run_as_formulas(client, person):
    request = submit_and_verify(client, kind="portability")

    response = _json(client, request, format="csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["section", "record_type", "record", "field", "value"]
    messages = [r[4] for r in rows if r[1] == "leads.Lead" and r[3] == "message" and r[4]]
    assert messages == ['\'=HYPERLINK("http://evil.example","click")']
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), row


@pytest.mark.parametrize("value", ["=1+1", "+47 912", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_rig_03_safe_cell_defuses_every_formula_start(value):
    assert safe_cell(value) == "'" + value


def test_rig_03_download_links_expire_after_minutes(client, person):
    request = submit_and_verify(client)
    page = client.get(f"/privacy-requests/{request.public_id}/").content.decode()
    link = re.search(r'href="([^"]+report\.json\?t=[^"]+)"', page).group(1)

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        response = client.get(link)

    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_rig_03_a_download_link_works_only_in_the_verified_browser(client, person):
    from django.test import Client

    request = submit_and_verify(client)
    page = client.get(f"/privacy-requests/{request.public_id}/").content.decode()
    link = re.search(r'href="([^"]+report\.json\?t=[^"]+)"', page).group(1)

    assert Client().get(link).status_code == 404


@pytest.mark.parametrize(
    "tamper",
    [
        lambda link: link.replace("report.json", "report.csv"),
        lambda link: link.split("?")[0],
        lambda link: link[:-3] + "abc",
        lambda link: link.replace("report.json", "report.xml"),
    ],
)
def test_rig_03_a_tampered_download_link_is_refused(client, person, tamper):
    request = submit_and_verify(client)
    page = client.get(f"/privacy-requests/{request.public_id}/").content.decode()
    link = re.search(r'href="([^"]+report\.json\?t=[^"]+)"', page).group(1)

    assert client.get(tamper(link)).status_code == 404


def test_rig_03_an_unknown_address_is_told_that_only_its_request_is_held(client, person):
    request = submit_and_verify(client, email="nobody@elsewhere.example")

    data = _json(client, request).json()

    # Art. 15 confirms what is processed: for an address we did not know, only the request itself
    # (and the audit entries about handling it); nothing of anyone else's.
    assert set(data["records"]) == {"subjects.Subject", "rights.Request", "audit.AuditEntry"}
    assert "Kari" not in str(data["records"])


def test_rig_03_other_requests_have_no_report(client, person):
    request = submit_and_verify(client, kind="restriction")

    assert client.get(f"/privacy-requests/{request.public_id}/report/").status_code == 404


def test_rig_03_staff_answer_a_letter_with_a_link_and_see_the_same_report(admin_client, person):
    from rights.services import open_request

    request = open_request(
        kind="access",
        email=EMAIL,
        received_via="letter",
        identity_check="Signed letter from the address on record",
    )
    assert request.status == Request.Status.OPEN

    page = admin_client.get(f"/admin/rights/request/{request.pk}/report/")
    download = admin_client.get(f"/admin/rights/request/{request.pk}/report.json")
    admin_client.post(
        "/admin/rights/request/",
        {"action": "send_report_link", "_selected_action": [request.pk]},
    )

    assert page.status_code == 200
    assert "Kari Nordmann" in page.content.decode()
    assert download.json()["records"]["leads.Lead"]["rows"][0]["name"] == "Kari Nordmann"
    assert AuditEntry.objects.filter(actor="admin", action="export").count() == 2
    request.refresh_from_db()
    assert request.status == Request.Status.COMPLETED
    assert request.verification_token_hash  # a link to the portal went to the person


def test_rig_03_report_covers_a_subject_found_by_phone_too(person):
    from rights.access_report import build_access_report

    report = build_access_report(subject=find_subjects(email=EMAIL).get())

    labels = {r.label for r in report.record_sets}
    assert {"leads.Lead", "leads.Meeting", "newsletter.Subscription"} <= labels
    assert Subscription.objects.filter(subject=person).exists()
    assert ConsentDecision.objects.count() == 2


def test_rig_03_the_readable_report_is_grouped_for_the_person_without_internals(client, person):
    request = submit_and_verify(client, consent_id=CONSENT_ID)

    page = client.get(f"/privacy-requests/{request.public_id}/report/").content.decode()

    for heading in ("Your enquiry of ", "Emails we sent you", "Your privacy requests"):
        assert heading in page, heading
    assert "Your cookie choices" in page
    assert "Why we hold this" in page and "How long we keep it" in page
    # Nothing of our own bookkeeping: model names, the mail queue's state, headers, row ids.
    internals = (
        "mail.OutgoingEmail",
        "leads.Lead",
        "Next attempt",
        "Attempts",
        "Headers",
        "Object id",
    )
    for internal in internals:
        assert internal not in page, internal
    assert "<table" not in page
    assert "p.m.." not in page and "a.m.." not in page
    assert "report.css" in page


def test_rig_03_the_zip_holds_the_json_and_the_csv(client, person):
    import json
    import zipfile

    request = submit_and_verify(client)

    response = _json(client, request, format="zip")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert [n.rsplit(".", 1)[1] for n in names] == ["json", "csv"]
    data = json.loads(archive.read(names[0]))
    assert data["records"]["leads.Lead"]["rows"][0]["name"] == "Kari Nordmann"
    rows = list(csv.reader(io.StringIO(archive.read(names[1]).decode())))
    assert rows[0] == ["section", "record_type", "record", "field", "value"]
    assert AuditEntry.objects.filter(action="export", reason="access report as zip").exists()


def test_rig_03_a_report_or_download_opened_after_the_browsers_verification_ended_offers_a_link(
    client, person
):
    # The report's links outlive the portal session (a tab left open past its hour, a download
    # link opened in another browser): the person is told to open their request from a new link
    # and offered one, in their language, as on the request's own page; not "there is no page at
    # this address".
    from django.test import Client

    request = submit_and_verify(client)
    page = client.get(f"/nb/privacy-requests/{request.public_id}/").content.decode()
    download = re.search(r'href="([^"]+report\.json\?t=[^"]+)"', page).group(1)
    report = f"/nb/privacy-requests/{request.public_id}/report/"

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
        after_an_hour = client.get(report)
    in_another_browser = Client().get(download.replace("&amp;", "&"))

    for response in (after_an_hour, in_another_browser):
        assert response.status_code == 404
        text = response.content.decode()
        assert "Fant ikke siden" not in text
        assert "Send meg en ny lenke" in text
        assert f"/nb/privacy-requests/{request.public_id}/new-link/" in text
