"""Staff working at the same time append to one audit chain: every entry gets its own sequence
number and links to the one before, with no fork and no error (SEC-01; audit/services.py's
_lock_the_chain).

Each append runs in a thread with a database connection of its own, as two web requests do.
PostgreSQL only: the test's in-memory SQLite database is not shared between connections the way
a file is, and on SQLite one write lock serialises every transaction as it begins.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction

from audit.models import AuditEntry
from audit.selectors import first_broken_link
from audit.services import record_event

WRITERS = 8
EACH = 5


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs connections of their own to one database"
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("chain_so_far", [0, 1], ids=["empty log", "log with an entry"])
def test_sec_01_appends_at_the_same_moment_each_get_the_next_sequence_number(chain_so_far):
    for number in range(chain_so_far):
        record_event(actor="staff", action="view", object_type="leads.Lead", object_id=number)
    start = threading.Barrier(WRITERS)

    def append(writer: int) -> None:
        try:
            start.wait(timeout=30)  # all together: the appends overlap
            for number in range(EACH):
                with transaction.atomic():
                    record_event(
                        actor=f"staff-{writer}",
                        action="view",
                        object_type="leads.Lead",
                        object_id=number,
                        reason="a list shown",
                    )
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(append, range(WRITERS)))  # an append's error is raised here

    total = chain_so_far + WRITERS * EACH
    assert list(AuditEntry.objects.values_list("sequence", flat=True)) == list(range(1, total + 1))
    assert first_broken_link() is None
