"""Django's PostgreSQL backend, with a health check that costs no round trip (issue 23).

A connection kept between requests is checked before a request uses it (CONN_HEALTH_CHECKS,
wekst/database.py), so that after PostgreSQL restarts a thread reconnects instead of failing its
next request. Django checks with `SELECT 1`: a round trip to the database before every request's
first query, on every path, which cost the returning visitor's page and the enquiry forms a
tenth of their CPU (docs/benchmarks.md).

An idle connection is sent nothing by the server until it is asked something, except when the
server ends it: a restart, `pg_terminate_backend` or a crash send a FATAL message and close the
socket, or the kernel closes it. So an idle connection whose socket has something to read is
finished with, and one whose socket has nothing is as usable as `SELECT 1` would have found it.
That is asked of the kernel (poll, no wait), not of the server. A connection in a transaction,
or one the client already knows to be broken, is checked as Django checks it.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq

# What poll reports of a socket the server has written to, closed or reset.
_SERVER_SPOKE = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        return not any(events & _SERVER_SPOKE for _fd, events in poller.poll(0))
