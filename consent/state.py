"""What a browser has chosen, and how the choice travels: the `wekst_consent` cookie.

The cookie holds the random consent id, the choices and the banner version, nothing else:
`<consent id>|a1m0e1|<banner version>`. The page carries the same `a1m0e1` code to consent.js.
"""

import re
import uuid
from dataclasses import dataclass
from urllib.parse import quote, unquote

COOKIE_NAME = "wekst_consent"

_CODE = re.compile(r"a([01])m([01])e([01])")


@dataclass(frozen=True)
class Choices:
    """The non-necessary categories a visitor allows; necessary cookies are always on."""

    analytics: bool
    marketing: bool
    embedded: bool

    @property
    def code(self) -> str:
        return f"a{self.analytics:d}m{self.marketing:d}e{self.embedded:d}"

    @classmethod
    def from_code(cls, code: str) -> "Choices | None":
        match = _CODE.fullmatch(code)
        if match is None:
            return None
        analytics, marketing, embedded = (flag == "1" for flag in match.groups())
        return cls(analytics=analytics, marketing=marketing, embedded=embedded)

    def as_dict(self) -> dict[str, bool]:
        return {
            "necessary": True,
            "analytics": self.analytics,
            "marketing": self.marketing,
            "embedded": self.embedded,
        }


NOTHING = Choices(analytics=False, marketing=False, embedded=False)
EVERYTHING = Choices(analytics=True, marketing=True, embedded=True)


@dataclass(frozen=True)
class ConsentCookie:
    consent_id: uuid.UUID
    choices: Choices
    banner_version: str

    def encode(self) -> str:
        return f"{self.consent_id}|{self.choices.code}|{quote(self.banner_version, safe='')}"

    @classmethod
    def decode(cls, value: str | None) -> "ConsentCookie | None":
        """The cookie's content, or None for a missing or malformed value."""
        parts = (value or "").split("|")
        if len(parts) != 3:
            return None
        try:
            consent_id = uuid.UUID(parts[0])
        except ValueError:
            return None
        choices = Choices.from_code(parts[1])
        if choices is None or not parts[2]:
            return None
        return cls(consent_id=consent_id, choices=choices, banner_version=unquote(parts[2]))
