"""EM-06: every outgoing email is DKIM-signed over the headers RFC 8058 §4 names, proven on the
exact bytes the SMTP server received; without a key mail leaves unsigned and the deploy check
warns."""

import re
from email.policy import SMTP

import dkim
import pytest
from dkim import dknewkey

from mail import checks
from mail.message import plain_header
from mail.models import OutgoingEmail
from mail.services import queue_email

SELECTOR = "wekst2026"
DOMAIN = "wekst.example"
UNSUBSCRIBE = (
    "<https://wekst.com/nb/newsletter/unsubscribe/"
    "Zq3vX8h1YpQe7LkT0bNcW2mR5sJdA9uF4gHiKoE6tPy/>, "
    "<mailto:privacy@wekst.com?subject=unsubscribe%20Zq3vX8h1YpQe7LkT0bNcW2mR5sJdA9uF4gHiKoE6tPy>"
)
NEWSLETTER_HEADERS = {
    "List-Unsubscribe": UNSUBSCRIBE,
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


@pytest.fixture
def dkim_key(tmp_path, settings):
    """A fresh RSA key configured for signing; returns the TXT record DNS would publish."""
    key, record = tmp_path / "dkim.pem", tmp_path / "dkim.txt"
    dknewkey.GenRSAKeys(str(key), verbose=False)
    dknewkey.ExtractRSADnsPublicKey(str(key), str(record), verbose=False)
    settings.DKIM_SELECTOR = SELECTOR
    settings.DKIM_DOMAIN = DOMAIN
    settings.DKIM_PRIVATE_KEY_PATH = str(key)
    return record.read_bytes()


def dns(record: bytes):
    """A resolver that knows only <selector>._domainkey.<domain>, as DNS would publish it."""

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return record if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else None

    return lookup


def send_newsletter_email(run_tasks) -> OutgoingEmail:
    email = queue_email(
        to="kari@example.no",
        subject_line="Growth notes, spring",
        body="Three ideas for spring.",
        purpose="newsletter",
        headers=NEWSLETTER_HEADERS,
    )
    run_tasks()
    email.refresh_from_db()
    return email


def signed_headers(raw: bytes) -> list[str]:
    header_block = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ")
    signature = re.search(rb"^DKIM-Signature: (.*)$", header_block, re.MULTILINE).group(1)
    tag = re.search(rb"(?:^|;)\s*h=([^;]+)", signature).group(1)
    return [name.strip().decode().lower() for name in tag.split(b":")]


@pytest.mark.django_db
def test_em_06_sent_email_carries_a_dkim_signature_that_verifies(smtp_server, run_tasks, dkim_key):
    email = send_newsletter_email(run_tasks)

    assert email.status == OutgoingEmail.Status.SENT
    [raw] = smtp_server.raw
    assert raw.startswith(b"DKIM-Signature: ")  # prepended, like a trace header (RFC 6376 §5.6)
    assert dkim.verify(raw, dnsfunc=dns(dkim_key))
    covered = signed_headers(raw)
    for name in (
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "list-unsubscribe",
        "list-unsubscribe-post",
    ):
        assert name in covered
    assert re.search(rb"\bd=wekst\.example;", raw.replace(b"\r\n ", b" "))
    assert re.search(rb"\bs=wekst2026;", raw.replace(b"\r\n ", b" "))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("original", "tampered"),
    [
        (b"unsubscribe/Zq3vX8h1", b"unsubscribe/Aq3vX8h1"),  # another unsubscribe target
        (b"List-Unsubscribe=One-Click", b"List-Unsubscribe=Two-Click"),
        (b"Subject: Growth notes, spring", b"Subject: Growth notes, winter"),
        (b"Three ideas for spring.", b"Three ideas for winter."),
    ],
)
def test_em_06_a_tampered_message_fails_dkim_verification(
    smtp_server, run_tasks, dkim_key, original, tampered
):
    send_newsletter_email(run_tasks)
    [raw] = smtp_server.raw
    assert original in raw

    assert not dkim.verify(raw.replace(original, tampered), dnsfunc=dns(dkim_key))


@pytest.mark.django_db
def test_em_06_an_added_list_unsubscribe_header_fails_dkim_verification(
    smtp_server, run_tasks, dkim_key
):
    send_newsletter_email(run_tasks)
    [raw] = smtp_server.raw
    head, body = raw.split(b"\r\n\r\n", 1)

    forged = head + b"\r\nList-Unsubscribe: <https://evil.example/u>\r\n\r\n" + body

    assert dkim.verify(raw, dnsfunc=dns(dkim_key))
    assert not dkim.verify(forged, dnsfunc=dns(dkim_key))


@pytest.mark.django_db
def test_em_06_without_a_key_mail_leaves_unsigned_and_the_deploy_check_warns(
    smtp_server, run_tasks, settings
):
    settings.DKIM_PRIVATE_KEY_PATH = ""

    email = send_newsletter_email(run_tasks)

    assert email.status == OutgoingEmail.Status.SENT
    [raw] = smtp_server.raw
    assert b"DKIM-Signature" not in raw
    [warning] = checks.check_dkim_is_configured()
    assert warning.id == "mail.W001"
    assert checks.check_dkim_key_is_usable() == []


@pytest.mark.django_db
def test_em_06_with_an_aligned_key_the_deploy_check_is_quiet(dkim_key, settings):
    settings.DEFAULT_FROM_EMAIL = "Wekst <hello@wekst.example>"
    assert checks.check_dkim_is_configured() == []
    assert checks.check_dkim_key_is_usable() == []

    settings.DEFAULT_FROM_EMAIL = "Wekst <hello@news.wekst.example>"  # a subdomain aligns too
    assert checks.check_dkim_is_configured() == []

    settings.DEFAULT_FROM_EMAIL = "Wekst <hello@wekst.com>"
    [warning] = checks.check_dkim_is_configured()
    assert warning.id == "mail.W002"  # DMARC would not pass on this signature


@pytest.mark.django_db
def test_em_06_an_unreadable_key_holds_the_email_with_the_reason_and_the_check_says_so(
    smtp_server, run_tasks, settings, tmp_path
):
    settings.DKIM_SELECTOR = SELECTOR
    settings.DKIM_DOMAIN = DOMAIN
    settings.DKIM_PRIVATE_KEY_PATH = str(tmp_path / "missing.pem")

    email = send_newsletter_email(run_tasks)

    # Never sent unsigned by surprise, never lost: kept for another try, with the reason.
    assert smtp_server.raw == []
    assert email.status == OutgoingEmail.Status.RETRYING
    assert "missing.pem" in email.last_error
    [error] = checks.check_dkim_key_is_usable()
    assert error.id == "mail.E001"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    [
        "<https://wekst.com/nb/avmelding/blåbær/>",  # not ASCII: would need an encoded word
        "<https://wekst.com/u/" + "x" * 990 + "/>",  # one URI longer than a line may be
    ],
)
def test_em_06_a_list_unsubscribe_that_cannot_leave_plain_is_held_with_the_reason(
    smtp_server, run_tasks, settings, value
):
    settings.DKIM_PRIVATE_KEY_PATH = ""
    email = queue_email(
        to="kari@example.no",
        subject_line="Growth notes",
        body="…",
        purpose="newsletter",
        headers={"List-Unsubscribe": value},
    )

    run_tasks()

    email.refresh_from_db()
    assert smtp_server.raw == []  # never sent mangled
    assert email.status == OutgoingEmail.Status.RETRYING
    assert "List-Unsubscribe" in email.last_error


def test_em_06_list_unsubscribe_is_folded_only_between_its_uris():
    url = "<https://wekst.com/nb/newsletter/unsubscribe/" + "t" * 43 + "/?a=1,2>"
    header = plain_header("List-Unsubscribe", f"{url}, <mailto:a@wekst.com>")

    folded = header.fold(policy=SMTP)
    assert folded == f"List-Unsubscribe: {url},\r\n <mailto:a@wekst.com>\r\n"
    assert plain_header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click").fold(
        policy=SMTP
    ) == ("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
    short = plain_header("List-Unsubscribe", "<https://a.example/u>,<mailto:b@a.example>")
    assert short.fold(policy=SMTP) == (
        "List-Unsubscribe: <https://a.example/u>, <mailto:b@a.example>\r\n"
    )
