"""The workbench in a real browser, for the privacy officer and for Sales (SEC-04), with
screenshots; and the processor register's columns within 1280 px (issue 21)."""

import datetime
import os
import shutil
import uuid

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from breaches.tests.factories import make_breach
from rights.models import Request
from staff.services import sync_roles

PASSWORD = "correct horse battery staple"
WIDTH = 1280


def _sign_in(page, live_server, django_user_model, *, username, role):
    sync_roles()
    user = django_user_model.objects.create_user(
        username=username, password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.get_by_label("Code from your authenticator app").fill(f"{token:06d}")
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(live_server.url + "/admin/")


def _screenshot(page, tmp_path, name):
    """The workbench, saved under the test's tmp dir; copied to WEKST_SCREENSHOT_DIR too when that is set (how
    docs/img/ got its pair)."""
    path = tmp_path / name
    page.locator("#workbench").screenshot(path=str(path))
    if target := os.environ.get("WEKST_SCREENSHOT_DIR"):
        shutil.copy(path, os.path.join(target, name))
    assert path.stat().st_size > 0


def _some_work():
    start = timezone.now()
    Request.objects.create(
        kind=Request.Kind.ACCESS,
        status=Request.Status.OPEN,
        received_via=Request.ReceivedVia.PORTAL,
        email=f"p{uuid.uuid4().hex[:6]}@example.org",
        due_at=start - datetime.timedelta(days=2),
        verified_at=start,
    )
    make_breach(title="Laptop lost", became_aware_at=start - datetime.timedelta(hours=5))


@pytest.mark.browser
def test_workbench_privacy_officer_sees_every_area(page, live_server, django_user_model, tmp_path):
    _some_work()
    _sign_in(page, live_server, django_user_model, username="po", role="Privacy officer")
    workbench = page.locator("#workbench")
    expect(workbench).to_be_visible()
    for title in (
        "Privacy requests",
        "Breaches",
        "Notices to processors",
        "Objections",
        "Retention",
        "Recipients and disclosures",
        "Consent (last 30 days)",
        "Emails and background tasks",
    ):
        expect(workbench.locator("caption", has_text=title)).to_be_visible()
    overdue = workbench.locator("tr", has_text="Overdue")
    expect(overdue).to_have_class("workbench-urgent")
    expect(overdue.locator(".workbench-count")).to_have_text("1")
    expect(workbench.get_by_role("link", name="Laptop lost")).to_be_visible()
    expect(workbench.locator("tr", has_text="Laptop lost")).to_contain_text("left")
    _screenshot(page, tmp_path, "workbench-privacy-officer.png")
    # Each line leads to where it is handled.
    overdue.get_by_role("link").click()
    expect(page).to_have_url(live_server.url + "/admin/rights/request/?status=open")


@pytest.mark.browser
def test_workbench_sales_sees_only_leads_meetings_and_audience_segments(
    page, live_server, django_user_model, tmp_path
):
    _some_work()
    _sign_in(page, live_server, django_user_model, username="sales", role="Sales")
    workbench = page.locator("#workbench")
    expect(workbench.locator("caption")).to_have_text(["Leads and meetings", "Marketing profiling"])
    expect(workbench).to_contain_text("Meetings in the next 7 days")
    for hidden in ("Privacy requests", "Breaches", "Laptop lost", "Consent", "Retention"):
        expect(workbench).not_to_contain_text(hidden)
    _screenshot(page, tmp_path, "workbench-sales.png")


@pytest.mark.browser
def test_workbench_register_columns_fit_1280_px(page, live_server, django_user_model):
    call_command("sync_processor_register", verbosity=0)
    _sign_in(page, live_server, django_user_model, username="po", role="Privacy officer")
    page.goto(live_server.url + "/admin/processors/recipient/")
    header = page.locator("th.column-state")
    expect(header).to_be_visible()
    box = header.bounding_box()
    assert box is not None and box["x"] + box["width"] <= WIDTH
