"""The bench URL configuration (bench/perf_settings.py): the floor views first, then the
project's own routes unchanged. Never imported by production.

The floors are what a request of each kind cannot cost less than in this project and server
(the same middleware, the same database and connection):

- floor-INSERT: parse the POST, one INSERT of a consent decision's row, 204;
- fixed-bytes: return the home page's bytes (taken once, on the first request).

Two more say what a path cannot do without (issue 23's goals stay ratios to the two above):

- floor-form: what the contact POST must do at the least: the CSRF check (the view is not
  exempt), one rate-limit count in Redis, one INSERT, a redirect;
- floor-read: what a returning visitor's page must do at the least: one row read from the
  database (CON-08 reads the logged decision on every request), then the home page's bytes.
"""

import time
import uuid

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.test import Client
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from wekst import ratelimit
from wekst.urls import urlpatterns as project_urlpatterns

SQL = (
    "INSERT INTO consent_consentdecision (consent_id, public_id, decided_at, action, method,"
    " analytics, marketing, embedded, gpc, banner_version, policy_version, language,"
    " banner_text_hash, truncated_ip) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
    " %s, %s)"
)


@csrf_exempt
def floor_insert(request):
    _insert(request.POST)
    return HttpResponse(status=204)


FORM_LIMIT = ratelimit.Limit(1_000_000_000, 3600)


def floor_form(request):
    ratelimit.hit("bench-floor", request.META["REMOTE_ADDR"], FORM_LIMIT, now=time.time())
    _insert(request.POST)
    return HttpResponseRedirect("/thanks/")


def floor_read(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT consent_id FROM consent_consentdecision LIMIT 1")
        cursor.fetchone()
    return fixed_bytes(request)


def _insert(data) -> None:
    uuid_value = uuid.uuid4() if connection.vendor == "postgresql" else uuid.uuid4().hex
    receipt = uuid.uuid4() if connection.vendor == "postgresql" else uuid.uuid4().hex
    with connection.cursor() as cursor:
        cursor.execute(
            SQL,
            [
                uuid_value,
                receipt,
                timezone.now(),
                data.get("choice", ""),
                data.get("method", ""),
                data.get("analytics") == "1",
                data.get("marketing") == "1",
                data.get("embedded") == "1",
                False,
                "bench",
                "bench",
                "en",
                "",
                None,
            ],
        )


_HOME: list[tuple[bytes, str]] = []


def fixed_bytes(request):
    if not _HOME:
        answer = Client().get("/")
        _HOME.append((answer.content, answer["Content-Type"]))
    content, content_type = _HOME[0]
    return HttpResponse(content, content_type=content_type)


urlpatterns = [
    path("bench/floor/insert/", floor_insert),
    path("bench/floor/bytes/", fixed_bytes),
    path("bench/floor/form/", floor_form),
    path("bench/floor/read/", floor_read),
]
if settings.PEER:
    urlpatterns.append(path("bench/peer/", include("cookie_consent.urls")))
urlpatterns += project_urlpatterns
