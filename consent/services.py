"""Recording cookie decisions (policy §3c-§3e, §4; GDPR Art. 7; ekomloven § 3-15)."""

import time
import uuid

from django.conf import settings

from consent import selectors
from consent.models import ConsentDecision
from consent.state import EVERYTHING, NOTHING, Choices
from wekst import ratelimit
from wekst.ip import truncate_ip


def decision_may_be_recorded(*, ip: str) -> bool:
    """Count one decision from this client address; False once over the rate limit."""
    limit = ratelimit.Limit(
        settings.CONSENT_RATE_LIMIT_PER_IP, settings.CONSENT_RATE_LIMIT_WINDOW_SECONDS
    )
    return ratelimit.hit("consent:ip", ip, limit, now=time.time())


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
    """
    choices = {
        ConsentDecision.Action.ACCEPT_ALL: EVERYTHING,
        ConsentDecision.Action.REJECT_ALL: NOTHING,
        ConsentDecision.Action.CHOOSE: chosen,
    }[ConsentDecision.Action(action)]
    if gpc:
        choices = Choices(analytics=False, marketing=False, embedded=choices.embedded)
    return ConsentDecision.objects.create(
        consent_id=consent_id or uuid.uuid4(),
        action=action,
        method=ConsentDecision.Method(method),
        analytics=choices.analytics,
        marketing=choices.marketing,
        embedded=choices.embedded,
        gpc=gpc,
        banner_version=selectors.banner_version(),
        policy_version=selectors.policy_version(),
        language=language,
        truncated_ip=truncate_ip(ip) if settings.CONSENT_LOG_TRUNCATED_IP else None,
    )
