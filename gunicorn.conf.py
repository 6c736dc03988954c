"""Gunicorn's configuration (read from the working directory): no access log of its own.

Gunicorn's access log prints every visitor's full IP address (`%(h)s`), with the query string,
referrer and user agent. The site logs each request itself instead, with the address truncated to
IPv4 /24 or IPv6 /48 (wekst.ip.RequestLogMiddleware; CON-05, checklist CK-16), so gunicorn's is
switched off here, and stays off even if `--access-logfile` is passed on the command line.
See docs/consent.md, "Our own request logs".
"""

import os

from gunicorn.glogging import Logger

wsgi_app = "wekst.wsgi:application"

# Workers (docs/benchmarks.md, measured with bench/run): threaded workers keep a visitor's
# connection open between requests and overlap the waits on the database and Redis; two
# processes per core, four threads each, served the most on two cores. WEB_CONCURRENCY sets the
# number of processes, as in gunicorn itself; the command line overrides any of these.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
worker_class = "gthread"
threads = 4

# No access log file, and none sent to syslog either.
accesslog = None
disable_redirect_access_to_syslog = True
# Should anything turn it back on: no client address, no query string, no user agent.
access_log_format = "%(m)s %(U)s %(s)s %(M)sms"


class NoAccessLog(Logger):
    """Gunicorn's logger without the access log; errors are still logged."""

    def access(self, resp, req, environ, request_time) -> None:
        return None


logger_class = NoAccessLog
