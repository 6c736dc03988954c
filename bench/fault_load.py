"""The visitors of bench/faults.py: each a keep-alive connection sending contact forms and
cookie decisions at a steady pace, trying again after "try again" as a person would, and what
they saw (accepted, refused with an answer, or left without one)."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

DECISIONS = (
    {"choice": "accept_all", "method": "banner"},
    {"choice": "reject_all", "method": "banner"},
    {"choice": "choose", "analytics": "1", "embedded": "1", "method": "settings"},
)


@dataclass
class Tally:
    """What the visitors saw, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: Counter = field(default_factory=Counter)  # (kind, answer) -> count, every attempt
    accepted_leads: set = field(default_factory=set)  # markers
    accepted_consents: list = field(default_factory=list)  # consent ids
    given_up: Counter = field(default_factory=Counter)  # kind -> submissions never accepted
    retried_then_accepted: Counter = field(default_factory=Counter)
    bad: list = field(default_factory=list)  # answers that break the rules, with why
    started: float = field(default_factory=time.monotonic)
    refused_at: list = field(default_factory=list)  # seconds into the load of each refusal

    def note(self, kind: str, answer: str) -> None:
        with self.lock:
            self.answers[(kind, answer)] += 1
            if answer != "accepted":
                self.refused_at.append(time.monotonic() - self.started)


class Visitor(threading.Thread):
    """One browser: a keep-alive connection, the CSRF cookie and token of the contact form."""

    def __init__(self, number: int, port: int, run: str, tally: Tally, options, stop):
        super().__init__(daemon=True)
        self.number, self.port, self.run_id, self.tally = number, port, run, tally
        self.options, self.stop = options, stop
        self.connection: http.client.HTTPConnection | None = None
        self.cookie = self.token = ""
        self.count = 0

    def _request(self, method: str, path: str, body: str = "", headers=None):
        """(status, headers, body) or None when the connection gave no answer."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            self.connection.request(method, path, body=body or None, headers=headers or {})
            response = self.connection.getresponse()
            return response.status, response.msg, response.read().decode()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            return None

    def _csrf(self) -> None:
        while not self.token and not self.stop.is_set():
            answer = self._request("GET", "/contact/")
            if answer and answer[0] == 200:
                cookies = " ".join(answer[1].get_all("Set-Cookie") or [])
                cookie = re.search(r"csrftoken=([^;]+)", cookies)
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer[2])
                if cookie and token:
                    self.cookie, self.token = cookie[1], token[1]
                    return
            time.sleep(1)

    def run(self) -> None:
        self._csrf()
        interval = self.options.visitors / self.options.rate
        next_at = time.monotonic() + interval * self.number / self.options.visitors
        while not self.stop.is_set():
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
            self.count += 1
            if self.count % 2:
                self._submit("contact", f"f{self.run_id}-{self.number}-{self.count}")
            else:
                self._submit("consent", "")

    def _submit(self, kind: str, marker: str) -> None:
        for attempt in range(self.options.attempts):
            answer = self._send(kind, marker)
            self.tally.note(kind, answer)
            if answer == "accepted":
                if attempt:
                    with self.tally.lock:
                        self.tally.retried_then_accepted[kind] += 1
                return
            time.sleep(self.options.retry_seconds)
        with self.tally.lock:
            self.tally.given_up[kind] += 1

    def _send(self, kind: str, marker: str) -> str:
        if kind == "contact":
            form = {
                "csrfmiddlewaretoken": self.token,
                "name": f"Kari Nordmann {marker}",
                "email": f"kari.{marker}@klinikk.example",
                "phone": "+47 912 34 567",
                "company": "Nordmann Tannklinikk",
                "role": "Clinic manager",
                "message": f"We would like more patients to find our clinic. Reference {marker}",
            }
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={self.cookie}",
                "Accept": "text/html",
            }
            answer = self._request("POST", "/contact/", urlencode(form), headers)
        else:
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "Origin": f"http://127.0.0.1:{self.port}",
                "Sec-Fetch-Site": "same-origin",
            }
            body = urlencode(DECISIONS[self.count // 2 % 3])
            answer = self._request("POST", "/consent/", body, headers)
        return self._judge(kind, marker, answer)

    def _judge(self, kind: str, marker: str, answer) -> str:
        if answer is None:
            return "no answer"
        status, headers, body = answer
        if (
            kind == "contact"
            and status == 302
            and "/contact/thanks/" in headers.get("Location", "")
        ):
            with self.tally.lock:
                self.tally.accepted_leads.add(f"kari.{marker}@klinikk.example")
            return "accepted"
        if kind == "consent" and status == 200:
            with self.tally.lock:
                self.tally.accepted_consents.append(json.loads(body)["consent_id"])
            return "accepted"
        refusal = status == 503 and "nothing" in body and "Traceback" not in body
        if refusal and headers.get("Retry-After"):
            return "503 try again"
        with self.tally.lock:
            self.tally.bad.append(f"{kind} answered {status}: {body[:200]!r}")
        return f"{status}"
