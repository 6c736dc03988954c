"""The exact message that leaves: RFC 8058 headers as plain ASCII, and a DKIM signature over them.

Python's email policy folds any header whose one word is longer than a line (78 characters) as
an RFC 2047 encoded word; a production unsubscribe URL is ~90 characters, and RFC 2047 §5 forbids
an encoded word inside a URL, so mail clients would not offer one-click unsubscribe. Those headers
are folded here instead, only at whitespace. The DKIM signature is computed over the bytes the
backend then writes (RFC 8058 §4 requires it to cover both List-Unsubscribe headers).
"""

import re
from pathlib import Path

import dkim
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage

# Headers whose values must leave exactly as written: URIs and their companion (RFC 2369, 8058).
PLAIN_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post")
# What the signature's h= tag covers. A header listed but absent is signed as empty, so it cannot
# be added later (RFC 6376 §5.4). From is listed twice so a second From cannot be added either.
SIGNED_HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "From",
)
# RFC 5322 §2.1.1: a line SHOULD be at most 78 characters and MUST be at most 998.
SOFT_LINE_LENGTH = 78
HARD_LINE_LENGTH = 998


class FoldedHeader(str):
    """A header value that the email package writes as these lines, never re-encoded.

    The email policy stores any value with a `name` and a `fold()` as it is (EmailPolicy.
    header_store_parse); the str value is the unfolded header, as a reader sees it.
    """

    def __new__(cls, name: str, lines: list[str]) -> "FoldedHeader":
        value = super().__new__(cls, "".join(lines))
        value.name = name
        value.lines = lines
        return value

    def fold(self, *, policy) -> str:
        return f"{self.name}: " + policy.linesep.join(self.lines) + policy.linesep


def plain_header(name: str, value: str) -> FoldedHeader:
    """`value` as ASCII lines folded only after the commas between its parts (RFC 2369 §2).

    Raises ValueError for a value that cannot leave as plain ASCII in lines of at most 998 bytes
    (a non-ASCII character, a line break, or one part too long), rather than send it mangled.
    """
    if not value.isascii() or "\r" in value or "\n" in value:
        raise ValueError(f"{name} must be one line of ASCII: {value!r}")
    # Split only between bracketed URIs: a comma inside a URI stays where it is.
    parts = [part.strip() for part in re.split(r",\s*(?=<)", value.strip())]
    lines: list[str] = []
    for index, part in enumerate(parts):
        text = part + ("," if index < len(parts) - 1 else "")
        if lines and _line_length(name, lines) + 1 + len(text) <= SOFT_LINE_LENGTH:
            lines[-1] += " " + text
        else:
            lines.append(" " + text if lines else text)
        if _line_length(name, lines) > HARD_LINE_LENGTH:
            raise ValueError(f"{name} has a part longer than one line may be: {part!r}")
    return FoldedHeader(name, lines)


def _line_length(name: str, lines: list[str]) -> int:
    """Length of the last line as written; the first line starts with "Name: "."""
    return len(lines[-1]) + (len(name) + 2 if len(lines) == 1 else 0)


def dkim_key() -> bytes | None:
    """The configured DKIM private key (PEM), or None when signing is not configured.

    Raises ImproperlyConfigured when a key is configured but cannot be read, so the email is
    retried (and the error recorded) instead of leaving unsigned.
    """
    path = settings.DKIM_PRIVATE_KEY_PATH
    if not path:
        return None
    if not (settings.DKIM_SELECTOR and settings.DKIM_DOMAIN):
        raise ImproperlyConfigured("DKIM_PRIVATE_KEY_PATH needs DKIM_SELECTOR and DKIM_DOMAIN.")
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ImproperlyConfigured(f"DKIM key {path!r} cannot be read: {error}") from error


class OutgoingMessage(EmailMessage):
    """Django's EmailMessage with plain RFC 8058 headers and, when a key is configured, DKIM."""

    def message(self, **kwargs):
        msg = super().message(**kwargs)
        for name in PLAIN_HEADERS:
            value = msg.get(name)
            if value is not None:
                del msg[name]
                msg[name] = plain_header(name, str(value))
        key = dkim_key()
        if key is None:
            return msg
        signature = dkim.sign(
            msg.as_bytes(),
            settings.DKIM_SELECTOR.encode(),
            settings.DKIM_DOMAIN.encode(),
            key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=[name.encode() for name in SIGNED_HEADERS],
            linesep=msg.policy.linesep.encode(),
        )
        _prepend(msg, _signature_header(signature, linesep=msg.policy.linesep))
        return msg


def _signature_header(signature: bytes, *, linesep: str) -> FoldedHeader:
    name, _colon, value = signature.decode("ascii").partition(":")
    lines = value.lstrip(" ").removesuffix(linesep).split(linesep)
    return FoldedHeader(name, lines)


def _prepend(msg, header: FoldedHeader) -> None:
    """Put `header` first (RFC 6376 §5.6: the signature is prepended, like a trace header)."""
    # Set again in order; each stored value keeps its own folding (it has a name and fold()).
    items = list(msg.raw_items())
    for name in {name for name, _value in items}:
        del msg[name]
    msg[header.name] = header
    for name, value in items:
        msg[name] = value
