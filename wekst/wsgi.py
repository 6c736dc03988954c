"""WSGI entry point for the production server (wekst/serve.py)."""

import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from granian.utils.proxies import wrap_wsgi_with_proxy_headers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wekst.settings")
application = get_wsgi_application()

# Behind the reverse proxy every request comes from the proxy's address: the rate limits and the
# lock-out per client IP (wekst/ratelimit.py client_ip) would count every visitor as one. With
# WEKST_TRUSTED_PROXIES (comma-separated, e.g. 127.0.0.1, deploy/), a request from one of them
# gets REMOTE_ADDR from X-Forwarded-For's nearest untrusted hop; from anyone else the header is
# ignored, so a client cannot choose its own address. Unset: REMOTE_ADDR as connected.
if settings.WEKST_TRUSTED_PROXIES:
    application = wrap_wsgi_with_proxy_headers(
        application, trusted_hosts=settings.WEKST_TRUSTED_PROXIES
    )

# What start-up made (settings, URL patterns, translations, the declaration) lives as long as the
# process: frozen, the cycle collector no longer walks it; and a request's garbage is nearly all
# freed by reference counting, so collections can be rarer. Worth 2-3 % of consent decisions per
# second in the load benchmark (docs/benchmarks.md).
gc.freeze()
gc.set_threshold(20_000, 20, 20)
