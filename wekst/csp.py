"""The Content Security Policy every response carries (SEC-03), built from the settings' values.

Django's own middleware sends it (settings.SECURE_CSP). Scripts only from this site: no inline
script anywhere (the banner's script is a file). Google's tag host is allowed only when GA4 is
configured, and only for scripts and connections (it still loads only after consent, CON-05).
Inline <style> needs the per-response nonce (the admin's change list uses one); iframes only from
the embed providers of consent/embeds.py (click-to-load, CON-06). frame-ancestors repeats
X-Frame-Options for browsers that read only CSP.

Nothing here reads the environment: wekst/settings.py passes in what it read.
"""

from django.utils.csp import CSP


def google_analytics_origins(*, measurement_id: str) -> list[str]:
    """The hosts GA4 loads from and reports to; none when no measurement id is set."""
    if not measurement_id:
        return []
    return [
        "https://www.googletagmanager.com",
        "https://*.google-analytics.com",
        "https://*.analytics.google.com",
    ]


def content_security_policy(*, google_analytics_origins: list[str]) -> dict[str, list[str]]:
    return {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF, *google_analytics_origins[:1]],
        "style-src": [CSP.SELF, CSP.NONCE],
        "img-src": [CSP.SELF, "data:"],
        "connect-src": [CSP.SELF, *google_analytics_origins],
        "frame-src": ["https://www.youtube-nocookie.com", "https://www.google.com"],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.SELF],
        "form-action": [CSP.SELF],
        "frame-ancestors": [CSP.NONE],
    }
