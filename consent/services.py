"""Recording cookie decisions (policy §3c-§3e, §4; GDPR Art. 7; ekomloven § 3-15)."""

import functools
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from consent import banner, selectors
from consent.models import BannerText, ConsentDecision
from consent.state import EVERYTHING, NOTHING, Choices
from wekst import fragments, ratelimit, rows
from wekst.ip import truncate_ip

_ACTIONS = frozenset(ConsentDecision.Action.values)
_METHODS = frozenset(ConsentDecision.Method.values)
_CHOICES_OF = {
    ConsentDecision.Action.ACCEPT_ALL.value: EVERYTHING,
    ConsentDecision.Action.REJECT_ALL.value: NOTHING,
}


def decision_may_be_recorded(*, ip: str) -> Callable[[], bool]:
    """Count one decision from this client address; what the returned function says is False
    once over the rate limit. It is asked after the decision is parsed, so that Redis counts
    meanwhile (ratelimit.hit_soon)."""
    limit = ratelimit.Limit(
        settings.CONSENT_RATE_LIMIT_PER_IP, settings.CONSENT_RATE_LIMIT_WINDOW_SECONDS
    )
    return ratelimit.hit_soon("consent:ip", ip, limit, now=time.time())


def record_consent(
    *,
    consent_id: uuid.UUID | None,
    action: str,
    chosen: Choices = NOTHING,
    method: str,
    gpc: bool,
    language: str,
    ip: str | None,
) -> ConsentDecision:
    """Log one decision and return it (CON-03; GDPR Art. 7(1): the controller must show consent).

    `action` decides the choices: accept all, reject all, or `chosen` per category. A Global
    Privacy Control signal refuses analytics and marketing whatever was clicked (CON-07). The
    banner and policy versions in force are stored with it, and the address only truncated
    (IPv4 /24, IPv6 /48), or not at all when CONSENT_LOG_TRUNCATED_IP is off. A browser keeps its
    consent id across changes, so the log shows its history; a new browser gets a random one.
    The SHA-256 of the banner's exact text in that language is stored with it (CK-08), and the
    decision gets a random public id for its receipt (CK-09).
    """
    choices = _CHOICES_OF.get(action, chosen)
    if action not in _ACTIONS or method not in _METHODS:
        # As the model's choices say: the view checks them first (consent/forms.py).
        raise ValueError(f"not a decision: {action!r} by {method!r}")
    if gpc:
        choices = Choices(analytics=False, marketing=False, embedded=choices.embedded)
    version = selectors.banner_version()
    values = {
        "consent_id": consent_id or uuid.uuid4(),
        "public_id": uuid.uuid4(),
        "decided_at": timezone.now(),
        "action": str(action),
        "method": str(method),
        "analytics": choices.analytics,
        "marketing": choices.marketing,
        "embedded": choices.embedded,
        "gpc": gpc,
        "banner_version": version,
        "policy_version": selectors.policy_version(),
        "language": language,
        "banner_text_hash": banner_text_hash(language=language, banner_version=version),
        "truncated_ip": truncate_ip(ip) if settings.CONSENT_LOG_TRUNCATED_IP else None,
    }
    # The site's busiest write: one INSERT without the ORM's compiler or a model instance's
    # keyword initialisation, which were most of its cost (docs/benchmarks.md, wekst/rows.py).
    # Decisions are never updated, so no other save path is needed.
    return rows.insert(ConsentDecision, values)


def banner_text_hash(*, language: str, banner_version: str) -> str:
    """The SHA-256 of the banner text shown in `language`, its wording kept once (CK-08)."""
    return _kept_banner_text(language, banner_version)


@functools.cache
def _kept_banner_text(language: str, banner_version: str) -> str:
    # Once per process for each language and version, not once per decision: the consent
    # endpoint is the busiest write, and the text cannot change while a process runs.
    shown = banner.shown_text(language, banner_version)
    BannerText.objects.get_or_create(
        sha256=shown.sha256,
        defaults={"language": language, "banner_version": banner_version, "text": shown.text},
    )
    return shown.sha256


def forget_banner_texts() -> None:
    """Work the banner texts out again (tests: the database and the declaration change), and
    render the banner afresh (wekst/fragments.py)."""
    _kept_banner_text.cache_clear()
    banner.shown_text.cache_clear()
    fragments.forget()
