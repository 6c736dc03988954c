"""The requests bench/perf.py measures, sent in process to the application the production server
runs (wekst.wsgi: the whole middleware stack and the process's garbage-collector settings; the
production settings, the bench URL configuration): each scenario, its floor, and what it must
answer.

Imported only in the measuring process, after django.setup() (bench/perf_settings.py).
"""

from __future__ import annotations

import functools
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from wekst.wsgi import application

HOST = "127.0.0.1"
ORIGIN = f"http://{HOST}"
_counter = itertools.count()
# Where a request's number goes in a body encoded once: letters only, which urlencode keeps.
_NUMBER = "NUMBERHERE"


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def cookies(self) -> dict[str, str]:
        found = {}
        for name, value in self.headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                found[key] = rest.split(";", 1)[0]
        return found


def send(
    method: str, path: str, *, body: str = "", headers: dict[str, str] | None = None
) -> Answer:
    """One request through the WSGI handler, as granian hands it over."""
    data = body.encode()
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": HOST,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": HOST,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if data:
        environ["CONTENT_LENGTH"] = str(len(data))
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    started: list = []
    result = application(
        environ, lambda status, hdrs, exc_info=None: started.append((status, hdrs))
    )
    try:
        content = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    status, hdrs = started[0]
    return Answer(int(status.split()[0]), hdrs, content)


@dataclass
class Scenario:
    name: str
    floor: str | None  # the scenario its ratio is taken to
    request: Callable[[], Answer]
    expect: int
    must: str | None = None  # the floor of what it must do at the least, reported beside


CONSENT_BODIES = (
    "choice=accept_all&method=banner",
    "choice=reject_all&method=banner",
    "choice=choose&analytics=1&embedded=1&method=settings",
)
CONSENT_HEADERS = {
    "Accept": "application/json",
    "Origin": ORIGIN,
    "Sec-Fetch-Site": "same-origin",
}


def consent() -> Answer:
    body = CONSENT_BODIES[next(_counter) % 3]
    return send("POST", "/consent/", body=body, headers=CONSENT_HEADERS)


def floor_insert() -> Answer:
    body = CONSENT_BODIES[next(_counter) % 3]
    return send("POST", "/bench/floor/insert/", body=body, headers=CONSENT_HEADERS)


def fixed_bytes() -> Answer:
    return send("GET", "/bench/floor/bytes/", headers=HOME_HEADERS)


HOME_HEADERS = {"Accept": "text/html", "Accept-Language": "en-GB,en;q=0.9,nb;q=0.8"}


def floor_read() -> Answer:
    return send("GET", "/bench/floor/read/", headers=HOME_HEADERS)


def home_first() -> Answer:
    return send("GET", "/", headers=HOME_HEADERS)


class Visitor:
    """A browser that has shown the contact form (its CSRF cookie and token) and made a cookie
    choice (its consent cookie): what a returning visitor sends."""

    def __init__(self) -> None:
        form = send("GET", "/contact/", headers=HOME_HEADERS)
        self.csrf_cookie = form.cookies()["csrftoken"]
        self.token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)[
            1
        ].decode()
        decided = consent()
        self.consent_cookie = decided.cookies()["wekst_consent"]
        self.cookie = f"csrftoken={self.csrf_cookie}; wekst_consent={self.consent_cookie}"

    def home(self) -> Answer:
        return send("GET", "/", headers={**HOME_HEADERS, "Cookie": self.cookie})

    def contact(self) -> Answer:
        """A new person's enquiry: each request another address and message, so none is a
        repeat. The body is encoded once (`_contact_body`): encoding it per request cost
        about 40 µs, counted against the contact POST and no floor."""
        body = self._contact_body.replace(_NUMBER, str(next(_counter)))
        return send(
            "POST",
            "/contact/",
            body=body,
            headers={"Accept": "text/html", "Cookie": f"csrftoken={self.csrf_cookie}"},
        )

    @functools.cached_property
    def _contact_body(self) -> str:
        return urlencode(
            {
                "csrfmiddlewaretoken": self.token,
                "name": f"Kari Nordmann {_NUMBER}",
                "email": f"kari.perf-{_NUMBER}-{id(self)}@klinikk.example",
                "phone": "+47 912 34 567",
                "company": "Nordmann Tannklinikk",
                "role": "Clinic manager",
                "message": "We would like more patients to find our new clinic in Bergen. "
                f"Could you call me about a growth meeting next week? Reference {_NUMBER}",
            }
        )

    def floor_form(self) -> Answer:
        """The contact POST's least: a form POST with the CSRF token, as the contact's own."""
        body = f"csrfmiddlewaretoken={self.token}&{CONSENT_BODIES[next(_counter) % 3]}"
        return send(
            "POST",
            "/bench/floor/form/",
            body=body,
            headers={"Accept": "text/html", "Cookie": f"csrftoken={self.csrf_cookie}"},
        )

    def peer(self) -> Answer:
        return send(
            "POST",
            "/bench/peer/accept/",
            body="all_groups=on",
            headers={
                "Cookie": f"csrftoken={self.csrf_cookie}",
                "X-CSRFToken": self.token,
                "X-Requested-With": "XMLHttpRequest",
                "Origin": ORIGIN,
            },
        )


def rights_export(subject) -> Callable[[], Answer]:
    """An access export of one subject (build_access_report, as JSON and as CSV as the download
    does): a call, not a request, so it has a floor of none; reported for its instructions."""
    import json
    import uuid

    from rights.access_report import build_access_report
    from rights.reports import csv_lines

    def run() -> Answer:
        report = build_access_report(subject=subject, consent_ids=[str(uuid.uuid4())])
        body = json.dumps(report.as_json(), default=str) + "".join(csv_lines(report))
        return Answer(200, [], body.encode())

    return run


def scenarios(*, peer: bool) -> list[Scenario]:
    from subjects.models import Subject

    visitor = Visitor()
    visitor.contact()
    subject = Subject.objects.order_by("-pk").first()
    found = [
        Scenario("floor-INSERT", None, floor_insert, 204),
        Scenario("fixed-bytes", None, fixed_bytes, 200),
        Scenario("floor-form", None, visitor.floor_form, 302),
        Scenario("floor-read", None, floor_read, 200),
        Scenario("consent decision", "floor-INSERT", consent, 200),
        Scenario("contact POST", "floor-INSERT", visitor.contact, 302, must="floor-form"),
        Scenario("home, first visit", "fixed-bytes", home_first, 200),
        Scenario("home, returning visitor", "fixed-bytes", visitor.home, 200, must="floor-read"),
        Scenario("rights export", "floor-INSERT", rights_export(subject), 200),
    ]
    if peer:
        found.append(Scenario("peer decision", "floor-INSERT", visitor.peer, 200))
    return found
