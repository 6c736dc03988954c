"""A page's own row and the visitor's logged decision, read in one round trip
(consent.selectors.first_with_visitor_consent), give the visitor the same consent as
visitor_consent reading it alone: the logged decision wins over the cookie, an edited or
outdated cookie grants nothing, an expired decision asks again (CON-08)."""

import datetime
import uuid

import pytest
from django.test import RequestFactory

from consent import selectors
from consent.state import COOKIE_NAME, Choices, ConsentCookie
from consent.tests.factories import make_decision
from content.models import Page
from wekst.prepared import OneRowQuery

pytestmark = pytest.mark.django_db

PAGE = OneRowQuery(Page, lambda slug: Page.objects.filter(slug=slug))
START = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)


def cookie_for(decision, **changes) -> str:
    values = {
        "consent_id": decision.consent_id,
        "choices": Choices(True, True, True),
        "banner_version": decision.banner_version,
        **changes,
    }
    return ConsentCookie(**values).encode()


def cases() -> dict[str, str | None]:
    """The cookie a browser sends, by case."""
    logged = make_decision(analytics=False, marketing=False, embedded=True)
    old_banner = make_decision(banner_version="2000.1")
    return {
        "no cookie": None,
        "malformed cookie": "not|a|cookie|at|all",
        "logged decision": cookie_for(logged),
        "cookie says more than the log": cookie_for(logged, choices=Choices(True, True, True)),
        "edited consent id": cookie_for(logged, consent_id=uuid.uuid4()),
        "cookie of an older banner": cookie_for(logged, banner_version="2000.1"),
        "decision under an older banner": cookie_for(
            old_banner, banner_version=selectors.banner_version()
        ),
    }


def request(cookie: str | None, gpc: bool = False):
    headers = {"HTTP_SEC_GPC": "1"} if gpc else {}
    made = RequestFactory().get("/", **headers)
    if cookie is not None:
        made.COOKIES[COOKIE_NAME] = cookie
    return made


@pytest.mark.parametrize("gpc", [False, True])
def test_con_08_the_consent_read_with_a_page_is_the_consent_read_alone(
    gpc, django_assert_num_queries
):
    page = Page.objects.get(slug="home")
    for case, cookie in cases().items():
        with_page = request(cookie, gpc)

        assert selectors.first_with_visitor_consent(with_page, PAGE, "home") == page, case

        with django_assert_num_queries(0):
            together = selectors.visitor_consent(with_page)
        assert together == selectors.visitor_consent(request(cookie, gpc)), case


def test_con_08_the_decision_read_with_a_page_shows_what_the_log_allows():
    logged = make_decision(analytics=False, marketing=False, embedded=True)
    with_page = request(cookie_for(logged))

    selectors.first_with_visitor_consent(with_page, PAGE, "home")

    assert selectors.visitor_consent(with_page).choices == Choices(False, False, True)


def test_con_08_an_expired_decision_read_with_a_page_asks_again(time_machine, settings):
    time_machine.move_to(START, tick=False)
    cookie = cookie_for(make_decision())
    time_machine.move_to(START + datetime.timedelta(days=settings.CONSENT_MAX_AGE_DAYS))
    with_page = request(cookie)

    selectors.first_with_visitor_consent(with_page, PAGE, "home")

    assert selectors.visitor_consent(with_page).decision is None
    assert selectors.visitor_consent(request(cookie)).decision is None


def test_con_08_a_consent_read_already_is_not_read_again(django_assert_num_queries):
    page = Page.objects.get(slug="home")
    logged = make_decision()
    with_page = request(cookie_for(logged))
    first = selectors.visitor_consent(with_page)

    with django_assert_num_queries(1):
        assert selectors.first_with_visitor_consent(with_page, PAGE, "home") == page

    assert selectors.visitor_consent(with_page) is first
