"""The code's layout (issue 17, item 1): no module outside migrations and tests over 400 lines.

A module that passes 400 lines is split by what its code does (docs/overview.md), so that a
newcomer finds a rule from the file name.
"""

import os
from pathlib import Path

from django.conf import settings

MAX_LINES = 400
# Directories never scanned: generated migrations, the tests themselves, and what is not ours.
SKIPPED_DIRECTORIES = {"migrations", "tests", "node_modules", "__pycache__"}


def long_modules(root: Path, *, max_lines: int = MAX_LINES) -> dict[str, int]:
    """Every .py file under `root` longer than `max_lines`, by its path from `root`, outside
    migrations, tests and hidden directories (.venv, .git)."""
    found = {}
    for directory, subdirectories, files in os.walk(root):
        # Pruned in place, so os.walk never descends into them (the virtualenv is large).
        subdirectories[:] = [
            name
            for name in subdirectories
            if not name.startswith(".") and name not in SKIPPED_DIRECTORIES
        ]
        for name in files:
            if not name.endswith(".py"):
                continue
            path = Path(directory) / name
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > max_lines:
                found[path.relative_to(root).as_posix()] = lines
    return found


def test_no_module_over_400_lines():
    over = long_modules(settings.BASE_DIR)
    assert not over, "Split these modules by what they do (issue 17): " + ", ".join(
        f"{name} ({lines} lines)" for name, lines in sorted(over.items())
    )


def test_the_layout_scan_finds_a_long_module_and_skips_migrations_and_tests(tmp_path):
    """The scan above could pass by finding nothing; here it must find the one long module."""
    long_text = "x = 1\n" * (MAX_LINES + 1)
    for name in (
        "app/services.py",
        "app/migrations/0001_initial.py",
        "app/tests/test_services.py",
        ".venv/lib/site.py",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(long_text)
    (tmp_path / "app" / "selectors.py").write_text("x = 1\n" * MAX_LINES)

    assert long_modules(tmp_path) == {"app/services.py": MAX_LINES + 1}


def test_the_layout_scan_reads_the_project():
    """The real tree is scanned: its own settings module and the declaration's parser are seen."""
    every_module = long_modules(settings.BASE_DIR, max_lines=0)
    assert "wekst/settings.py" in every_module
    assert "declaration/schema/parse.py" in every_module
    assert not any("/migrations/" in name or "/tests/" in name for name in every_module)
