"""Visitor IP addresses, minimised: truncation, and the request log that keeps only truncated ones.

Wherever the platform keeps a visitor's address outside a short-lived security log (its request
log, the consent log), it keeps it truncated: IPv4 to /24 and IPv6 to /48, the last octet or the
last 80 bits zeroed, as Google's IP masking did (GDPR Art. 5(1)(c), 25(1); checklist CK-16).
Truncation lowers the risk but does not anonymise: a truncated address is still personal data
(Datatilsynet 20/03771-17), so it is declared as an online identifier.
"""

import ipaddress
import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

IPV4_PREFIX = 24
IPV6_PREFIX = 48

request_logger = logging.getLogger("wekst.requests")


def truncate_ip(address: str | None) -> str | None:
    """The network part of `address` (IPv4 /24, IPv6 /48) as text; None if it is not an address.

    An IPv4 address carried in IPv6 (::ffff:192.0.2.7) is truncated as IPv4, so that the mapped
    form cannot keep the last octet.
    """
    text = (address or "").strip()
    if "%" in text:  # an IPv6 zone (fe80::1%eth0) names a local interface, not the visitor
        text = text.split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


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
