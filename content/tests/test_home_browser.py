"""What a visitor's browser shows and sends on the home page."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


@pytest.mark.browser
def test_home_page_names_the_controller_and_sends_nothing_to_third_parties(page, live_server):
    page.goto(live_server.url + "/")

    expect(page.get_by_role("heading", level=1, name="Growth for clinics")).to_be_visible()
    footer = page.locator("footer")
    expect(footer).to_contain_text("Harwest AS")
    expect(footer).to_contain_text("922 184 054")
    page.wait_for_load_state("networkidle")
    assert page.requests, "the browser recorded no requests"
    elsewhere = [url for url in page.requests if origin(url) != origin(live_server.url)]
    assert elsewhere == [], f"requests left the site before any consent: {elsewhere}"
    assert page.context.cookies() == []
