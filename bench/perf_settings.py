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

# The connection is kept for the whole run, not the production minute (CONN_MAX_AGE 60): under
# valgrind a request runs some fifty times slower and the instruction pass takes minutes, so the
# minute ran out every few dozen requests and a reconnection (connect, authenticate, set up the
# session) fell inside whichever scenario was then measured: the likely cause of the consent
# decision's count moving by 3.5 % between two full runs of the same code. In production a
# thread reconnects once a minute, over thousands of requests. The health check before each
# request's first query (CONN_HEALTH_CHECKS, a poll of the socket: wekst/postgresql) is kept, as
# in production.
DATABASES = {name: {**database, "CONN_MAX_AGE": None} for name, database in DATABASES.items()}  # noqa: F405
