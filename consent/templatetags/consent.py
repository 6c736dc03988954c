"""The consent banner and the click-to-load placeholder for embedded content."""

import json

from django import template
from django.middleware.csp import get_nonce

from consent import banner, embeds, guard, selectors
from declaration.selectors import get_declaration

register = template.Library()


@register.inclusion_tag("consent/banner.html", takes_context=True)
def consent_banner(context) -> dict:
    """The consent dialog: open while the visitor has no valid choice, else hidden until reopened.

    It is rendered into every page by the server, so that it works without JavaScript and
    appears without moving anything (CON-01, CON-02, CON-04).
    """
    request = context.get("request")
    if request is None:
        return {"skip": True}
    # After a failed post (the problem page), the plain form returns to where it came from.
    back = request.get_full_path() if request.method in ("GET", "HEAD") else context.get("back")
    shown = banner.banner_context(visitor=selectors.visitor_consent(request), back=back)
    if guard.is_health_related(request=request):
        # A health-related page: no tag id for consent.js, tracking off whatever was chosen
        # (CON-10). Using the nonce keeps the page out of the first-visit cache
        # (wekst/pagecache.py), so every copy is sent with its own-host-only policy.
        nonce = get_nonce(request)
        if nonce is not None:
            str(nonce)
        return {**shown, "ga_id": "", "guarded": True}
    rules = guard.analytics_address_rules()
    return {
        **shown,
        "guarded": False,
        "ga_redact": json.dumps(rules["patterns"]),
        "ga_placeholder": rules["placeholder"],
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
    # On a health-related page no frame at all, whatever was chosen: a plain link (CON-10).
    guarded = request is not None and guard.is_health_related(request=request)
    return {
        "guarded": guarded,
        "src": src,
        "title": title,
        "link": link,
        "provider": chosen,
        "recipient": get_declaration().recipients[chosen.recipient],
        "allowed": bool(choices and choices.embedded),
    }
