"""Requests that overlap, as a browser sends them (a page and its /favicon.ico), to the live
server the browser tests use (conftest.py's `live_server`), on audited staff pages.

Three faults answered some of them 503 or 500, each shown by this test:
- on SQLite, a live server started before the test database took the file database's settings,
  and its request threads opened connections of their own to the in-memory database, whose shared
  cache refuses a write while another connection reads ("database table is locked"); conftest.py
  starts it after the database;
- sharing the test's one in-memory connection, two threads on it fail ("bad parameter or other
  API misuse"); conftest.py's live server answers one request at a time there;
- on PostgreSQL, two audit appends drew the same sequence number (audit/services.py's
  _lock_the_chain; SEC-01).
"""

import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

# A signed-in member of staff's pages: each reads the session, the user and their second factor
# from the database, as the workbench test whose /favicon.ico got the 503 did.
PAGES = ["/admin/", "/favicon.ico", "/admin/leads/lead/", "/admin/subjects/subject/"]
AT_ONCE = 16
ROUNDS = 4


@pytest.mark.django_db(transaction=True)
def test_sec_01_audited_staff_pages_answer_requests_that_overlap(live_server, admin_client):
    session = admin_client.cookies["sessionid"].value
    start = threading.Barrier(AT_ONCE)

    def fetch(number: int) -> int:
        start.wait(timeout=30)  # all threads send together: the requests overlap
        request = urllib.request.Request(  # noqa: S310 (the live server's own http address)
            f"{live_server.url}{PAGES[number % len(PAGES)]}",
            headers={"Cookie": f"sessionid={session}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                answer.read()
                return answer.status
        except urllib.error.HTTPError as refused:
            return refused.code

    answered = []
    with ThreadPoolExecutor(AT_ONCE) as pool:
        for _ in range(ROUNDS):
            answered += pool.map(fetch, range(AT_ONCE))

    assert answered == [200] * (AT_ONCE * ROUNDS)
