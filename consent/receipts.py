"""Consent receipts: a visitor's own record of each cookie decision, in Kantara form (CK-09).

The fields follow the Kantara Initiative Consent Receipt Specification v1.1 (2018-02-20), which
maps onto the consent record of ISO/IEC TS 27560:2023. Beyond them a receipt says what was
chosen per category (`consentStatus`: given, refused, or withdrawn when the decision before
gave it), the banner version and the SHA-256 of the banner text shown with that text itself,
and the history of the consent id, each decision with its own receipt.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from consent import banner, selectors
from consent.models import BannerText, ConsentDecision
from consent.state import Choices
from declaration.selectors import get_declaration

VERSION = "KI-CR-v1.1.0"
# The controller is established in Norway (the GDPR through the EEA Agreement, ekomloven § 3-15
# for the cookies), and Datatilsynet is its supervisory authority.
JURISDICTION = "NO"
# Kantara v1.1, Appendix: the purpose category of each consent category. Analytics measures and
# improves the site; marketing measures our own campaigns; embedded media lets YouTube and Google
# Maps deliver their own content to the visitor.
PURPOSE_CATEGORIES = {
    "analytics": "16 - Improve Performance",
    "marketing": "6 - Marketing",
    "embedded": "10 - 3rd Party Sharing for Core Function",
}


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _status(category: str, decision: ConsentDecision, before: ConsentDecision | None) -> str:
    if getattr(decision, category):
        return "given"
    if before is not None and getattr(before, category):
        return "withdrawn"
    return "refused"


def _collection_method(decision: ConsentDecision, site: str) -> str:
    if decision.method == ConsentDecision.Method.SETTINGS:
        method = _("Cookie settings on %(site)s: a change or withdrawal") % {"site": site}
    else:
        method = _("Cookie banner on %(site)s: the first choice") % {"site": site}
    if decision.gpc:
        method += "; " + _(
            "the browser sent a Global Privacy Control signal, a refusal of analytics and marketing"
        )
    return method


def _services(decision: ConsentDecision, before: ConsentDecision | None) -> list[dict]:
    """One service per consent category, its purposes the declared activities behind it."""
    declaration = get_declaration()
    expires = selectors.expires_at(decision)
    termination = _(
        "%(days)s days after this decision, at %(expires)s, or sooner if it is changed under "
        "Cookie settings"
    ) % {"days": settings.CONSENT_MAX_AGE_DAYS, "expires": _timestamp(expires)}
    services = []
    for category in selectors.CATEGORIES:
        keys = dict.fromkeys(cookie.activity for cookie in declaration.cookies_in(category))
        purposes = []
        for key in keys:
            activity = declaration.activities[key]
            recipients = declaration.recipients_of(activity)
            purpose = {
                "purpose": str(activity.purpose),
                "purposeCategory": [PURPOSE_CATEGORIES[category]],
                "consentType": "EXPLICIT",
                "piiCategory": [
                    str(declaration.data_categories[c].name) for c in activity.data_categories
                ],
                "primaryPurpose": False,
                "termination": termination,
                "thirdPartyDisclosure": bool(recipients),
                "consentStatus": _status(category, decision, before),
            }
            if recipients:
                purpose["thirdPartyName"] = "; ".join(
                    f"{r.name} ({r.legal_entity})" for r in recipients
                )
            purposes.append(purpose)
        services.append({"service": str(banner.CATEGORY_LABELS[category]), "purposes": purposes})
    return services


def _controller() -> dict:
    controller = get_declaration().controller
    entry = {
        "piiController": f"{controller.legal_name} ({controller.trading_name})",
        "onBehalf": False,
        "contact": _("Privacy contact at %(name)s") % {"name": controller.trading_name},
        "address": {"streetAddress": str(controller.address), "addressCountry": JURISDICTION},
        "email": controller.email,
    }
    phone = getattr(controller, "phone", "")  # the declaration gives none today
    if phone:
        entry["phone"] = phone
    entry["piiControllerUrl"] = controller.website
    return entry


def build_receipt(
    *,
    decision: ConsentDecision,
    history: list[ConsentDecision],
    absolute: Callable[[str], str],
) -> dict:
    """The receipt of `decision`, in the language the visitor decided in.

    `history` is every decision of the same consent id, newest first (it includes `decision`);
    `absolute` turns a path into a full URL on this site.
    """
    index = next(i for i, d in enumerate(history) if d.pk == decision.pk)
    before = history[index + 1] if index + 1 < len(history) else None
    text = (
        BannerText.objects.filter(sha256=decision.banner_text_hash).first()
        if decision.banner_text_hash
        else None
    )
    with translation.override(decision.language):
        controller = _controller()
        receipt = {
            "version": VERSION,
            "jurisdiction": JURISDICTION,
            "consentTimestamp": int(decision.decided_at.timestamp()),
            "collectionMethod": _collection_method(decision, controller["piiControllerUrl"]),
            "consentReceiptID": str(decision.public_id),
            "language": decision.language,
            # The random consent id of the browser, and nothing else that could identify anyone.
            "piiPrincipalId": str(decision.consent_id),
            "piiControllers": [controller],
            "policyUrl": absolute(reverse("declaration:privacy_policy")),
            "services": _services(decision, before),
            "sensitive": False,
            "spiCat": [],
            "consentTime": _timestamp(decision.decided_at),
            "expiresAt": _timestamp(selectors.expires_at(decision)),
            "choice": decision.action,
            "choices": Choices(decision.analytics, decision.marketing, decision.embedded).as_dict(),
            "gpc": decision.gpc,
            "bannerVersion": decision.banner_version,
            "bannerTextHash": decision.banner_text_hash or None,
            "bannerText": text.text if text else None,
            "policyVersion": decision.policy_version,
            "history": [_history_entry(d, absolute) for d in history],
        }
    return receipt


def _history_entry(decision: ConsentDecision, absolute: Callable[[str], str]) -> dict:
    return {
        "consentReceiptID": str(decision.public_id),
        "consentTimestamp": int(decision.decided_at.timestamp()),
        "consentTime": _timestamp(decision.decided_at),
        "choice": decision.action,
        "choices": Choices(decision.analytics, decision.marketing, decision.embedded).as_dict(),
        "receiptUrl": absolute(banner.receipt_url(decision)),
    }
