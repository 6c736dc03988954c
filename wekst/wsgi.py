"""WSGI entry point for the production server (wekst/serve.py)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wekst.settings")
application = get_wsgi_application()

# What start-up made (settings, URL patterns, translations, the declaration) lives as long as the
# process: frozen, the cycle collector no longer walks it; and a request's garbage is nearly all
# freed by reference counting, so collections can be rarer. Worth 2-3 % of consent decisions per
# second in the load benchmark (docs/benchmarks.md).
gc.freeze()
gc.set_threshold(20_000, 20, 20)
