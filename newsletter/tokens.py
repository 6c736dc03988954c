"""The newsletter's secrets: link tokens and the keyed hash that suppression entries hold."""

import hashlib
import secrets
import string

from django.conf import settings
from django.utils.crypto import salted_hmac

from wekst.addresses import normalise_email

# A token travels in a URL path: URL-safe base64 of 32 random bytes is 43 characters.
TOKEN_MAX_LENGTH = 64
TOKEN_ALPHABET = frozenset(string.ascii_letters + string.digits + "-_")


def looks_like_token(token: str) -> bool:
    """Whether `token` could be one of ours: URL-safe base64, not too long. Anything else (a NUL
    byte, which PostgreSQL cannot even compare) is answered as an unknown link, never looked up."""
    return 0 < len(token) <= TOKEN_MAX_LENGTH and all(c in TOKEN_ALPHABET for c in token)


def new_token() -> str:
    """A random, unguessable token (256 bits) for a confirmation or unsubscribe link."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What is stored of a confirmation token: a leaked table cannot confirm anyone."""
    return hashlib.sha256(token.encode()).hexdigest()


def address_digests(email: str) -> list[str]:
    """Keyed hashes (HMAC-SHA256) of the normalised address: the current one first.

    Keyed with the secret key so that a leaked table cannot be checked against a list of
    addresses. Rotating the key keeps the old key in SECRET_KEY_FALLBACKS, and entries made under
    it are still recognised.
    """
    value = normalise_email(email)
    return [
        salted_hmac("newsletter.Suppression", value, secret=key, algorithm="sha256").hexdigest()
        for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    ]
