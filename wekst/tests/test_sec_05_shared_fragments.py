"""The pieces of public pages rendered once per process (wekst/fragments.py, issue 23): an edit by
staff shows at once, and what belongs to one visitor (their consent, whether GA4 loads, the
banner open or closed, their language, whether they are signed in, their CSRF token) stays
theirs, in the same process, one request after another (SEC-05)."""

import re
from pathlib import Path

import pytest
from django.template import NodeList, TemplateSyntaxError, engines
from django.template.loader_tags import BlockNode
from django.templatetags.i18n import LanguageNode
from django.test import Client
from django.urls import reverse
from django.utils import translation

from consent.models import ConsentDecision
from consent.tests.factories import give_cookie, make_decision
from content.models import Page
from content.tests.factories import make_profile
from processors.models import Recipient
from processors.testing import put_on_record
from wekst.fragments import SharedNode

pytestmark = pytest.mark.django_db

MEASUREMENT_ID = "G-SHARED05"
IFRAME = '<iframe src="https://www.youtube-nocookie.com/embed/'


def _banner(html: str) -> str:
    match = re.search(r'<div id="wekst-consent"[^>]*>', html)
    assert match, "no banner"
    return match.group(0)


def _visitor(**choices):
    """A browser with a logged decision and its cookie."""
    client = Client()
    decision = make_decision(**choices)
    give_cookie(client, decision)
    return client, decision


@pytest.fixture
def ga4(settings):
    settings.GA4_MEASUREMENT_ID = MEASUREMENT_ID
    put_on_record("google_analytics")


def test_sec_05_each_visitor_gets_their_own_consent_state_from_the_same_copies():
    accepted, accepted_decision = _visitor()
    refused, _ = _visitor(
        action=ConsentDecision.Action.REJECT_ALL,
        analytics=False,
        marketing=False,
        embedded=False,
    )
    newcomer = Client()
    newcomer.cookies["csrftoken"] = "x" * 32  # a cookie: the first-visit cache stays out of it

    for _ in range(2):  # the second round is served from the copies the first made
        pages = {
            "accepted": accepted.get("/").text,
            "refused": refused.get("/").text,
            "newcomer": newcomer.get("/").text,
        }
        banners = {who: _banner(html) for who, html in pages.items()}
        assert 'data-state="a1m1e1"' in banners["accepted"]
        assert " hidden" in banners["accepted"]
        assert 'data-state="a0m0e0"' in banners["refused"]
        assert " hidden" in banners["refused"]
        assert 'data-state=""' in banners["newcomer"]
        assert " hidden" not in banners["newcomer"].replace('type="hidden"', "")
        # The embed loads only with consent to embedded media (CON-06).
        assert IFRAME in pages["accepted"]
        assert IFRAME not in pages["refused"] and IFRAME not in pages["newcomer"]
        # Only the decision's holder gets its receipt link (CK-09).
        receipt = f"/consent/receipt/{accepted_decision.consent_id}/{accepted_decision.public_id}/"
        assert receipt in pages["accepted"]
        assert receipt not in pages["refused"] and "/consent/receipt/" not in pages["newcomer"]


def test_sec_05_the_logged_decision_wins_over_the_cookie_on_every_request(client):
    decision = make_decision()
    give_cookie(client, decision)
    assert 'data-state="a1m1e1"' in _banner(client.get("/").text)

    # Withdrawn in another tab (a new logged decision, the cookie here unchanged): CON-08.
    make_decision(
        consent_id=decision.consent_id,
        action=ConsentDecision.Action.REJECT_ALL,
        analytics=False,
        marketing=False,
        embedded=False,
    )
    html = client.get("/").text

    assert 'data-state="a0m0e0"' in _banner(html)
    assert IFRAME not in html


def test_sec_05_the_page_to_return_to_is_each_request_own_and_escaped(client):
    give_cookie(client, make_decision())
    client.get("/")

    html = client.get("/", {"from": '"><script>x</script>'}).text

    assert 'name="next" value="/?from=%22%3E%3Cscript%3Ex%3C%2Fscript%3E"' in html
    assert 'name="next" value="/"' in client.get("/").text


def test_sec_05_whether_ga4_loads_is_asked_on_every_request(client, ga4):
    give_cookie(client, make_decision())
    assert f'data-ga="{MEASUREMENT_ID}"' in _banner(client.get("/").text)

    # The agreement is taken off the register: GA4 stops at once (PRO-02).
    Recipient.objects.filter(key="google_analytics").update(dpa_signed_on=None)

    assert 'data-ga=""' in _banner(client.get("/").text)


def test_sec_05_a_page_marked_health_related_is_guarded_at_once(sales_client, client, ga4):
    give_cookie(client, make_decision())
    before = client.get("/").text
    assert IFRAME in before and 'data-guard="1"' not in before

    page = Page.objects.get(slug="home")
    page.health_related = True
    page.save()
    html = client.get("/").text

    assert 'data-guard="1"' in _banner(html) and 'data-ga=""' in _banner(html)
    assert IFRAME not in html


def test_sec_05_an_edit_in_the_back_office_shows_at_once_in_both_languages(sales_client, client):
    give_cookie(client, make_decision())
    client.get("/")
    client.get("/nb/")
    page = Page.objects.get(slug="home")

    response = sales_client.post(
        reverse("admin:content_page_change", args=[page.pk]),
        {
            "slug": "home",
            "title_en": "Clinics that grow",
            "description_en": "Marketing for clinics, with patient data handled with care.",
            "body_en": "We help **clinics** grow.",
            "title_nb": "Klinikker som vokser",
            "description_nb": "Markedsføring for klinikker, med pasientdata behandlet med omhu.",
            "body_nb": "Vi hjelper **klinikker** å vokse.",
        },
    )

    assert response.status_code == 302
    english, norwegian = client.get("/").text, client.get("/nb/").text
    assert "<h1>Clinics that grow</h1>" in english
    assert "<p>We help <strong>clinics</strong> grow.</p>" in english
    assert "<h1>Klinikker som vokser</h1>" in norwegian
    assert "<p>Vi hjelper <strong>klinikker</strong> å vokse.</p>" in norwegian


def test_sec_05_each_language_gets_its_own_copies(client):
    give_cookie(client, make_decision())
    for _ in range(2):
        english, norwegian = client.get("/").text, client.get("/nb/").text
        assert '<html lang="en">' in english and '<html lang="nb">' in norwegian
        assert ">Cookie settings</a>" in english and ">Cookie settings</a>" not in norwegian
        assert 'href="/nb/contact/"' in norwegian and 'href="/nb/contact/"' not in english
        assert 'hreflang="nb" lang="nb" aria-current="true"' in norwegian
        assert 'hreflang="en" lang="en" aria-current="true"' in english


def test_sec_05_the_header_follows_who_is_signed_in(staff_client):
    visitor = Client()
    member = Client()
    member.force_login(make_profile().user)
    sign_in = f'href="{reverse("content:login")}"'
    profile = f'href="{reverse("content:profile")}"'

    for _ in range(2):
        anonymous, registered, staff = (c.get("/").text for c in (visitor, member, staff_client))
        assert sign_in in anonymous and profile not in anonymous
        assert profile in registered and sign_in not in registered
        assert sign_in not in staff and profile not in staff


def test_sec_05_every_visitor_gets_their_own_csrf_token_in_a_form():
    tokens = set()
    for _ in range(3):
        html = Client().get("/contact/").text
        tokens.add(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1])

    assert len(tokens) == 3


def test_sec_05_a_shared_block_sees_only_what_it_names_and_holds_no_block(settings):
    engine = engines["django"]
    shared = engine.from_string(
        '{% load fragments %}{% shared "a greeting" greeting %}{{ greeting }}, {{ user }}'
        "{% endshared %}"
    )

    first = shared.render({"greeting": "Hello", "user": "kari"})
    second = shared.render({"greeting": "Hello", "user": "ola"})

    assert first == second == "Hello, "  # the visitor's name reaches nobody's copy
    settings.WEKST_SITE_URL = "https://another.example"  # any setting changed: forgotten
    assert shared.render({"greeting": "Hei"}) == "Hei, "
    with pytest.raises(TemplateSyntaxError):
        engine.from_string(
            '{% load fragments %}{% shared "x" %}{% block b %}{% endblock %}{% endshared %}'
        )


def test_sec_05_the_language_and_script_prefix_are_asked_once_per_rendering(monkeypatch):
    from wekst import fragments

    asked = []
    real = fragments.get_language
    monkeypatch.setattr(fragments, "get_language", lambda: asked.append(1) or real())
    engine = engines["django"]
    included = engine.from_string(
        '{% load fragments %}{% shared "three" %} {% url "content:articles" %}{% endshared %}'
    )
    page = engine.from_string(
        '{% load fragments %}{% shared "one" %}{% url "content:home" %}{% endshared %}'
        '{% shared "two" %} {% url "content:about" %}{% endshared %}{% include included %}'
    )

    with translation.override("nb"):
        assert page.render({"included": included}) == "/nb/ /nb/about/ /nb/articles/"
    assert page.render({"included": included}) == "/ /about/ /articles/"
    # Once for the page and once for the template it includes (rendered on its own), each time.
    assert len(asked) == 4


def _all_nodes(nodelist):
    for node in nodelist:
        yield node
        for name in {*node.child_nodelists, "nodelist"}:
            inner = getattr(node, name, None)
            if isinstance(inner, NodeList):
                yield from _all_nodes(inner)


def test_sec_05_no_language_block_holds_what_keeps_pieces():
    # wekst.fragments.place: a page's pieces take the language it is rendered in, asked once.
    # Inside a {% language %} block there may be no {% shared %} block, no {% block %} a child
    # template could fill with one, and no tag given the context (the banner, the embed).
    root = Path(__file__).resolve().parents[2]
    names = [
        str(path.relative_to(next(p for p in path.parents if p.name == "templates")))
        for path in root.glob("*/**/templates/**/*.html")
        if ".venv" not in path.parts
    ]
    assert "base.html" in names
    engine = engines["django"].engine
    found = 0
    for name in names:
        for node in _all_nodes(engine.get_template(name).nodelist):
            if isinstance(node, LanguageNode):
                found += 1
                inside = list(_all_nodes(node.nodelist))
                assert not [
                    n
                    for n in inside
                    if isinstance(n, SharedNode | BlockNode) or getattr(n, "takes_context", False)
                ], name
    assert found  # base.html's language links
