"""SEC-05: the URL patterns are ordered for cost (wekst/urls.py), and the order decides nothing else.

Each route's own path reaches that route whatever was tried before it, so an include moved ahead
of another cannot take a path away from it; and the home page, in both languages, is found
without passing any include, the part of resolving a path that costs (issue 23).
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import LocalePrefixPattern, RoutePattern
from django.utils import translation

# A value each path converter accepts.
SAMPLES = {"str": "abc", "slug": "x-y", "int": "7", "uuid": "12345678-1234-5678-1234-567812345678"}
CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")


def routes() -> list[tuple[str, str]]:
    """(language, route) of every plain route (a regex route cannot be sampled so simply)."""
    found = []

    def walk(patterns, prefix: str, language: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if isinstance(entry.pattern, LocalePrefixPattern):
                    for code, language_prefix in (("en", ""), ("nb", "nb/")):
                        walk(entry.url_patterns, prefix + language_prefix, code)
                elif isinstance(entry.pattern, RoutePattern):
                    walk(entry.url_patterns, prefix + str(entry.pattern), language)
            elif isinstance(entry, URLPattern) and isinstance(entry.pattern, RoutePattern):
                found.append((language, prefix + str(entry.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return found


def sample_path(route: str) -> str:
    return "/" + CONVERTER.sub(lambda m: SAMPLES.get(m[1] or "str", "a/b"), route)


def test_sec_05_each_route_is_reached_by_its_own_path():
    taken = {}
    for language, route in routes():
        path = sample_path(route)
        with translation.override(language or "en"):
            match = resolve(path)
        assert match.route == route, f"{path} meant for {route!r} went to {match.route!r}"
        taken[path] = route
    assert len(taken) > 100


@pytest.mark.parametrize(("language", "path"), [("en", "/"), ("nb", "/nb/")])
def test_sec_05_home_page_found_without_passing_an_include(language, path):
    with translation.override(language):
        match = resolve(path)
    assert match.url_name == "home"
    assert match.namespaces == ["content"]
    # `tried` lists what was tried before the match and the match last.
    passed = match.tried[:-1]
    assert all(isinstance(entry[-1], URLPattern) and len(entry) == 1 for entry in passed), passed
