"""The back office's pages are for people: on the demo data, each screen names what a record
stores in the policy's words (an activity, a recipient, a kind of record, a language), writes
times as staff read them, and shows no key, JSON or Python value of the code (SEC-04)."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format

from assessments.models import DPIA
from audit.models import AuditEntry
from consent.services import forget_banner_texts
from content.models import Profile
from leads.models import Lead, Meeting
from processors.models import Disclosure, Recipient
from retention.models import ProcessorCheck, SweepRun
from rights.models import Objection, ProcessorNotice, Request
from staff.testing import sign_in_verified
from wekst.demo.people import REQUESTERS

pytestmark = pytest.mark.django_db

# What no page should show a person: a JSON list or object, a Python value, a UTC offset.
CODE = re.compile(r'\["|\{"|\bNone\b|\+00:00|UUID\(|<QuerySet')


@pytest.fixture(autouse=True)
def demo(db):
    forget_banner_texts()  # kept once per process; each test has a database of its own
    call_command("sync_roles", verbosity=0)
    call_command("load_demo_data")


def seen(client, url: str) -> str:
    """The page's text as a person reads it: tags, scripts and the side menu left out."""
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    page = re.sub(r"(?s)<(script|style|nav)\b.*?</\1>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_sec_04_lead_and_meeting_pages_name_purpose_source_and_time_in_words(admin_client):
    booked = Lead.objects.get(kind=Lead.Kind.BOOKING)
    meeting = Meeting.objects.get(lead=booked)

    listing = seen(admin_client, "/admin/leads/lead/?collected_for=all")
    page = seen(admin_client, f"/admin/leads/lead/{booked.pk}/change/")
    meeting_page = seen(admin_client, f"/admin/leads/meeting/{meeting.pk}/change/")

    # The purpose and the source, in the list, its filters and the lead's page.
    for text in (listing, page):
        assert "Booking and holding growth meetings" in text
        assert "Cal.com (booking)" in text
    assert "The contact form" in listing and "Entered by staff: system:demo" in listing
    for key in ("contact_form", "calcom", "leads_from_other_sources", "staff:system"):
        assert key not in listing
    assert "Performance of a contract" in page and "(Art. 6(1)(b))" in page
    assert "Language: English" in page
    # A meeting is named by its local time, as its fields write it; never in UTC with an offset.
    starts = date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")
    assert f"Cal.com meeting, {starts} (Booked)" in meeting_page
    assert f"Starts at: {starts}" in meeting_page
    assert not CODE.search(page) and not CODE.search(meeting_page)


def test_sec_04_request_and_objection_pages_name_activities_and_count_days(admin_client):
    objecting = Request.objects.get(
        email=Objection.objects.get(status=Objection.Status.GROUNDS_RECORDED).subject.email,
        kind=Request.Kind.OBJECTION_LI,
    )
    extended = Request.objects.get(email=REQUESTERS["extended"])

    listing = seen(admin_client, "/admin/rights/request/")
    page = seen(admin_client, f"/admin/rights/request/{objecting.pk}/change/")
    objections = seen(admin_client, "/admin/rights/objection/")

    # Days left and the extension with their unit; an extension of none is "-", not "0".
    assert re.search(r"\b\d+ days\b", listing)
    assert " 1 month " in listing
    assert "Extended by: - " in page
    assert "Objected activities: Securing and operating the website" in page
    assert "Language:" in page and "Language: en " not in page and "Language: nb " not in page
    assert not CODE.search(page)
    assert "Securing and operating the website: Grounds recorded" in objections
    assert "website_security" not in objections
    assert "Extended by: 1 month" in seen(
        admin_client, f"/admin/rights/request/{extended.pk}/change/"
    )


def test_sec_04_processor_notices_and_checks_name_the_recipient(privacy_officer_client):
    notice = ProcessorNotice.objects.filter(processor="it_support").first()
    check = ProcessorCheck.objects.filter(processor="email_provider").first()

    notices = seen(privacy_officer_client, "/admin/rights/processornotice/")
    notice_page = seen(privacy_officer_client, f"/admin/rights/processornotice/{notice.pk}/change/")
    checks = seen(privacy_officer_client, "/admin/retention/processorcheck/")
    check_page = seen(privacy_officer_client, f"/admin/retention/processorcheck/{check.pk}/change/")

    for text in (notices, notice_page):
        assert "IT support" in text and "it_support" not in text
    assert "Erasure passed on to IT support" in notice_page
    assert "What the processor knows the person by: email addresses: " in notice_page
    for text in (checks, check_page):
        assert "Brevo" in text and "email_provider" not in text
    assert not CODE.search(notice_page) and not CODE.search(check_page)


def test_sec_04_the_audit_log_names_kinds_of_record_and_its_help_is_whole(privacy_officer_client):
    entry = AuditEntry.objects.filter(object_type="leads.Lead", action="change").first()

    listing = seen(privacy_officer_client, "/admin/audit/auditentry/")
    page = seen(privacy_officer_client, f"/admin/audit/auditentry/{entry.pk}/change/")

    assert "Record type" in listing and "Data subject" in listing
    assert " Lead " in listing and " Request " in listing
    assert "leads.Lead" not in listing and "rights.Request" not in listing
    assert f"#{entry.sequence}: Changed Lead {entry.object_id}, by {entry.actor}" in page
    # Help text with "<job>" in it was read as a tag and shown as "system:." (now in words).
    assert "“system:” and the name of the job that acted" in page
    assert "system:." not in page


def test_sec_04_pages_seen_without_the_right_to_change_show_values_not_code(
    privacy_officer_client, django_user_model
):
    profile = Profile.objects.select_related("user").first()
    brevo = Recipient.objects.get(key="email_provider")
    run = SweepRun.objects.first()
    disclosure = Disclosure.objects.first()
    dpia = DPIA.objects.get(reference="DPIA-2026-02")
    # Someone who may read the DPIA register without keeping it (a view permission only).
    reader = django_user_model.objects.create_user(username="reader", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_dpia"))
    reader_client = type(privacy_officer_client)()
    sign_in_verified(reader_client, get_user_model().objects.get(pk=reader.pk))

    profile_page = seen(privacy_officer_client, f"/admin/content/profile/{profile.pk}/change/")
    recipient = seen(privacy_officer_client, f"/admin/processors/recipient/{brevo.pk}/change/")
    sweep = seen(privacy_officer_client, f"/admin/retention/sweeprun/{run.pk}/change/")
    disclosed = seen(
        privacy_officer_client, f"/admin/processors/disclosure/{disclosure.pk}/change/"
    )
    assessment = seen(reader_client, f"/admin/assessments/dpia/{dpia.pk}/change/")

    assert f"Username: {profile.user.username}" in profile_page
    assert "Countries: France, Germany" in recipient and "Data categories: Identity," in recipient
    assert "The Brevo integration" in recipient
    assert "Leads under rule lead_after_last_contact" in sweep and "leads.Lead" not in sweep
    assert "Data categories: Identity" in disclosed
    assert "Processing covered: Audiences for a clinic's campaigns (for clinics" in assessment
    for page in (profile_page, recipient, sweep, disclosed, assessment):
        assert not CODE.search(page), CODE.search(page)


def test_sec_04_the_clinic_duties_are_named_as_the_gdpr_writes_them(admin_client):
    index = seen(admin_client, "/admin/clinics/")

    assert "Sub-processor changes" in index
    assert "Sub processor" not in index
