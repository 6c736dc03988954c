"""A first visit's cached page answered near the top of the stack (wekst/pagecache.py's
FirstVisitEarlyMiddleware) carries the same bytes and the same headers as the whole stack gives
it, and nobody else gets it: not a visitor with a cookie, not staff, not another method."""

import pytest
from django.test import Client

from wekst import pagecache

pytestmark = pytest.mark.django_db
EARLY = "wekst.pagecache.FirstVisitEarlyMiddleware"


def _early(response) -> bool:
    # LocaleMiddleware, below the early answer, notes the language on every request it sees.
    return not hasattr(response.wsgi_request, "LANGUAGE_CODE")


def _get(path: str, **kwargs):
    return Client().get(path, **kwargs)


@pytest.mark.parametrize(
    ("path", "headers", "secure"),
    [
        ("/", {}, False),
        ("/nb/", {}, False),
        ("/", {"Sec-GPC": "1"}, False),
        ("/", {"Accept-Language": "nb,en;q=0.5"}, False),
        ("/nb/", {"Sec-GPC": "1"}, True),
    ],
)
def test_sec_03_the_early_answer_has_the_full_stacks_bytes_and_headers(
    renders, settings, path, headers, secure
):
    rendered = _get(path, headers=headers, secure=secure)
    from_cache = _get(path, headers=headers, secure=secure)  # the whole stack, the cached page
    early = _get(path, headers=headers, secure=secure)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != EARLY]
    full = _get(path, headers=headers, secure=secure)

    assert not _early(from_cache) and _early(early) and not _early(full)
    assert rendered.status_code == early.status_code == full.status_code == 200
    assert early.content == full.content == rendered.content
    assert dict(early.items()) == dict(full.items()) == dict(rendered.items())
    assert early["Content-Security-Policy"] and early["X-Frame-Options"] == "DENY"
    assert early["Content-Language"] == ("nb" if path == "/nb/" else "en")
    assert not early.cookies
    assert len(renders) == 1


def test_sec_03_visitors_with_cookies_staff_and_other_methods_never_get_the_early_answer(
    renders, staff_client
):
    _get("/")
    _get("/")
    assert _early(_get("/"))
    assert len(renders) == 1

    with_cookie = Client()
    with_cookie.cookies["wekst_consent"] = "anything"
    staff = staff_client.get("/")
    answers = [
        with_cookie.get("/"),
        staff,
        Client().head("/"),
        Client().post("/", {}),
        _get("/?utm_source=newsletter"),
    ]

    assert not any(_early(answer) for answer in answers)
    assert staff.wsgi_request.user.is_staff
    assert len(renders) == 5  # each but the POST (405) got its page rendered anew


def test_sec_03_an_unknown_host_is_refused_as_by_the_whole_stack(renders):
    _get("/")
    _get("/")

    assert _get("/", headers={"Host": "evil.example"}).status_code == 400


def test_sec_03_a_page_cached_anew_is_answered_early_only_once_the_stack_made_its_headers(
    renders, monkeypatch, settings
):
    now = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: now[0])
    _get("/")
    _get("/")
    now[0] += settings.WEKST_FIRST_VISIT_CACHE_SECONDS + 1

    answers = [_get("/") for _ in range(3)]

    assert [_early(answer) for answer in answers] == [False, False, True]
    assert len(renders) == 2


def test_sec_03_no_early_answer_where_it_could_depend_on_more_than_its_key(settings):
    assert pagecache.sound_for_early_answers()
    settings.PREPEND_WWW = True
    assert not pagecache.sound_for_early_answers()
