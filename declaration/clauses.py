"""The clause register: each promise the published policies make, where it is printed, and the
tests that prove it (conformance item DEC-08).

`declaration/clauses.yaml` lists the clauses. This module reads and validates that file, finds the
tests a clause names (by reading test files with `ast`, never importing or running them), and
finds the parts of a rendered policy page that no clause covers. The tests in
`declaration/tests/test_dec_08_clauses.py` run these checks over the real register and pages.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from django.core import checks

from declaration.schema import COOKIE_CATEGORIES, Declaration

CLAUSES_PATH = Path(__file__).with_name("clauses.yaml")
# The repository root: test node ids in the register are relative to it.
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent

PAGES = {"privacy": "privacy_policy", "cookie": "cookie_policy"}
# Every requirement id of shared/conformance.md and shared/legal-checklist.md has one of these
# prefixes; docs/requirements.md defines each id.
REQUIREMENT_PREFIXES = (
    "DEC LEA CON RIG RET PRO SEC CHI COM USR UPL TP CL CK EM RG RT PT RP SB CH".split()
)
REQUIREMENT_ID = re.compile(rf"\b(?:{'|'.join(REQUIREMENT_PREFIXES)})-\d{{2}}\b")
CLAUSE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# `path/to/test_file.py::test_name`, `…::TestClass::test_name`, with an optional `[param id]`.
NODE_ID = re.compile(r"^(?P<path>[\w./-]+\.py)::(?P<name>[\w:]+?)(?:\[[^\]]*\])?$")
# An anchor is an element id, optionally with one placeholder that stands for every key the
# declaration has of that kind: `#activity-{activity}` is one anchor per declared activity.
ANCHOR = re.compile(r"^#[A-Za-z][\w-]*(?:\{(?P<placeholder>\w+)\}[\w-]*)?$")
PLACEHOLDERS = {
    "activity": lambda declaration: list(declaration.activities),
    "cookie_category": lambda declaration: list(COOKIE_CATEGORIES),
}
FIELDS = {"id", "requirements", "promise", "page", "anchor", "enforced_by", "pending"}


class ClauseError(ValueError):
    """The clause register is malformed; the message names every bad clause."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("The clause register is invalid:\n- " + "\n- ".join(problems))


@dataclass(frozen=True)
class Clause:
    id: str
    requirements: tuple[str, ...]
    promise: str
    page: str
    anchor: str
    enforced_by: tuple[str, ...]
    # Why no test proves the promise yet, and where that is being fixed; empty when enforced.
    pending: str = ""

    def anchors(self, declaration: Declaration) -> list[str]:
        """The element ids the clause points at on its page, placeholders expanded."""
        match = ANCHOR.match(self.anchor)
        placeholder = match["placeholder"] if match else None
        if not placeholder:
            return [self.anchor[1:]]
        return [
            self.anchor[1:].replace("{" + placeholder + "}", key)
            for key in PLACEHOLDERS[placeholder](declaration)
        ]


def _clause_problems(index: int, entry: Any) -> list[str]:
    if not isinstance(entry, dict):
        return [f"clause {index + 1}: must be a mapping with id, promise, page, anchor, ..."]
    name = f"clause {entry.get('id') or index + 1}"
    problems = [f"{name}: unknown field {key!r}" for key in entry if key not in FIELDS]
    if not isinstance(entry.get("id"), str) or not CLAUSE_ID.match(entry["id"]):
        problems.append(f"{name}: id must be lower-case words joined by hyphens")
    requirements = entry.get("requirements")
    if not isinstance(requirements, list) or not requirements:
        problems.append(f"{name}: requirements must list the requirement ids it fulfils")
    else:
        problems += [
            f"{name}: {value!r} is not a requirement id (e.g. DEC-02, TP-06)"
            for value in requirements
            if not isinstance(value, str) or not REQUIREMENT_ID.fullmatch(value)
        ]
    if not isinstance(entry.get("promise"), str) or not entry["promise"].strip():
        problems.append(f"{name}: promise must say, in one line, what the policy promises")
    if entry.get("page") not in PAGES:
        problems.append(f"{name}: page must be one of {', '.join(sorted(PAGES))}")
    anchor = entry.get("anchor")
    match = ANCHOR.match(anchor) if isinstance(anchor, str) else None
    if not match:
        problems.append(f"{name}: anchor must be an element id such as #retention")
    elif match["placeholder"] and match["placeholder"] not in PLACEHOLDERS:
        problems.append(
            f"{name}: anchor placeholder {{{match['placeholder']}}} is not one of "
            + ", ".join(sorted(PLACEHOLDERS))
        )
    enforced_by = entry.get("enforced_by")
    pending = entry.get("pending")
    if not isinstance(enforced_by, list):
        problems.append(f"{name}: enforced_by must list the tests that prove the promise")
        enforced_by = []
    problems += [
        f"{name}: {value!r} is not a test node id (path/to/test_file.py::test_name)"
        for value in enforced_by
        if not isinstance(value, str) or not NODE_ID.match(value)
    ]
    if pending is not None and (not isinstance(pending, str) or not pending.strip()):
        problems.append(f"{name}: pending must say why no test proves the promise yet")
    if enforced_by and pending:
        problems.append(f"{name}: is enforced, so it cannot be pending as well")
    return problems


def parse_clauses(data: Any) -> list[Clause]:
    """The validated clauses of a register; ClauseError names every bad clause."""
    if not isinstance(data, dict) or not isinstance(data.get("clauses"), list):
        raise ClauseError(["the register must be a mapping with a `clauses:` list"])
    problems = []
    for index, entry in enumerate(data["clauses"]):
        problems += _clause_problems(index, entry)
    ids = [e["id"] for e in data["clauses"] if isinstance(e, dict) and isinstance(e.get("id"), str)]
    problems += [
        f"clause {i}: id is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})
    ]
    if problems:
        raise ClauseError(problems)
    return [
        Clause(
            id=entry["id"],
            requirements=tuple(entry["requirements"]),
            promise=" ".join(entry["promise"].split()),
            page=entry["page"],
            anchor=entry["anchor"],
            enforced_by=tuple(entry["enforced_by"]),
            pending=" ".join((entry.get("pending") or "").split()),
        )
        for entry in data["clauses"]
    ]


def load_clauses(path: Path | None = None) -> list[Clause]:
    path = path or CLAUSES_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ClauseError([f"{path}: cannot be read ({error.strerror})"]) from error
    except yaml.YAMLError as error:
        raise ClauseError([f"{path}: is not valid YAML ({error})"]) from error
    return parse_clauses(data)


@cache
def get_clauses() -> list[Clause]:
    return load_clauses()


# --- the enforcing tests -------------------------------------------------------------------------


def defined_tests(path: Path) -> set[str]:
    """`test_name` and `TestClass::test_name` for every test the file defines, read with `ast`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    found = set()
    for node in tree.body:
        if isinstance(node, functions) and node.name.startswith("test"):
            found.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            found |= {
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, functions) and item.name.startswith("test")
            }
    return found


def enforcement_problems(clauses: list[Clause], root: Path = REPOSITORY_ROOT) -> list[str]:
    """Every clause that no test enforces, and every named test that does not exist."""
    problems = []
    cached: dict[Path, set[str]] = {}
    for clause in clauses:
        if not clause.enforced_by and not clause.pending:
            problems.append(f"clause {clause.id}: names no test that enforces it")
        for node_id in clause.enforced_by:
            match = NODE_ID.match(node_id)
            path = root / match["path"]
            if not path.is_file():
                problems.append(f"clause {clause.id}: names {node_id}, but there is no {path.name}")
                continue
            if path not in cached:
                cached[path] = defined_tests(path)
            if match["name"] not in cached[path]:
                problems.append(
                    f"clause {clause.id}: names {node_id}, but {match['path']} has no such test"
                )
    return problems


def pending_clauses(clauses: list[Clause]) -> list[Clause]:
    return [clause for clause in clauses if clause.pending]


@checks.register()
def check_clause_register(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A malformed clause register fails `manage.py check`, naming each bad clause."""
    try:
        load_clauses()
    except ClauseError as error:
        return [
            checks.Error(problem, hint="Fix declaration/clauses.yaml.", id="declaration.E010")
            for problem in error.problems
        ]
    return []


# --- coverage of a rendered page -----------------------------------------------------------------

# What a visitor reads as a statement: paragraphs, lists, definition lists, tables and addresses.
BLOCK_TAGS = {"p", "ul", "ol", "dl", "table", "address"}
VOID_TAGS = {"br", "hr", "img", "input", "link", "meta", "source", "wbr", "col", "area"}


@dataclass
class _Element:
    tag: str
    attrs: dict
    parent: _Element | None
    children: list

    def text(self) -> str:
        parts = [c if isinstance(c, str) else f" {c.text()} " for c in self.children]
        return " ".join("".join(parts).split())

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, _Element):
                yield from child.walk()

    def anchors(self) -> set[str]:
        """The ids that name this element: its own, and for a section the heading labelling it."""
        names = {self.attrs.get("id")}
        if self.tag == "section":
            names.add(self.attrs.get("aria-labelledby"))
        return names - {None}

    def describe(self) -> str:
        """Where the element is, by the ids around it, and how it starts, for error messages."""
        chain = [self, *self._ancestors()] if self.tag == "section" else list(self._ancestors())
        names = [
            f"#{e.attrs['id']}"
            if e.attrs.get("id")
            else f"(labelled by #{e.attrs['aria-labelledby']})"
            for e in chain
            if e.attrs.get("id") or (e.tag == "section" and e.attrs.get("aria-labelledby"))
        ]
        where = " > ".join(reversed(names)) or "article"
        what = "" if self.tag == "section" else f" > <{self.tag}>"
        return f"{where}{what} {self.text()[:60]!r}"

    def _ancestors(self):
        element = self.parent
        while element is not None and element.tag != "article":
            yield element
            element = element.parent


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Element("document", {}, None, [])
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = _Element(tag, dict(attrs), self.stack[-1], [])
        self.stack[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def policy_article(html: str) -> _Element:
    tree = _Tree()
    tree.feed(html)
    for element in tree.root.walk():
        if element.tag == "article" and "policy" in element.attrs.get("class", "").split():
            return element
    raise ClauseError(['the page has no <article class="policy">'])


def ids_on_page(html: str) -> set[str]:
    return {e.attrs["id"] for e in policy_article(html).walk() if e.attrs.get("id")}


def uncovered_parts(html: str, anchors: set[str]) -> list[str]:
    """The sections and promise-bearing blocks of a policy page that no clause covers.

    Only the page's `<article class="policy">` is read: the banner, header and footer are not the
    policy. Within it:
    - every `<section>` must itself be a clause's anchor, by its id or, for a section without an
      id, by the id of the heading that labels it (`aria-labelledby`);
    - a promise-bearing block is every `<p>`, `<ul>`, `<ol>`, `<dl>`, `<table>` and `<address>`
      with text, outside the table of contents (`<nav>`), which only repeats the headings. Such
      a block is covered when it, or an element around it inside the article, is a clause's
      anchor. Headings are titles, not promises, and are not blocks.
    """
    article = policy_article(html)
    missing = []
    for element in article.walk():
        if element is article:
            continue
        inside_nav = any(a.tag == "nav" for a in element._ancestors()) or element.tag == "nav"
        if element.tag == "section" and not element.anchors() & anchors:
            missing.append(f"section {element.describe()}")
        elif element.tag in BLOCK_TAGS and element.text() and not inside_nav:
            around = [element, *element._ancestors()]
            if not any(e.anchors() & anchors for e in around):
                missing.append(f"block {element.describe()}")
    return missing
