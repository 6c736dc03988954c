"""System checks for privacy requests: the erasure ledger must be writable, and every processor
with a connector (erasure, rectification or restriction) must be a recipient in the declaration."""

import os
from pathlib import Path

from django.conf import settings
from django.core import checks

from declaration.selectors import get_declaration
from processors.connectors import CONNECTORS


@checks.register()
def check_erasure_ledger(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """An erasure that cannot be written to the ledger would fail: say so at start-up instead."""
    path = Path(settings.WEKST_ERASURE_LEDGER_PATH)
    directory = next((p for p in [path.parent, *path.parents] if p.exists()), None)
    writable = path.exists() and path.is_file() and _writable(path)
    if not writable and not path.exists() and directory is not None:
        writable = directory.is_dir() and _writable(directory)
    if writable:
        return []
    return [
        checks.Error(
            f"The erasure ledger {path} cannot be written.",
            hint="Set WEKST_ERASURE_LEDGER_PATH to a writable file on storage that is not "
            "restored with the database (docs/rights.md).",
            id="rights.E001",
        )
    ]


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


@checks.register()
def check_connectors_are_declared(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    recipients = get_declaration().recipients
    return [
        checks.Error(
            f"The {kind} connector {key!r} is not a recipient in the declaration.",
            id="rights.E002",
        )
        for kind, connectors in CONNECTORS.items()
        for key in connectors
        if key not in recipients
    ]
