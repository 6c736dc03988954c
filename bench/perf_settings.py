"""Settings of the in-process benchmark (bench/perf.py) only: the project's own settings, with the
bench URL configuration (bench/perf_urls.py: the floor views) and, when it is installed, the
peer django-cookie-consent. Never imported by production: it lives in bench/, which is not on the
server's path.
"""

import importlib.util

from wekst.settings import *  # noqa: F403
from wekst.settings import INSTALLED_APPS

ROOT_URLCONF = "perf_urls"

# The peer (the bench dependency group): its decision endpoint is measured on the same database.
PEER = importlib.util.find_spec("cookie_consent") is not None
if PEER:
    INSTALLED_APPS = [*INSTALLED_APPS, "cookie_consent"]
    COOKIE_CONSENT_SUCCESS_URL = "/"
