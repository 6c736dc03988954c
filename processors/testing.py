"""Test helpers for code that depends on the processor register (other apps' tests use them).

An integration runs only with its processor's agreement and safeguard on record (PRO-02); a test
of GA4 loading or of a booking webhook first puts them on record with put_on_record().
"""

import datetime

from django.core.files.base import ContentFile

from declaration.selectors import get_declaration
from processors.models import Recipient
from processors.services import sync_register

SIGNED_ON = datetime.date(2026, 1, 15)


def put_on_record(*keys: str) -> list[Recipient]:
    """Record a complete agreement, and the declared transfer safeguard with its document and
    check, for each recipient key; the register is synced from the declaration first."""
    sync_register()
    entries = []
    for key in keys:
        declared = get_declaration().recipients[key]
        entry = Recipient.objects.get(key=key)
        entry.dpa_signed_on = SIGNED_ON
        entry.dpa_version = "test"
        entry.dpa_document.save(f"{key}-agreement.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        if declared.transfers_outside_eea:
            entry.safeguard = declared.transfer_safeguard
            entry.safeguard_checked_on = SIGNED_ON
            entry.safeguard_document.save(
                f"{key}-safeguard.pdf", ContentFile(b"%PDF-1.4 test"), save=False
            )
        entry.save()
        entries.append(entry)
    return entries
