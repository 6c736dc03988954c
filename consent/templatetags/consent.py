"""The consent banner and the click-to-load placeholder for embedded content."""

from django import template
from django.middleware.csp import get_nonce
from django.template.loader import render_to_string

from consent import banner, embeds, guard, selectors
from declaration.selectors import get_declaration
from wekst.fragments import Memo

register = template.Library()


@register.simple_tag(takes_context=True)
def consent_banner(context) -> str:
    """The consent dialog: open while the visitor has no valid choice, else hidden until reopened.

    It is rendered into every page by the server, so that it works without JavaScript and
    appears without moving anything (CON-01, CON-02, CON-04).
    """
    request = context.get("request")
    if request is None:
        return ""
    # After a failed post (the problem page), the plain form returns to where it came from.
    back = request.get_full_path() if request.method in ("GET", "HEAD") else context.get("back")
    guarded = guard.is_health_related(request=request)
    if guarded:
        # Using the nonce keeps the page out of the first-visit cache (wekst/pagecache.py), so
        # every copy is sent with its own-host-only policy (CON-10).
        nonce = get_nonce(request)
        if nonce is not None:
            str(nonce)
    return banner.banner_html(
        visitor=selectors.visitor_consent(request), back=back, guarded=guarded, context=context
    )


# The embed in each state it can be in, for each embed and language (wekst/fragments.py).
_EMBEDS = Memo()


@register.simple_tag(takes_context=True)
def consent_embed(context, provider: str, src: str, title: str, link: str = "") -> str:
    """An embedded video or map as a placeholder that loads only after consent or a click.

    `src` is the provider's embed address (checked against the provider), `title` names the
    frame for screen readers, `link` is an optional address to open it on the provider's site.
    """
    chosen = embeds.provider_for(provider, src)
    request = context.get("request")
    choices = selectors.visitor_consent(request).choices if request is not None else None
    # On a health-related page no frame at all, whatever was chosen: a plain link (CON-10).
    guarded = request is not None and guard.is_health_related(request=request)
    allowed = bool(choices and choices.embedded)
    title = str(title)

    def render() -> str:
        return render_to_string(
            "consent/embed.html",
            {
                "guarded": guarded,
                "src": src,
                "title": title,
                "link": link,
                "provider": chosen,
                "recipient": get_declaration().recipients[chosen.recipient],
                "allowed": allowed,
            },
        )

    return _EMBEDS.get((provider, src, title, link, guarded, allowed), render, context)
