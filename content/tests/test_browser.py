"""What a visitor sees when commenting, and what a registered user's uploaded picture keeps."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from content import services
from content.models import Comment, Profile
from content.tests.factories import (
    assert_stored_without_metadata,
    assert_turned_upright,
    make_article,
    make_profile,
    photo_with_gps,
)

pytestmark = pytest.mark.browser

ARTICLE = "/articles/growing-a-dental-clinic/"


def refuse_cookies(page) -> None:
    """Answer the cookie banner first, so that it covers nothing the test clicks."""
    reject = page.get_by_role("dialog", name="Cookies and your choice").get_by_role(
        "button", name="Reject all"
    )
    if reject.is_visible():
        reject.click()
        expect(reject).to_be_hidden()


def send_comment(page, *, text: str) -> None:
    form = page.locator("form.content-form")
    form.get_by_label("Name").fill("Kari Nordmann")
    form.get_by_label("Email address").fill("kari@example.no")
    form.get_by_label("Comment").fill(text)
    form.get_by_label("I am 16 or older").check()
    form.get_by_role("button", name="Send comment").click()


def comments(page):
    return page.locator("#comments article.comment")


def test_com_01_comment_waits_for_moderation_then_a_returning_commenter_is_published_at_once(
    page, live_server
):
    make_article()
    page.goto(live_server.url + ARTICLE)
    refuse_cookies(page)

    send_comment(page, text="Thank you, this was useful.")

    expect(page.get_by_role("status")).to_contain_text("awaiting moderation")
    expect(comments(page)).to_have_count(0)
    first = Comment.objects.get()
    assert first.status == Comment.Status.PENDING

    services.moderate_comments(comment_ids=[first.pk], decision="approved", actor="moderator")
    page.goto(live_server.url + ARTICLE)
    expect(comments(page)).to_have_count(1)
    expect(comments(page).first).to_contain_text("Thank you, this was useful.")

    send_comment(page, text="A follow-up question.")

    expect(page.get_by_role("status")).to_contain_text("Your comment is published")
    expect(comments(page)).to_have_count(2)
    expect(comments(page).nth(1)).to_contain_text("A follow-up question.")
    assert Comment.objects.get(text="A follow-up question.").auto_approved


def test_upl_01_avatar_uploaded_in_the_browser_is_stored_and_served_without_gps(
    page, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_profile()
    original = photo_with_gps("JPEG")
    photo = tmp_path / "IMG_at_home_with_gps.jpg"
    photo.write_bytes(original)

    page.goto(live_server.url + "/account/login/")
    refuse_cookies(page)
    page.get_by_label("Username").fill("kari")
    page.get_by_label("Password").fill("a long and unusual passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    page.get_by_label("Profile picture").set_input_files(str(photo))
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_role("status")).to_contain_text("Your profile has been saved")
    avatar = page.get_by_role("img", name="Your profile picture")
    expect(avatar).to_be_visible()
    stored = Path(Profile.objects.get().avatar.path)
    assert stored.is_relative_to(settings.MEDIA_ROOT)
    assert_turned_upright(assert_stored_without_metadata(stored, original=original))
    # What a visitor can download is the same stripped file.
    served = page.request.get(live_server.url + avatar.get_attribute("src"))
    assert served.ok
    assert served.body() == stored.read_bytes()
