"""The erasure ledger: erasures and objections written outside the database (RIG-04, RG-13).

Why a file and not a table: a database backup restored after an erasure would bring the erased
person back, together with any table that recorded the erasure. The ledger lives at
WEKST_ERASURE_LEDGER_PATH, on storage that is not restored with the database, and
`manage.py reapply_erasure_ledger` replays it after a restore (docs/rights.md).

It holds no readable personal data: one JSON line per event with the time and keyed hashes
(HMAC-SHA256 with the secret key) of the normalised email address and phone number, which can
recognise a person given again but cannot be reversed, nor checked against a list of addresses
without the key. Lines are only ever appended.
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from wekst.addresses import normalise_email, normalise_phone

ERASURE = "erasure"
OBJECTION = "objection"
_SALT = "rights.ErasureLedger"


class Digester:
    """Keyed hashes of normalised addresses and phone numbers, under the current secret key and
    every fallback key (so entries made before a key rotation are still recognised).

    The same values as Django's salted_hmac, with the keys derived once: re-applying the ledger
    hashes every subject in the database.
    """

    def __init__(self) -> None:
        self._keys = [
            hashlib.sha256((_SALT + key).encode()).digest()
            for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        ]

    def _all(self, value: str) -> list[str]:
        return [hmac.new(key, value.encode(), hashlib.sha256).hexdigest() for key in self._keys]

    def email(self, email: str) -> list[str]:
        return self._all(f"email:{normalise_email(email)}")

    def phone(self, phone: str) -> list[str]:
        return self._all(f"phone:{normalise_phone(phone)}")


@dataclass(frozen=True)
class LedgerEntry:
    event: str
    at: datetime.datetime
    digests: tuple[str, ...] = ()
    suppression_digest: str = ""


def _path() -> Path:
    return Path(settings.WEKST_ERASURE_LEDGER_PATH)


def _append(line: dict) -> None:
    """Append one line and force it to disk before returning (the caller's commit follows)."""
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n"
    with path.open("a", encoding="utf-8") as ledger:
        fcntl.flock(ledger, fcntl.LOCK_EX)
        try:
            ledger.write(text)
            ledger.flush()
            os.fsync(ledger.fileno())
        finally:
            fcntl.flock(ledger, fcntl.LOCK_UN)


def record_erasure(*, email: str | None, phone: str, at: datetime.datetime | None = None) -> None:
    """Note that the person with this address and/or phone number was erased, at `at`."""
    digester, digests = Digester(), []
    if email:
        digests.append(digester.email(email)[0])
    if phone:
        digests.append(digester.phone(phone)[0])
    if digests:
        _append({"event": ERASURE, "at": (at or timezone.now()).isoformat(), "digests": digests})


def record_objection(*, suppression_digest: str, at: datetime.datetime | None = None) -> None:
    """Note an objection to direct marketing by the newsletter's suppression hash of the address
    (already keyed, never readable), so a restore cannot undo the suppression (RIG-05)."""
    _append(
        {
            "event": OBJECTION,
            "at": (at or timezone.now()).isoformat(),
            "suppression": suppression_digest,
        }
    )


def read_entries() -> Iterator[LedgerEntry]:
    """Every entry, oldest first; a damaged line (a crash mid-write) is skipped, never fatal."""
    path = _path()
    if not path.exists():
        return
    with path.open(encoding="utf-8") as ledger:
        for line in ledger:
            try:
                data = json.loads(line)
                at = parse_datetime(data["at"])
            except (ValueError, KeyError, TypeError):
                continue
            if at is None:
                continue
            yield LedgerEntry(
                event=data.get("event", ""),
                at=at,
                digests=tuple(data.get("digests", ())),
                suppression_digest=data.get("suppression", ""),
            )


def erased_before(*, email: str, phone: str, at: datetime.datetime) -> bool:
    """Whether the ledger holds an erasure, at or before `at`, of this address or phone number
    (either may be empty)."""
    digester = Digester()
    digests = set(digester.email(email) if email else [])
    if phone:
        digests.update(digester.phone(phone))
    return any(
        entry.event == ERASURE and entry.at <= at and digests.intersection(entry.digests)
        for entry in read_entries()
    )
