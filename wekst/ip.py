"""Visitor IP addresses, minimised: truncation, and the request log that keeps only truncated ones.

Wherever the platform keeps a visitor's address outside a short-lived security log (its request
log, the consent log), it keeps it truncated: IPv4 to /24 and IPv6 to /48, the last octet or the
last 80 bits zeroed, as Google's IP masking did (GDPR Art. 5(1)(c), 25(1); checklist CK-16).
Truncation lowers the risk but does not anonymise: a truncated address is still personal data
(Datatilsynet 20/03771-17), so it is declared as an online identifier.
"""

import logging
import socket
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

IPV4_PREFIX = 24
IPV6_PREFIX = 48
IPV4_MAPPED = bytes(10) + b"\xff\xff"  # ::ffff:0:0/96

request_logger = logging.getLogger("wekst.requests")
# The proxy's and monitoring's polling (wekst/health.py): not a visit, not logged when healthy.
HEALTH_PATHS = frozenset({"/health/", "/health/web/"})


def truncate_ip(address: str | None) -> str | None:
    """The network part of `address` (IPv4 /24, IPv6 /48) as text; None if it is not an address.

    An IPv4 address carried in IPv6 (::ffff:192.0.2.7) is truncated as IPv4, so that the mapped
    form cannot keep the last octet. Read with the C library's strict inet_pton rather than the
    ipaddress module: every request's log line and every consent decision truncates an address,
    and this is several times faster.
    """
    text = (address or "").strip()
    if "%" in text:  # an IPv6 zone (fe80::1%eth0) names a local interface, not the visitor
        text = text.split("%", 1)[0]
    try:
        packed = socket.inet_pton(socket.AF_INET, text)
    except OSError:
        try:
            packed = socket.inet_pton(socket.AF_INET6, text)
        except OSError:
            return None
        if not packed.startswith(IPV4_MAPPED):
            return socket.inet_ntop(socket.AF_INET6, packed[: IPV6_PREFIX // 8].ljust(16, b"\0"))
        packed = packed[len(IPV4_MAPPED) :]
    return socket.inet_ntop(socket.AF_INET, packed[: IPV4_PREFIX // 8].ljust(4, b"\0"))


class TracebacksOnly(logging.Filter):
    """For django.request: its line for a 4xx or 5xx answer repeats what the request log line
    says (one line per request); an uncaught error's traceback is kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.exc_info is not None


class RequestLogMiddleware:
    """Logs each request as method, path, status, duration and truncated client address only.

    No query string (it can carry tokens or email addresses), no user agent, no referrer and
    never the full address: this line replaces the web server's access log, which wekst/serve.py
    keeps off because it would print full addresses.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if request.path in HEALTH_PATHS and response.status_code == 200:
            return response
        duration_ms = (time.perf_counter() - started) * 1000
        request_logger.info(
            "%s %s %s %.1fms %s",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            truncate_ip(request.META.get("REMOTE_ADDR")) or "-",
        )
        return response
