"""ACC-02: every public page has a meta description of its own, in its own language; and (ACC-01,
Lighthouse's SEO category) robots.txt lets every public page be crawled.

The pages are the list the DEC-07 crawl and the ACC-01 axe test go through (consent/tests/crawl.py,
public_pages). Lighthouse's SEO audit only asks for a description; this asks for one that says
what is on that page: none shared by two pages of one language, and an /nb/ page's differs from
its English twin (a description left untranslated would be the same text).
"""

import html
import re
from collections import defaultdict

from clinics.tests.factories import make_clinic
from consent.tests.crawl import public_pages
from content.tests.factories import make_article

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')
SHORTEST = 40
# An article is written once, in one language: its description is its own opening words.
ARTICLE = re.compile(r"^(/nb)?/articles/[^/]+/$")


def description_of(client, path: str) -> str:
    found = DESCRIPTION.findall(client.get(path).content.decode())
    assert len(found) == 1, f"{path}: {len(found)} meta descriptions"
    return " ".join(html.unescape(found[0]).split())


def test_acc_02_every_public_page_has_its_own_meta_description_in_its_language(client, db):
    make_article(body="Three things every clinic can measure this week. " * 3)
    make_clinic()
    pages = public_pages()
    descriptions = {path: description_of(client, path) for path in pages}

    problems = [
        f"{path}: description too short ({text!r})"
        for path, text in descriptions.items()
        if len(text) < SHORTEST
    ]
    shared = defaultdict(list)
    for path, text in descriptions.items():
        if not ARTICLE.match(path):
            shared[text].append(path)
    problems += [
        f"pages sharing one description {text!r}: {' '.join(paths)}"
        for text, paths in shared.items()
        if len(paths) > 1
    ]
    problems += [
        f"{path}: the same description as {path.removeprefix('/nb')} ({text!r})"
        for path, text in descriptions.items()
        if path.startswith("/nb/")
        and not ARTICLE.match(path)
        and descriptions.get(path.removeprefix("/nb")) == text
    ]
    assert "/nb/" in descriptions and "/privacy/" in descriptions, pages
    assert not problems, "\n".join(problems)


def allowed(rules: list[tuple[str, str]], path: str) -> bool:
    """RFC 9309, as search engines and Lighthouse read robots.txt: the longest matching rule
    wins, Allow on a tie; `$` anchors the end."""
    matching = [
        (len(pattern), kind == "Allow")
        for kind, pattern in rules
        if (path == pattern[:-1] if pattern.endswith("$") else path.startswith(pattern))
    ]
    return max(matching, default=(0, True))[1]


def test_acc_01_robots_txt_lets_every_public_page_be_crawled_and_keeps_personal_pages_out(
    client, db
):
    """Lighthouse's SEO category fails a public page robots.txt blocks; personal pages stay out."""
    make_article()
    make_clinic()
    lines = client.get("/robots.txt").text.splitlines()
    rules = [
        (kind, pattern.strip())
        for kind, _, pattern in (line.partition(":") for line in lines)
        if kind in ("Allow", "Disallow")
    ]
    blocked = [path for path in public_pages() if not allowed(rules, path)]
    assert not blocked, f"robots.txt blocks public pages: {blocked}"
    personal = [
        "/admin/",
        "/account/profile/",
        "/nb/account/profile/delete/",
        "/account/signup/confirm/abc/",
        "/privacy-requests/verify/abc/",
        "/nb/privacy-requests/0b7e9d55-3a2b-4f6e-9d1c-1f2e3d4c5b6a/report/",
    ]
    assert not [path for path in personal if allowed(rules, path)]
