"""A person signs in to the back office in a real browser: password, then setting up the app or
typing its code; the pages work under the Content Security Policy (SEC-01, SEC-03)."""

import base64

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

PASSWORD = "correct horse battery staple"


def csp_violations(page) -> list[str]:
    """Console messages of the page that report a blocked resource or inline code."""
    messages: list[str] = []
    page.on(
        "console",
        lambda message: (
            messages.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return messages


def code_from_secret(secret: str) -> str:
    key = base64.b32decode(secret)
    return f"{TOTP(key).token():06d}"


def sign_in_with_password(page, live_server) -> None:
    page.goto(live_server.url + "/admin/leads/lead/")
    expect(page).to_have_url(live_server.url + "/admin/login/?next=/admin/leads/lead/")
    page.get_by_label("Username").fill("kari")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_sec_01_first_sign_in_sets_up_the_app_then_opens_the_back_office(
    page, live_server, django_user_model
):
    django_user_model.objects.create_user(
        username="kari", password=PASSWORD, is_staff=True, is_superuser=True
    )
    violations = csp_violations(page)

    sign_in_with_password(page, live_server)
    expect(page).to_have_url(live_server.url + "/admin/login/set-up/")
    expect(page.locator("#otp-qr svg")).to_be_visible()
    secret = page.locator("#otp-secret").inner_text()
    page.get_by_label("Code from your authenticator app").fill(code_from_secret(secret))
    page.get_by_role("button", name="Confirm and sign in").click()

    expect(page).to_have_url(live_server.url + "/admin/leads/lead/")
    expect(page.locator("#changelist")).to_be_visible()
    assert violations == []


@pytest.mark.browser
def test_sec_01_sign_in_with_the_code_and_no_csp_violation_in_the_back_office(
    page, live_server, django_user_model
):
    user = django_user_model.objects.create_user(
        username="kari", password=PASSWORD, is_staff=True, is_superuser=True
    )
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    violations = csp_violations(page)

    sign_in_with_password(page, live_server)
    expect(page).to_have_url(live_server.url + "/admin/login/code/")
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.get_by_label("Code from your authenticator app").fill(f"{token:06d}")
    page.get_by_role("button", name="Verify").click()

    expect(page).to_have_url(live_server.url + "/admin/leads/lead/")
    for path in ("/admin/", "/admin/breaches/breach/add/", "/admin/audit/auditentry/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    expect(page.locator("#changelist")).to_be_visible()
    assert violations == []


@pytest.mark.browser
def test_sec_03_public_pages_and_the_banner_run_under_the_csp(page, live_server):
    violations = csp_violations(page)
    for path in ("/", "/contact/", "/newsletter/", "/privacy/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Reject all").first.click()
    page.wait_for_load_state("networkidle")
    assert violations == []
