"""Every clause has its enforcer (DEC-08): each promise of the published policies comes from a
clause of declaration/clauses.yaml, and each clause names the tests that prove it.

What counts as a promise-bearing block, and when it is covered, is defined once, in
`declaration.clauses.uncovered_parts`.
"""

import os
import re
import warnings
from pathlib import Path

import pytest
from django.core.checks.registry import registry
from django.urls import reverse
from django.utils import translation

from declaration import clauses as register
from declaration.clauses import (
    PAGES,
    REPOSITORY_ROOT,
    ClauseError,
    defined_tests,
    enforcement_problems,
    get_clauses,
    ids_on_page,
    parse_clauses,
    pending_clauses,
    uncovered_parts,
)
from declaration.selectors import get_declaration

LANGUAGES = ["en", "nb"]
PAGE_LANGUAGES = [(page, language) for page in PAGES for language in LANGUAGES]


def rendered(client, page: str, language: str) -> str:
    with translation.override(language):
        url = reverse(f"declaration:{PAGES[page]}")
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def anchors_of(page: str) -> set[str]:
    declaration = get_declaration()
    return {a for c in get_clauses() if c.page == page for a in c.anchors(declaration)}


def clause(**fields) -> dict:
    """A well-formed clause, with `fields` replacing its defaults."""
    return {
        "id": "answer-within-a-month",
        "requirements": ["RIG-06"],
        "promise": "We answer within one month.",
        "page": "privacy",
        "anchor": "#your-rights",
        "enforced_by": [
            "rights/tests/test_rig_06_deadlines.py::"
            "test_rig_06_a_request_is_due_one_calendar_month_after_receipt"
        ],
    } | fields


# --- the real register against the real pages ---


@pytest.mark.parametrize(("page", "language"), PAGE_LANGUAGES)
def test_dec_08_every_section_and_promise_of_the_policies_is_covered_by_a_clause(
    client, page, language
):
    missing = uncovered_parts(rendered(client, page, language), anchors_of(page))
    assert not missing, (
        f"{page} policy ({language}): no clause in declaration/clauses.yaml covers\n"
        + "\n".join(missing)
    )


@pytest.mark.parametrize(("page", "language"), PAGE_LANGUAGES)
def test_dec_08_every_clause_anchor_is_on_its_page(client, page, language):
    ids = ids_on_page(rendered(client, page, language))
    declaration = get_declaration()
    missing = [
        f"clause {c.id}: #{anchor} is not on the {page} policy ({language})"
        for c in get_clauses()
        if c.page == page
        for anchor in c.anchors(declaration)
        if anchor not in ids
    ]
    assert not missing, "\n".join(missing)


def test_dec_08_every_clause_names_tests_that_exist_and_pending_ones_are_shown():
    clauses = get_clauses()
    problems = enforcement_problems(clauses)
    assert not problems, "\n".join(problems)
    # A promise no test proves yet stays visible in every run, without turning CI red.
    for pending in pending_clauses(clauses):
        warnings.warn(
            f"DEC-08: clause {pending.id} ({', '.join(pending.requirements)}) has no enforcing "
            f"test yet: {pending.pending}",
            UserWarning,
            stacklevel=1,
        )
    assert len(pending_clauses(clauses)) < len(clauses)


def test_dec_08_every_requirement_a_clause_names_is_defined():
    defined = defined_requirements()
    undefined = [
        f"clause {c.id}: {r}" for c in get_clauses() for r in c.requirements if r not in defined
    ]
    assert not undefined, "not defined in docs/requirements.md:\n" + "\n".join(undefined)


def test_dec_08_a_malformed_register_fails_the_system_check_naming_the_clause(
    monkeypatch, tmp_path
):
    assert register.check_clause_register in registry.get_checks()
    assert register.check_clause_register() == []
    broken = tmp_path / "clauses.yaml"
    broken.write_text("clauses:\n  - id: answer-within-a-month\n", encoding="utf-8")
    monkeypatch.setattr(register, "CLAUSES_PATH", broken)
    errors = register.check_clause_register()
    assert errors and {e.id for e in errors} == {"declaration.E010"}
    assert all(e.msg.startswith("clause answer-within-a-month: ") for e in errors)


# --- the checker, fed broken registers ---


def test_dec_08_a_clause_with_no_enforcing_test_fails_naming_the_clause():
    clauses = parse_clauses({"clauses": [clause(id="we-never-sell", enforced_by=[])]})
    assert enforcement_problems(clauses) == ["clause we-never-sell: names no test that enforces it"]


def test_dec_08_a_clause_naming_a_test_that_does_not_exist_fails_naming_the_clause():
    clauses = parse_clauses(
        {
            "clauses": [
                clause(
                    id="we-answer-at-once",
                    enforced_by=[
                        "rights/tests/test_rig_06_deadlines.py::test_rig_06_answered_at_once",
                        "rights/tests/test_no_such_file.py::test_rig_06_anything",
                    ],
                )
            ]
        }
    )
    problems = enforcement_problems(clauses)
    assert len(problems) == 2
    assert all(p.startswith("clause we-answer-at-once: names ") for p in problems)
    assert "test_rig_06_answered_at_once" in problems[0] and "no such test" in problems[0]
    assert "test_no_such_file.py" in problems[1]


def test_dec_08_a_pending_clause_passes_the_check_and_is_listed():
    clauses = parse_clauses(
        {"clauses": [clause(enforced_by=[], pending="issue 99: the deadline test is missing")]}
    )
    assert enforcement_problems(clauses) == []
    assert [c.pending for c in pending_clauses(clauses)] == [
        "issue 99: the deadline test is missing"
    ]


def test_dec_08_parametrized_and_class_test_ids_resolve_and_others_do_not(tmp_path):
    tests = tmp_path / "app" / "tests"
    tests.mkdir(parents=True)
    (tests / "test_things.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.parametrize('language', ['en', 'nb'])\n"
        "def test_dec_02_in_each_language(language):\n    assert language\n\n"
        "class TestRights:\n    def test_rig_01_portal(self):\n        assert True\n\n"
        "async def test_con_01_async():\n    assert True\n\n"
        "def helper_not_a_test():\n    pass\n",
        encoding="utf-8",
    )
    assert defined_tests(tests / "test_things.py") == {
        "test_dec_02_in_each_language",
        "TestRights::test_rig_01_portal",
        "test_con_01_async",
    }
    good = [
        "app/tests/test_things.py::test_dec_02_in_each_language[nb]",
        "app/tests/test_things.py::TestRights::test_rig_01_portal",
        "app/tests/test_things.py::test_con_01_async",
    ]
    assert (
        enforcement_problems(parse_clauses({"clauses": [clause(enforced_by=good)]}), tmp_path) == []
    )
    bad = [
        "app/tests/test_things.py::helper_not_a_test",
        "app/tests/test_things.py::test_rig_01_portal",
    ]
    problems = enforcement_problems(parse_clauses({"clauses": [clause(enforced_by=bad)]}), tmp_path)
    assert len(problems) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": "Answer Within"}, "id must be lower-case words"),
        ({"requirements": []}, "requirements must list"),
        ({"requirements": ["RIG-6"]}, "'RIG-6' is not a requirement id"),
        ({"promise": " "}, "promise must say"),
        ({"page": "terms"}, "page must be one of cookie, privacy"),
        ({"anchor": "your-rights"}, "anchor must be an element id"),
        ({"anchor": "#activity-{purpose}"}, "placeholder {purpose} is not one of"),
        ({"enforced_by": "test_rig_06"}, "enforced_by must list"),
        ({"enforced_by": ["test_rig_06_deadlines"]}, "is not a test node id"),
        ({"enforced_by": [], "pending": " "}, "pending must say why"),
        ({"pending": "later"}, "cannot be pending as well"),
        ({"enforcer": []}, "unknown field 'enforcer'"),
    ],
)
def test_dec_08_a_malformed_clause_is_refused_naming_it(fields, message):
    with pytest.raises(ClauseError) as error:
        parse_clauses({"clauses": [clause(id="answer-within-a-month") | fields]})
    assert message in str(error.value)
    assert "clause " in str(error.value)


def test_dec_08_a_clause_id_used_twice_is_refused():
    with pytest.raises(ClauseError, match="clause answer-within-a-month: id is used twice"):
        parse_clauses({"clauses": [clause(), clause()]})


def test_dec_08_an_anchor_placeholder_stands_for_every_declared_key():
    declaration = get_declaration()
    (parsed,) = parse_clauses({"clauses": [clause(anchor="#activity-{activity}")]})
    assert parsed.anchors(declaration) == [f"activity-{key}" for key in declaration.activities]


def test_dec_08_an_uncovered_section_or_block_is_reported():
    html = """<html><body><p>not the policy</p><article class="policy">
      <h1>Policy</h1><p id="introduction">We are careful.</p><p>We never sell data.</p>
      <nav><ol><li><a href="#a">A</a></li></ol></nav>
      <section id="a" aria-labelledby="a-heading"><h2 id="a-heading">A</h2><p>Covered.</p>
        <section aria-labelledby="b-heading"><h3 id="b-heading">B</h3><ul><li>x</li></ul></section>
      </section>
      <section id="c"><h2>C</h2><table><tr><td>y</td></tr></table></section>
    </article></body></html>"""
    missing = uncovered_parts(html, {"introduction", "a"})
    assert missing == [
        "block article > <p> 'We never sell data.'",
        "section #a > (labelled by #b-heading) 'B x'",
        "section #c 'C y'",
        "block #c > <table> 'y'",
    ]
    assert uncovered_parts(html, {"introduction", "a", "b-heading", "c"}) == [
        "block article > <p> 'We never sell data.'"
    ]


# --- docs/requirements.md defines every requirement id the code and tests use ---

REQUIREMENTS_DOC = REPOSITORY_ROOT / "docs" / "requirements.md"
DEFINITION = re.compile(r"^- \*\*(?P<id>[A-Z]+-\d{2})\*\* ", re.MULTILINE)
PREFIXES = "|".join(register.REQUIREMENT_PREFIXES)
ID_IN_TEXT = re.compile(rf"\b(?:{PREFIXES})-\d{{2}}\b")
# `test_rig_04_…` names RIG-04; `test_rg_12_b_…` names RG-12.
ID_IN_TEST_NAME = re.compile(rf"\btest_({PREFIXES.lower()})_(\d{{2}})_")
SKIPPED_DIRECTORIES = {".venv", "migrations", "node_modules", ".git", "__pycache__"}


def defined_requirements(path: Path = REQUIREMENTS_DOC) -> set[str]:
    return set(DEFINITION.findall(path.read_text(encoding="utf-8")))


def requirement_ids_used(root: Path) -> dict[str, set[str]]:
    """Each requirement id found in the .py and .html files under `root`, with where it is used."""
    used: dict[str, set[str]] = {}
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRECTORIES)
        for name in sorted(files):
            path = Path(directory) / name
            if path.suffix in {".py", ".html"}:
                record_requirement_ids(path, path.relative_to(root), used)
    return used


def record_requirement_ids(path: Path, relative: Path, used: dict[str, set[str]]) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    found = set(ID_IN_TEXT.findall(text))
    found |= {f"{p.upper()}-{n}" for p, n in ID_IN_TEST_NAME.findall(text)}
    for requirement in found:
        used.setdefault(requirement, set()).add(str(relative))


def undefined_requirements(root: Path, defined: set[str]) -> list[str]:
    return [
        f"{requirement} (used in {', '.join(sorted(where))})"
        for requirement, where in sorted(requirement_ids_used(root).items())
        if requirement not in defined
    ]


def test_dec_08_every_requirement_id_used_is_defined():
    undefined = undefined_requirements(REPOSITORY_ROOT, defined_requirements())
    assert not undefined, "define these in docs/requirements.md:\n" + "\n".join(undefined)


# Built, so that this file itself does not use an undefined id.
UNDEFINED = "CK" + "-99"


def test_dec_08_an_undefined_requirement_id_is_reported_with_where_it_is_used(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "rules.py").write_text("# keeps RG-05 and (ZZ-01)\n", encoding="utf-8")
    (tmp_path / "app" / "test_x.py").write_text("def test_rig_04_b_erases(): ...\n", "utf-8")
    (tmp_path / "app" / "page.html").write_text('<p data-clause="TP-06">', encoding="utf-8")
    (tmp_path / "app" / "migrations").mkdir()
    (tmp_path / "app" / "migrations" / "0001.py").write_text(f"# {UNDEFINED}\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text(f"{UNDEFINED}\n", encoding="utf-8")
    assert undefined_requirements(tmp_path, {"RG-05"}) == [
        "RIG-04 (used in app/test_x.py)",
        "TP-06 (used in app/page.html)",
    ]
    assert undefined_requirements(tmp_path, {"RG-05", "RIG-04", "TP-06"}) == []


def test_dec_08_every_requirement_is_defined_once_with_where_it_is_enforced():
    text = REQUIREMENTS_DOC.read_text(encoding="utf-8")
    ids = DEFINITION.findall(text)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    lines = [line for line in text.splitlines() if DEFINITION.match(line)]
    assert all(" — " in line for line in lines), [ln for ln in lines if " — " not in ln]
    named = set(re.findall(r"\b[\w/]+/tests/test_\w+\.py\b", text))
    missing = sorted(path for path in named if not (REPOSITORY_ROOT / path).is_file())
    assert not missing, f"docs/requirements.md names test files that do not exist: {missing}"
