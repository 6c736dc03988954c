"""The one interface through which an erasure, a rectification or a restriction reaches a processor
(GDPR Art. 17(2), 19, 28(3)(e)).

A connector is a function, one per processor and kind of notice, in the processor's module
(ga4.py, email_provider.py, trafft.py, calcom.py), named in that module's integration record
(processors/integration.py) under the processor's key in the declaration's `recipients`:

    erase(target: ProcessorTarget) -> None
    rectify(target: ProcessorTarget, changes: dict[str, str]) -> None
    restrict(target: ProcessorTarget) -> None

`target` is what the processor knows the person by (before any correction); `changes` the
corrected values it holds. A connector returns when the processor has accepted the notice, raises
ConnectorFailed for a failure worth retrying (rights.tasks retries with backoff), and
ManualStepNeeded when it cannot act by itself (not configured, or the processor has no API):
staff then act in the processor's own interface and mark the job done.
Tests replace a connector with processors.fake.FakeConnector.

Every HTTP call to a processor goes through `send`, which names the recipient it is for and
refuses (UndeclaredHost) a host the declaration does not name for that recipient, or a recipient
whose agreement is not on record in the processor register (DEC-07, PT-02).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from declaration.hosts import host_matches
from declaration.selectors import get_declaration
from processors.integration import (
    ERASURE,
    KINDS,
    RECTIFICATION,
    RESTRICTION,
    get_integration,
    integrations,
    outgoing_fields,
)

logger = logging.getLogger(__name__)


class ConnectorFailed(Exception):
    """The processor could not be reached or refused for now: try again later."""


class ManualStepNeeded(Exception):
    """The processor cannot be told automatically; the message tells staff what to do by hand."""


class UndeclaredField(ManualStepNeeded):
    """A call refused before it left: it carries a field its integration record does not allow
    (PT-08). A defect in the connector, not worth retrying: staff act by hand meanwhile."""


class UndeclaredHost(ManualStepNeeded):
    """A call refused before it left: its host is not declared for the recipient, or the
    recipient's agreement is not on record. Not worth retrying: staff fix the declaration, the
    register or the setting, then act by hand or send the notice again."""


@dataclass(frozen=True)
class ProcessorTarget:
    """What a processor may know the person by. Only what that processor received is filled in."""

    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    booking_ids: tuple[str, ...] = ()
    client_ids: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "emails": list(self.emails),
            "phones": list(self.phones),
            "booking_ids": list(self.booking_ids),
            "client_ids": list(self.client_ids),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProcessorTarget:
        return cls(
            **{name: tuple(str(v) for v in data.get(name, ())) for name in cls.__dataclass_fields__}
        )


Connector = Callable[..., None]


class ConnectorRegistry(Mapping[str, dict[str, Connector]]):
    """Kind of notice -> processor key (declaration `recipients`) -> its function, read from the
    integration records (processors/integration.py) the first time it is asked, so that it lists
    no provider itself. Tests replace one entry with monkeypatch.setitem."""

    def __init__(self) -> None:
        self._by_kind: dict[str, dict[str, Connector]] | None = None

    def _registry(self) -> dict[str, dict[str, Connector]]:
        if self._by_kind is None:
            records = integrations().values()
            self._by_kind = {
                kind: {r.key: c for r in records if (c := r.connector(kind)) is not None}
                for kind in KINDS
            }
        return self._by_kind

    def __getitem__(self, kind: str) -> dict[str, Connector]:
        return self._registry()[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._registry())

    def __len__(self) -> int:
        return len(self._registry())


CONNECTORS = ConnectorRegistry()
_BY_HAND = {
    ERASURE: "erase the data there by hand",
    RECTIFICATION: "correct the data there by hand",
    RESTRICTION: "restrict the use of the data there by hand",
}


def get_connector(processor: str, kind: str = ERASURE) -> Connector:
    connector = CONNECTORS[kind].get(processor)
    if connector is None:
        raise ManualStepNeeded(f"No {kind} connector for {processor!r}: {_BY_HAND[kind]}.")
    return connector


def call_connector(
    *, processor: str, kind: str, target: ProcessorTarget, changes: dict[str, str]
) -> None:
    """Tell one processor of an erasure, rectification (with the corrected values) or
    restriction through its connector; raises as the connector does."""
    connector = get_connector(processor, kind)
    if kind == RECTIFICATION:
        connector(target, dict(changes))
    else:
        connector(target)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body or b"null")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _configured_locally(recipient: str, url: str) -> bool:
    parts = urlsplit(url)
    if not _is_loopback(parts.hostname or ""):
        return False
    integration = get_integration(recipient)
    for name in integration.url_settings if integration else ():
        configured = urlsplit(getattr(settings, name, "") or "")
        if (configured.scheme, configured.netloc) == (parts.scheme, parts.netloc):
            return True
    return False


def host_declared(*, recipient: str, url: str) -> bool:
    """Whether the declaration names the host of `url` for `recipient` (or it is that recipient's
    own local URL: a loopback URL in one of its `url_settings`, processors/integration.py)."""
    declared = get_declaration().recipients.get(recipient)
    host = urlsplit(url).hostname or ""
    return declared is not None and (
        host_matches(host, declared.server_hosts) or _configured_locally(recipient, url)
    )


def outbound_refusal(*, recipient: str, url: str) -> str | None:
    """Why our server may not send to `url` for `recipient`, or None when it may: the host must be
    one the declaration names for the recipient (`server_hosts`; DEC-07) and the recipient's
    register entry complete, its agreement and transfer safeguard on record (PT-02, PRO-02:
    processors.selectors.recipient_blockers, the rule that also keeps integrations off)."""
    from processors.selectors import recipient_blockers

    host = urlsplit(url).hostname or ""
    declared = get_declaration().recipients.get(recipient)
    if declared is None:
        return f"{recipient!r} is not a recipient in the declaration of processing."
    if not host_declared(recipient=recipient, url=url):
        named = ", ".join(declared.server_hosts) or "none"
        return (
            f"the declaration does not name {host} as a host of {declared.name} "
            f"(its server_hosts: {named}). Add it to the declaration, or correct the setting."
        )
    blockers = recipient_blockers(recipient)
    if blockers:
        return f"{declared.name} has no complete register entry: {' '.join(blockers)}"
    return None


def send(
    method: str,
    url: str,
    *,
    recipient: str,
    headers: dict[str, str] | None = None,
    payload: Any = None,
    body: bytes | None = None,
    timeout: float = 10,
) -> Response:
    """One HTTP call to `recipient` (its key in the declaration); the answer whatever its status.
    ConnectorFailed when nothing came back.

    Only https:// URLs (or http:// to this machine, for tests and local relays) are allowed, so a
    misconfigured URL cannot read local files through urllib. A host not declared for the
    recipient, or a recipient without its agreement on record, is refused with UndeclaredHost
    before anything is sent (DEC-07): the notice waits for staff, who see why.
    """
    if not (url.startswith("https://") or url.startswith(("http://127.0.0.1", "http://localhost"))):
        raise ManualStepNeeded(f"Refusing to call {url!r}: only https:// URLs are allowed.")
    refusal = outbound_refusal(recipient=recipient, url=url)
    if refusal is not None:
        host = urlsplit(url).hostname
        logger.error("Refused an outbound call to %s for %s: %s", host, recipient, refusal)
        raise UndeclaredHost(f"Refused to send to {host} for {recipient}: {refusal}")
    data, all_headers = None, dict(headers or {})
    if payload is not None:
        data = json.dumps(payload).encode()
        all_headers.setdefault("Content-Type", "application/json")
    elif body is not None:
        data = body
    _refuse_fields_not_allowed(recipient, url, data, all_headers.get("Content-Type", ""))
    request = urllib.request.Request(url, data=data, headers=all_headers, method=method)  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return Response(answer.status, answer.read(), dict(answer.headers))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read(), dict(error.headers or {}))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ConnectorFailed(f"{method} {url.split('?')[0]}: {error}") from error


def _refuse_fields_not_allowed(recipient: str, url: str, data: bytes | None, content_type: str):
    """Send a recipient only the fields its integration record allows, each of a data category
    declared for it (PT-08; Art. 5(1)(c), 25(1)): a connector that starts sending more is stopped
    here, before anything leaves, rather than found in an audit."""
    fields = outgoing_fields(url, data, content_type)
    integration = get_integration(recipient)
    extra = integration.fields_not_allowed(fields) if integration else fields
    if extra:
        logger.error("Refused an outbound call for %s: fields not allowed: %s", recipient, extra)
        raise UndeclaredField(
            f"Refused to send {', '.join(extra)} to {recipient}: not among the fields its "
            "integration record allows (processors/integration.py, PT-08)."
        )


def raise_for_status(response: Response, what: str, *, done_statuses: tuple[int, ...] = ()) -> None:
    """Return for 2xx (and `done_statuses`, e.g. 404 "already gone"); ConnectorFailed otherwise.

    The error names the status and the start of the body (processor error messages hold no
    personal data of ours beyond what we sent), so staff can see why a job is stuck.
    """
    if 200 <= response.status < 300 or response.status in done_statuses:
        return
    detail = response.body[:300].decode("utf-8", "replace")
    raise ConnectorFailed(f"{what}: HTTP {response.status} {detail}".strip())
