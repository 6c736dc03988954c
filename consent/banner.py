"""The consent banner: what it shows a visitor, and its exact text, hashed for the log (CK-08)."""

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser

from django.conf import settings
from django.template import Context
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from consent import guard, selectors
from consent.models import ConsentDecision
from consent.selectors import VisitorConsent
from processors.selectors import integration_enabled
from wekst.fragments import Memo, place

CATEGORY_LABELS = {
    "analytics": _("Analytics"),
    "marketing": _("Marketing"),
    "embedded": _("Embedded media"),
}

# Elements that start a line of their own in the text kept (the banner uses some of them).
BLOCKS = frozenset(
    "address article aside blockquote br button dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr label legend li main nav ol p "
    "pre section summary table td th tr ul".split()
)


def receipt_url(decision: ConsentDecision, context: Context | None = None) -> str:
    """Where the visitor holding `decision`'s consent id downloads its receipt (CK-09); in the
    language of the page whose template `context` renders it, if any (wekst.fragments.place)."""
    template = _receipt_url_template(*place(context))
    return template.format(consent_id=decision.consent_id, receipt_id=decision.public_id)


@cache
def _receipt_url_template(language: str, prefix: str) -> str:
    # Reversed once per language: the consent endpoint answers with this link each time.
    # Both ids are UUIDs, which need no quoting in a path.
    return (
        reverse(
            "consent:decision_receipt",
            kwargs={"consent_id": "{consent_id}", "receipt_id": "{receipt_id}"},
        )
        .replace("%7B", "{")
        .replace("%7D", "}")
    )


def ga_measurement_id() -> str:
    """The GA4 tag id consent.js may load after consent, or "" (asked for each request: the
    register may block the integration at any time)."""
    # GA4 stays off without its processor's agreement and safeguard on record (PRO-02).
    return settings.GA4_MEASUREMENT_ID if integration_enabled("google_analytics") else ""


def banner_context(*, visitor: VisitorConsent, back: str) -> dict:
    """What banner.html needs for this visitor; `back` is the page the plain form returns to."""
    choices = visitor.choices
    categories = []
    for key, category in selectors.categories().items():
        refused_by_gpc = visitor.gpc and key != "embedded"
        categories.append(
            {
                "key": key,
                "label": CATEGORY_LABELS[key],
                "providers": ", ".join(category.providers),
                "purpose": category.purpose,
                "checked": bool(choices and getattr(choices, key)) and not refused_by_gpc,
                "disabled": refused_by_gpc,
            }
        )
    providers = {row["key"]: row["providers"] for row in categories}
    return {
        "open": choices is None,
        "state": choices.code if choices else "",
        "gpc": visitor.gpc,
        "ga_id": ga_measurement_id(),
        "ga_expires": selectors.GA_COOKIE_EXPIRES_SECONDS,
        "categories": categories,
        "analytics_providers": providers["analytics"],
        "marketing_providers": providers["marketing"],
        "embedded_providers": providers["embedded"],
        "method": "settings" if choices else "banner",
        "next": back or "/",
        "receipt_url": receipt_url(visitor.decision) if visitor.decision else "",
    }


# The banner in each state it can be in, with markers where a visitor's own addresses go: the page
# to return to and their receipt link are the only words of the banner that are theirs alone.
_BANNERS = Memo()
_BACK = "\x00back\x00"
_RECEIPT = "\x00receipt\x00"


def banner_html(
    *, visitor: VisitorConsent, back: str, guarded: bool, context: Context | None = None
) -> SafeString:
    """banner.html for this visitor (CON-01), rendered once per process for each state it can be
    in (their choices, GPC, a health-related page, the GA4 tag id) and language
    (wekst/fragments.py); `back` is the page the plain form returns to, `context` the page's
    template context when it is rendered into one.

    On a health-related page no tag id for consent.js, tracking off whatever was chosen (CON-10);
    elsewhere the rules that clean the address GA4 receives. The page to return to and the
    receipt link, the visitor's own, are put in for each request, escaped as the template would.
    """
    decision = visitor.decision
    ga_id = "" if guarded else ga_measurement_id()

    def render() -> str:
        context = banner_context(visitor=visitor, back=_BACK)
        context.update(guarded=guarded, ga_id=ga_id)
        if decision is not None:
            context["receipt_url"] = _RECEIPT
        if not guarded:
            rules = guard.analytics_address_rules()
            context.update(
                ga_redact=json.dumps(rules["patterns"]), ga_placeholder=rules["placeholder"]
            )
        return render_to_string("consent/banner.html", context)

    key = (visitor.choices, visitor.gpc, guarded, ga_id, decision is not None)
    html = _BANNERS.get(key, render, context).replace(_BACK, escape(back or "/"))
    if decision is not None:
        html = html.replace(_RECEIPT, escape(receipt_url(decision, context)))
    return mark_safe(html)  # noqa: S308 - rendered by the template, the addresses escaped


class _FormText(HTMLParser):
    """The text of the first <form> in a piece of HTML, a line for each block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = self.done = False
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "form" and not self.done:
            self.inside = True
        if self.inside and tag in BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag) -> None:
        if self.inside and tag in BLOCKS:
            self.parts.append("\n")
        if tag == "form" and self.inside:
            self.inside, self.done = False, True

    def handle_data(self, data) -> None:
        if self.inside:
            self.parts.append(data)


def normalised_text(html: str) -> str:
    """The banner form's text as its visitor reads it, the same every time (CK-08).

    Everything the form says: the first layer (heading, explanation, the GPC note, the buttons)
    and the settings layer (each category, its providers and purpose), and the links under it.
    Tags go (a block element or <br> ends a line), entities are decoded, each line's whitespace
    is collapsed to single spaces, and empty lines are dropped.
    """
    parser = _FormText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class ShownText:
    language: str
    banner_version: str
    text: str
    sha256: str


NOT_CHOSEN = VisitorConsent(cookie=None, decision=None, gpc=False)


@cache
def shown_text(language: str, banner_version: str) -> ShownText:
    """The banner's text in `language` under `banner_version`, and its SHA-256.

    Worked out once per process for each language and version: the banner's words come only
    from the templates, the translations and the declaration, all fixed while a process runs,
    and a decision's state (ticks, GPC) changes attributes, never words (the GPC note is in the
    page either way, shown when it applies; the decision records whether it did).
    """
    with translation.override(language):
        html = render_to_string("consent/banner.html", banner_context(visitor=NOT_CHOSEN, back="/"))
    text = normalised_text(html)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return ShownText(language=language, banner_version=banner_version, text=text, sha256=digest)
