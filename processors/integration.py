"""What one provider integration is: the single record of its facts, defined next to its module
(ga4.py, email_provider.py, trafft.py, calcom.py) and collected in processors/providers.py.

Every registry that needs a provider's facts reads them here: whether settings switch it on and
with which setting (PRO-02, processors.selectors and checks), its connectors per kind of notice
(RG-12, processors.connectors.CONNECTORS), the settings that hold its URLs (DEC-07, the outbound
host rule), how a person's data reached it and what it knows them by (Art. 19,
rights.processor_targets.processor_targets), and the fields it may be sent with the data category of each
(PT-08). Adding a provider is a checklist: docs/adding-a-processor.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.apps import apps
from django.conf import settings

# The kinds of notice, as rights.models.ProcessorNotice.Kind names them.
ERASURE, RECTIFICATION, RESTRICTION = "erasure", "rectification", "restriction"
KINDS = (ERASURE, RECTIFICATION, RESTRICTION)

# How the person's data reached the provider, which decides whether a notice goes to it (Art. 19).
BOOKINGS = "bookings"  # the meetings the person booked through it (leads.Meeting.provider)
ACTIVITIES = "activities"  # any record of an activity the declaration sends to it
CLIENT_IDS = "client ids"  # the analytics client ids the person gives with a request

# What a provider may know a person by (processors.connectors.ProcessorTarget's fields), and the
# declared data category each one is: a provider must hold the category of all it knows them by.
IDENTIFIER_CATEGORIES = MappingProxyType(
    {
        "emails": "contact",
        "phones": "contact",
        "booking_ids": "booking",
        "client_ids": "online_identifier",
    }
)


@dataclass(frozen=True)
class Integration:
    """One provider integration: its recipient in the declaration and everything the code needs
    to know about it. Connectors are the module's functions (processors/connectors.py says what
    each must do); None means the notice waits for staff with a generic instruction."""

    # The recipient's key in the declaration's `recipients` (a processor with `server_hosts`).
    key: str
    # The setting named when it is switched on without its contracts (processors.E001).
    setting: str
    # The data categories the provider holds; the declaration must say the same (a test checks).
    data_categories: tuple[str, ...]
    # How the person's data reached it (BOOKINGS, ACTIVITIES, CLIENT_IDS) and what it knows them
    # by (ProcessorTarget's fields): what a notice to it carries, and nothing more.
    received_through: str
    known_by: tuple[str, ...]
    # The settings that hold a URL at this provider: a loopback URL in one of them counts as
    # declared for this recipient only (a local signing relay, or in tests a server playing it).
    url_settings: tuple[str, ...] = ()
    erase: Callable[..., None] | None = None
    rectify: Callable[..., None] | None = None
    restrict: Callable[..., None] | None = None
    # PT-08: every field our server may send it (dotted JSON path, form or query name) and the
    # data category of its value; None for a field that carries no personal data (a protocol
    # value, our own credentials). Anything else in an outgoing body is a defect.
    sends: Mapping[str, str | None] = field(default_factory=dict)
    # For a provider that cannot be asked what it holds, what the retention reconciliation relies
    # on instead (RT-09, retention/reconciliation.py; shown on each daily check).
    what_it_holds: str = ""
    # Whether settings switch it on; by default, whether `setting` is set.
    switched_on: Callable[[], bool] | None = None

    def is_switched_on(self) -> bool:
        if self.switched_on is not None:
            return self.switched_on()
        return bool(getattr(settings, self.setting, ""))

    def fields_not_allowed(self, fields: list[str]) -> list[str]:
        """The fields of an outgoing request that this record does not list in `sends`."""
        return [name for name in dict.fromkeys(fields) if name not in self.sends]

    def connector(self, kind: str) -> Callable[..., None] | None:
        return {ERASURE: self.erase, RECTIFICATION: self.rectify, RESTRICTION: self.restrict}[kind]


def integrations() -> dict[str, Integration]:
    """Every provider integration by its key, as collected in processors/providers.py (the app
    reads that list when Django is ready, so any module may ask without importing the providers)."""
    return apps.get_app_config("processors").integrations


def get_integration(key: str) -> Integration | None:
    return integrations().get(key)


def outgoing_fields(url: str, body: bytes | None, content_type: str = "") -> list[str]:
    """The field names an outgoing request carries (PT-08): its query's names, and its body's
    fields, the dotted paths of a JSON object's leaves (a list is one leaf) or a form's names. A
    body that is neither counts as one field no record allows."""
    fields = [name for name, _value in parse_qsl(urlsplit(url).query, keep_blank_values=True)]
    if not body:
        return fields
    try:
        if "json" in content_type:
            return fields + _json_paths(json.loads(body))
        if "x-www-form-urlencoded" in content_type:
            names = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True)
            return fields + [name for name, _value in names]
    except (ValueError, UnicodeDecodeError):
        pass
    return [*fields, "(a body that is not JSON or a form)"]


def _json_paths(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        return [
            path
            for name, item in value.items()
            for path in _json_paths(item, f"{prefix}.{name}" if prefix else name)
        ]
    return [prefix or "(the body itself)"]
