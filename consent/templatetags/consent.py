"""The consent banner and the click-to-load placeholder for embedded content."""

from django import template
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from consent import embeds, selectors
from declaration.selectors import get_declaration
from processors.selectors import integration_enabled

register = template.Library()

CATEGORY_LABELS = {
    "analytics": _("Analytics"),
    "marketing": _("Marketing"),
    "embedded": _("Embedded media"),
}


@register.inclusion_tag("consent/banner.html", takes_context=True)
def consent_banner(context) -> dict:
    """The consent dialog: open while the visitor has no valid choice, else hidden until reopened.

    It is rendered into every page by the server, so that it works without JavaScript and
    appears without moving anything (CON-01, CON-02, CON-04).
    """
    request = context.get("request")
    if request is None:
        return {"skip": True}
    visitor = selectors.visitor_consent(request)
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
    # After a failed post (the problem page), the plain form returns to where it came from.
    back = request.get_full_path() if request.method in ("GET", "HEAD") else context.get("back")
    return {
        "open": choices is None,
        "state": choices.code if choices else "",
        "gpc": visitor.gpc,
        # GA4 stays off without its processor's agreement and safeguard on record (PRO-02).
        "ga_id": settings.GA4_MEASUREMENT_ID if integration_enabled("google_analytics") else "",
        "ga_expires": selectors.GA_COOKIE_EXPIRES_SECONDS,
        "categories": categories,
        "analytics_providers": providers["analytics"],
        "marketing_providers": providers["marketing"],
        "embedded_providers": providers["embedded"],
        "method": "settings" if choices else "banner",
        "next": back or "/",
    }


@register.inclusion_tag("consent/embed.html", takes_context=True)
def consent_embed(context, provider: str, src: str, title: str, link: str = "") -> dict:
    """An embedded video or map as a placeholder that loads only after consent or a click.

    `src` is the provider's embed address (checked against the provider), `title` names the
    frame for screen readers, `link` is an optional address to open it on the provider's site.
    """
    chosen = embeds.provider_for(provider, src)
    request = context.get("request")
    choices = selectors.visitor_consent(request).choices if request is not None else None
    return {
        "src": src,
        "title": title,
        "link": link,
        "provider": chosen,
        "recipient": get_declaration().recipients[chosen.recipient],
        "allowed": bool(choices and choices.embedded),
    }
