"""WSGI entry point for the production server (wekst/serve.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wekst.settings")
application = get_wsgi_application()
