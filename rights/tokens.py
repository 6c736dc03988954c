"""The secrets in the portal's links: random tokens, of which only a hash is stored."""

import hashlib
import secrets

from django.conf import settings
from django.core import signing

# A token travels in a URL path: URL-safe base64 of 32 random bytes is 43 characters.
TOKEN_MAX_LENGTH = 64


def new_token() -> str:
    """A random, unguessable token (256 bits) for a verification link."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What is stored of a token: a leaked table cannot verify anyone."""
    return hashlib.sha256(token.encode()).hexdigest()


# Download links -----------------------------------------------------------------------------
# A report is downloaded through a short-lived signed link, on top of the verified portal
# session: a link copied out of the browser stops working within minutes (checklist RG-07).

_DOWNLOAD_SALT = "rights.download"


def download_token(*, public_id: str, format: str) -> str:
    return signing.dumps({"r": str(public_id), "f": format}, salt=_DOWNLOAD_SALT, compress=True)


def download_token_state(*, token: str, public_id: str, format: str) -> str:
    """ "valid", "expired" or "invalid" for this request and format."""
    max_age = settings.RIGHTS_DOWNLOAD_LINK_MINUTES * 60
    try:
        value = signing.loads(token, salt=_DOWNLOAD_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return "invalid"
    if value != {"r": str(public_id), "f": format}:
        return "invalid"
    return "valid"
