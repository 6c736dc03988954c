"""Oversized bodies get a clear 413 page before they are read, and a keep-alive connection gets an
answer to every request however large the bodies on it were (SEC-03; issue 19)."""

import http.client
import io
import re

import pytest
from django.test import Client

from wekst.tests.servers import manage, running_servers, server_env

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


class _Unreadable(io.RawIOBase):
    """A body that fails the test if anything reads it."""

    def readable(self):
        return True

    def readinto(self, buffer):
        raise AssertionError("the body was read")


def test_sec_03_a_body_over_the_limit_is_refused_unread_with_a_413_page(settings):
    client = Client()
    response = client.generic(
        "POST",
        "/privacy-requests/",
        b"",
        content_type=FORM,
        CONTENT_LENGTH=str(settings.WEKST_MAX_BODY_BYTES + 1),
        **{"wsgi.input": _Unreadable()},
    )

    assert response.status_code == 413
    assert response["Connection"] == "close"
    assert "What you sent is too large" in response.text
    assert "Nothing was saved." in response.text


@pytest.mark.parametrize(
    ("path", "body", "phrase"),
    [
        ("/privacy-requests/", b"a=" + b"x" * 3_000_000, "What you sent is too large"),
        (
            "/children/report/",
            b"&".join(b"f%d=1" % n for n in range(2000)),
            "What you sent is too large",
        ),
        ("/nb/privacy-requests/", b"a=" + b"x" * 3_000_000, "Det du sendte, er for stort"),
    ],
)
def test_sec_03_forms_over_djangos_limits_answer_413_not_400(path, body, phrase):
    response = Client().post(path, body, content_type=FORM)

    assert response.status_code == 413
    assert phrase in response.text
    assert "Connection" not in response  # the rest of the body is drained: the connection lives


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("body-limits")
    env = server_env(tmp)
    manage(env, "migrate", "-v0")
    with running_servers(env, tmp) as urls:
        yield urls[0]


def _post(connection, path: str, body: bytes, headers: dict) -> tuple[int, str]:
    connection.request("POST", path, body=body, headers={"Content-Type": FORM, **headers})
    response = connection.getresponse()
    return response.status, response.read().decode()


def test_sec_03_one_keep_alive_connection_gets_an_answer_to_every_large_body(server):
    """The earlier case: 3 MB, 2,000 fields and 6 MB bodies on /privacy-requests/ and
    /children/report/, with and without the CSRF cookie, one after another on one connection.
    Before the fix granian closed the connection after an answer given with the body unread, and
    the next request on it got none."""
    port = int(server.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/privacy-requests/")
    page = connection.getresponse()
    cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()).group(1)
    signed = {"Cookie": f"csrftoken={cookie}", "Referer": f"{server}/"}
    prefix = f"csrfmiddlewaretoken={token}&".encode()
    bodies = [
        b"a=" + b"x" * 3_000_000,
        b"&".join(b"f%d=1" % n for n in range(2000)),
        b"a=" + b"x" * 6_000_000,
    ]
    answers = []
    for _round in range(2):
        for path in ("/privacy-requests/", "/children/report/"):
            for body in bodies:
                answers.append(_post(connection, path, body, {})[0])  # no cookie: 403
                status, text = _post(connection, path, prefix + body, signed)
                answers.append(status)
                assert "What you sent is too large" in text
    # And the connection still carries an ordinary request.
    connection.request("GET", "/privacy-requests/")
    answers.append(connection.getresponse().status)
    connection.close()

    assert answers == [403, 413] * 12 + [200]
