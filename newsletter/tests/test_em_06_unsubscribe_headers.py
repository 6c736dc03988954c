"""EM-06 / LEA-02: the RFC 8058 headers leave as plain ASCII that mail clients can act on, proven
on the exact bytes handed to the SMTP server with a production-length unsubscribe URL."""

import email
import email.policy
import re

import pytest

from declaration.selectors import get_declaration
from newsletter import checks, services
from newsletter.tests import factories


def send_issue(run_tasks) -> None:
    assert services.start_sending_issue(issue_id=factories.issue().pk)
    run_tasks()


def header_lines(raw: bytes, name: bytes) -> list[bytes]:
    """The physical lines of one header as written: the first and its continuation lines."""
    lines = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    [start] = [i for i, line in enumerate(lines) if line.lower().startswith(name.lower() + b":")]
    found = [lines[start]]
    for line in lines[start + 1 :]:
        if line[:1] not in (b" ", b"\t"):
            break
        found.append(line)
    return found


@pytest.fixture
def production_subscription(settings):
    settings.WEKST_SITE_URL = "https://wekst.com"
    subscription = factories.confirmed_subscription(language="nb")
    url = services.unsubscribe_url(subscription)
    # What production sends: https://wekst.com/nb/newsletter/unsubscribe/<43 characters>/
    assert re.fullmatch(r"https://wekst\.com/nb/newsletter/unsubscribe/[\w-]{43}/", url)
    return subscription


@pytest.mark.django_db
def test_em_06_list_unsubscribe_leaves_as_a_plain_ascii_header_with_the_url_intact(
    smtp_server, run_tasks, production_subscription
):
    subscription = production_subscription
    send_issue(run_tasks)

    [raw] = smtp_server.raw
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"=?" not in head  # no RFC 2047 encoded word anywhere in the headers (§5)
    assert head.isascii()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))  # RFC 5322 §2.1.1
    lines = header_lines(raw, b"List-Unsubscribe")
    # Folded only at whitespace, after the comma between the two URIs (RFC 2369 §2).
    for previous, continuation in zip(lines, lines[1:], strict=False):
        assert previous.endswith(b",")
        assert continuation.startswith(b" <")
    unfolded = b"".join(lines).decode("ascii")
    url = services.unsubscribe_url(subscription)
    token = subscription.unsubscribe_token
    mailto = get_declaration().controller.email
    assert unfolded == (
        f"List-Unsubscribe: <{url}>, <mailto:{mailto}?subject=unsubscribe%20{token}>"
    )
    assert header_lines(raw, b"List-Unsubscribe-Post") == [
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    ]
    # And a reader of the message sees the same value.
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["List-Unsubscribe"] == unfolded.removeprefix("List-Unsubscribe: ")


@pytest.mark.django_db
def test_lea_02_the_one_click_url_is_the_only_https_uri_and_comes_first(
    smtp_server, run_tasks, production_subscription
):
    send_issue(run_tasks)

    [message] = smtp_server.messages
    uris = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])
    assert [uri for uri in uris if uri.startswith("https://")] == [
        services.unsubscribe_url(production_subscription)
    ]
    assert uris[0].startswith("https://")
    assert [uri for uri in uris if not uri.startswith("https://")] == [
        f"mailto:{get_declaration().controller.email}"
        f"?subject=unsubscribe%20{production_subscription.unsubscribe_token}"
    ]


@pytest.mark.django_db
def test_em_06_the_mailto_goes_to_the_configured_address_or_is_left_out(
    smtp_server, run_tasks, production_subscription, settings
):
    token = production_subscription.unsubscribe_token
    url = services.unsubscribe_url(production_subscription)

    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "unsubscribe@wekst.com"
    send_issue(run_tasks)
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = ""
    send_issue(run_tasks)

    first, second = smtp_server.messages
    assert first["List-Unsubscribe"] == (
        f"<{url}>, <mailto:unsubscribe@wekst.com?subject=unsubscribe%20{token}>"
    )
    assert second["List-Unsubscribe"] == f"<{url}>"
    assert b"=?" not in smtp_server.raw[1].split(b"\r\n\r\n", 1)[0]


@pytest.mark.parametrize(
    ("address", "errors"),
    [(None, []), ("", []), ("unsubscribe@wekst.com", []), ("not an address", ["newsletter.E002"])],
)
def test_em_06_the_check_refuses_a_mailto_that_cannot_leave_plain(settings, address, errors):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = address
    assert [error.id for error in checks.check_unsubscribe_mailto()] == errors


def test_em_06_the_check_refuses_a_non_ascii_mailto(settings):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "avmelding@wekst.blåbær.no"
    assert [error.id for error in checks.check_unsubscribe_mailto()] == ["newsletter.E002"]
