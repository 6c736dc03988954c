"""A visitor downloads the receipt of their choice from the banner, in a real browser (CK-09)."""

import hashlib
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from consent.models import BannerText, ConsentDecision
from consent.tests.browser import (
    cookie_names,
    elsewhere,
    recorded_context,
    settle,
    stand_in_for_third_parties,
)
from consent.tests.test_browser import decide, dialog

pytestmark = pytest.mark.browser


def download_receipt(page) -> dict:
    """Reopen the dialog from "Cookie settings" and download the receipt from its link."""
    settings_link = page.locator("footer").get_by_role("link", name="Cookie settings")
    settings_link.scroll_into_view_if_needed()
    settings_link.click()
    expect(dialog(page)).to_be_visible()
    link = dialog(page).get_by_role("link", name="Download a receipt")
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    download = info.value
    return {
        "filename": download.suggested_filename,
        "href": link.get_attribute("href"),
        "body": json.loads(Path(download.path()).read_text(encoding="utf-8")),
    }


def assert_receipt_of(receipt: dict, decision: ConsentDecision) -> None:
    body = receipt["body"]
    assert receipt["filename"] == f"consent-receipt-{decision.public_id}.json"
    assert receipt["href"] == f"/consent/receipt/{decision.consent_id}/{decision.public_id}/"
    assert body["version"] == "KI-CR-v1.1.0"
    assert body["consentReceiptID"] == str(decision.public_id)
    assert body["piiPrincipalId"] == str(decision.consent_id)
    assert body["consentTimestamp"] == int(decision.decided_at.timestamp())
    assert body["bannerTextHash"] == decision.banner_text_hash
    assert body["bannerText"] == BannerText.objects.get(sha256=decision.banner_text_hash).text
    assert hashlib.sha256(body["bannerText"].encode()).hexdigest() == decision.banner_text_hash


def test_ck_09_accept_then_download_the_receipt_from_the_banner(page, live_server):
    stand_in_for_third_parties(page.context, live_server)  # the page's video, once accepted
    page.goto(live_server.url + "/")
    expect(dialog(page).get_by_role("link", name="Download a receipt")).to_be_hidden()

    decide(page, "Accept all")
    settle(page)
    since = len(page.requests)
    receipt = download_receipt(page)

    decision = ConsentDecision.objects.get()
    assert_receipt_of(receipt, decision)
    assert receipt["body"]["choice"] == "accept_all"
    assert {p["consentStatus"] for s in receipt["body"]["services"] for p in s["purposes"]} == {
        "given"
    }
    # The shown text, as this browser rendered it, is the text behind the hash.
    first_line = dialog(page).get_by_role("heading").inner_text()
    assert receipt["body"]["bannerText"].split("\n")[0] == first_line
    settle(page)
    assert elsewhere(page, live_server, since) == []  # no third party involved
    assert cookie_names(page) == {"wekst_consent"}  # and no new cookie


def test_ck_09_without_javascript_the_receipt_link_works_too(browser, live_server):
    context, page = recorded_context(browser, live_server, java_script_enabled=False)
    try:
        page.goto(live_server.url + "/cookies/")
        dialog(page).get_by_role("button", name="Reject all").click()
        page.wait_for_url(live_server.url + "/cookies/")

        receipt = download_receipt(page)

        assert_receipt_of(receipt, ConsentDecision.objects.get())
        assert receipt["body"]["choice"] == "reject_all"
        assert elsewhere(page, live_server) == []
    finally:
        context.close()
