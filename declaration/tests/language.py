"""The language check of DEC-02: what a visitor reads on a page is in the page's own language.

A Norwegian page (/nb/) fails when it shows, in English, a declared text (the `en` of a
declaration text whose `nb` differs), a country, recipient or legal-basis name, an interface text
(a msgid of the project's or Django's Norwegian catalogue with a different msgstr), a sentence
with English function words (a text never marked for translation), an English
date ("6 December 2026", "Dec. 6, 2026"), or when its <html> is not lang="nb". An English page
fails when it shows a declared Norwegian text or a Norwegian date. Only what a visitor reads is
looked at: text nodes (not scripts or styles) and the attributes a browser shows or reads aloud.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

from declaration.policy import COUNTRY_NAMES, LEGAL_BASIS_NAMES
from declaration.schema import Text
from declaration.selectors import get_declaration

# Attributes a browser shows (title, placeholder, a button's value) or reads aloud (aria-label).
SHOWN_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")
HIDDEN_ELEMENTS = {"script", "style", "template"}
VOID_ELEMENTS = {"br", "hr", "img", "input", "link", "meta", "source", "wbr", "col", "area"}
# A msgid this long is also looked for inside longer text (a sentence around a link); shorter
# ones only as a whole text ("Name", "Send"), so that an English word inside a Norwegian
# sentence (a product name, "e-post") is not mistaken for an untranslated label.
WORDS_TO_SEARCH_INSIDE = 4
# English words that are not Norwegian words: two of them in one text is an English sentence that
# was never marked for translation (so is in no catalogue), such as a text the code stores.
ENGLISH_WORDS = frozenset(
    "the your you with which are of this that our we from has was were will can would should "
    "been what when where who how about into only it its".split()
)
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
EN_MONTHS = "January February March April May June July August September October November December"
NB_MONTHS = "januar februar mars april mai juni juli august september oktober november desember"
ENGLISH_DATE = re.compile(
    rf"\b\d{{1,2}} (?:{EN_MONTHS.replace(' ', '|')}) \d{{4}}\b"
    r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}\b"
)
NORWEGIAN_DATE = re.compile(rf"\b\d{{1,2}}\. (?:{NB_MONTHS.replace(' ', '|')}) \d{{4}}\b")


def squash(text: str) -> str:
    return " ".join(str(text).split())


class _VisibleText(HTMLParser):
    """Collects the visible texts of a page and the lang of its <html>. A part marked as another
    language (`<ol lang="en">`, the language switcher's "EN") is announced as such, to readers and
    to screen readers, so it is left out: the archive shows a version published only in English
    that way."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.html_lang: str | None = None
        self._skipped = 0
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        skip = tag in HIDDEN_ELEMENTS or (
            tag != "html" and attrs.get("lang") not in (None, self.html_lang)
        )
        shown = [attrs.get(name) for name in SHOWN_ATTRIBUTES]
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            shown.append(attrs.get("value"))
        if tag == "meta" and attrs.get("name") == "description":
            shown.append(attrs.get("content"))
        if not self._skipped and not skip:
            self.texts += [squash(value) for value in shown if value and value.strip()]
        if tag not in VOID_ELEMENTS:
            self._stack.append((tag, skip))
            self._skipped += skip

    def handle_endtag(self, tag):
        if any(open_tag == tag for open_tag, _ in self._stack):
            while self._stack:
                closed, skip = self._stack.pop()
                self._skipped -= skip
                if closed == tag:
                    break

    def handle_data(self, data):
        if not self._skipped and data.strip():
            self.texts.append(squash(data))


def read_page(html: str) -> tuple[list[str], str | None]:
    """The visible texts of a page, one per text node or shown attribute, and its html lang."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.texts, parser.html_lang


def _po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (plural forms by their singular; contexts ignored)."""
    entries: dict[str, str] = {}
    current: dict[str, str] = {}
    field = None

    def flush():
        if current.get("msgid") and (current.get("msgstr") or current.get("msgstr[0]")):
            entries[current["msgid"]] = current.get("msgstr") or current["msgstr[0]"]
            if current.get("msgid_plural"):
                entries[current["msgid_plural"]] = current.get("msgstr[1]", "")

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            if not line:
                flush()
                current, field = {}, None
            continue
        if line.startswith('"'):
            if field:
                current[field] += _unquote(line)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgctxt" or keyword == "msgid" and "msgid" in current:
            flush()
            current = {}
        field = keyword
        current[field] = _unquote(rest)
    flush()
    return entries


def _unquote(quoted: str) -> str:
    return quoted.strip()[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


@functools.cache
def english_interface_texts() -> tuple[frozenset[str], tuple[str, ...], tuple[re.Pattern, ...]]:
    """Interface texts that have a different Norwegian translation: (whole texts, texts long
    enough to find inside a sentence, patterns of texts with placeholders)."""
    catalogue: dict[str, str] = {}
    for key, value in trans_real.translation("nb")._catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if "\x04" in msgid:  # a text with a context: "context\x04msgid"
            msgid = msgid.split("\x04", 1)[1]
        catalogue.setdefault(msgid, value)
    for path in settings.LOCALE_PATHS:
        catalogue |= _po_entries(Path(path) / "nb" / "LC_MESSAGES" / "django.po")
    whole, inside, patterns = set(), [], []
    for msgid, msgstr in catalogue.items():
        english, norwegian = squash(msgid), squash(msgstr)
        if (
            not english
            or not norwegian
            or english == norwegian
            or not re.search("[A-Za-z]", english)
        ):
            continue
        if _PLACEHOLDER.search(english):
            parts = _PLACEHOLDER.split(english)
            if len(re.findall("[A-Za-z]", "".join(parts))) >= 8:
                escaped = [re.escape(part) for part in parts]
                patterns.append(re.compile(r"(?<!\w)" + "[^¶]+?".join(escaped) + r"(?!\w)"))
            continue
        whole.add(english)
        if len(english.split()) >= WORDS_TO_SEARCH_INSIDE:
            inside.append(english)
    return frozenset(whole), tuple(inside), tuple(patterns)


def declared_texts(value) -> list[Text]:
    """Every bilingual text anywhere in the declaration (activities, recipients, rules, …)."""
    if isinstance(value, Text):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            t for f in dataclasses.fields(value) for t in declared_texts(getattr(value, f.name))
        ]
    if isinstance(value, dict):
        return [t for item in value.values() for t in declared_texts(item)]
    if isinstance(value, list | tuple):
        return [t for item in value for t in declared_texts(item)]
    return []


def declared_only_in(language: str) -> set[str]:
    """The texts of the declaration in `language` whose other language differs."""
    return {
        squash(getattr(text, language))
        for text in declared_texts(get_declaration())
        if squash(text.en) != squash(text.nb) and getattr(text, language).strip()
    }


def english_names() -> set[str]:
    """Country, recipient and legal-basis names whose Norwegian differs."""
    names = set()
    for lazy in (*COUNTRY_NAMES.values(), *LEGAL_BASIS_NAMES.values()):
        with translation.override("en"):
            english = str(lazy)
        with translation.override("nb"):
            if str(lazy) != english:
                names.add(english)
    for recipient in get_declaration().recipients.values():
        for text in (recipient.name, recipient.legal_entity):
            if text.en != text.nb:
                names.add(squash(text.en))
    return names


def _occurs(needle: str, haystack: str) -> bool:
    return needle in haystack and bool(re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack))


def _without(texts: list[str], typed: tuple[str, ...]) -> list[str]:
    for content in filter(None, map(squash, typed)):
        texts = [text.replace(content, "·") for text in texts]
    return texts


def check_norwegian_page(html: str, *, typed: tuple[str, ...] = ()) -> list[str]:
    """What on this Norwegian page is not Norwegian, one line per finding (empty: all well).
    `typed`: what people wrote and the page shows as written (an article, a clinic's purposes
    from its agreement): content, not the interface, so left out."""
    texts, lang = read_page(html)
    texts = _without(texts, typed)
    findings = [] if lang == "nb" else [f'<html lang="{lang}">, not "nb"']
    # A company's registered name may hold a country's ("Google Ireland Limited"): read without.
    entities = [squash(r.legal_entity.nb) for r in get_declaration().recipients.values()]
    page = " ¶ ".join(texts)
    for entity in entities:
        page = page.replace(entity, "·")
    whole, inside, patterns = english_interface_texts()
    findings += [f"interface text in English: {t!r}" for t in texts if t in whole]
    findings += [f"interface text in English: {t!r}" for t in inside if _occurs(t, page)]
    findings += [
        f"interface text in English: {match.group(0)!r}"
        for pattern in patterns
        for match in [pattern.search(page)]
        if match and len(match.group(0)) < 400
    ]
    findings += [
        f"English sentence: {t[:160]!r}"
        for t in texts
        if len(ENGLISH_WORDS.intersection(re.findall("[a-z]+", t.lower()))) >= 2
    ]
    findings += [
        f"declared text in English: {t!r}" for t in declared_only_in("en") if _occurs(t, page)
    ]
    findings += [f"name in English: {t!r}" for t in english_names() if _occurs(t, page)]
    findings += [f"date in English: {m!r}" for m in ENGLISH_DATE.findall(page)]
    return sorted(set(findings))


def check_english_page(html: str, *, typed: tuple[str, ...] = ()) -> list[str]:
    """What on this English page is Norwegian from the declaration, or a Norwegian date."""
    texts, lang = read_page(html)
    texts = _without(texts, typed)
    findings = [] if lang == "en" else [f'<html lang="{lang}">, not "en"']
    page = " ¶ ".join(texts)
    findings += [
        f"declared text in Norwegian: {t!r}" for t in declared_only_in("nb") if _occurs(t, page)
    ]
    findings += [f"date in Norwegian: {m!r}" for m in NORWEGIAN_DATE.findall(page)]
    return sorted(set(findings))
