"""For tests: run code against a changed copy of the declaration in force.

The declaration is read once per process (selectors.get_declaration); a test that proves a page
or form follows the declaration changes it here, and the original comes back afterwards.
"""

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml
from django.conf import settings
from django.test import override_settings

from declaration.selectors import get_declaration


@contextlib.contextmanager
def changed_declaration(change: Callable[[dict], None]) -> Iterator[None]:
    """`change` edits the raw declaration (as loaded from YAML); it is validated when read."""
    data = yaml.safe_load(Path(settings.WEKST_DECLARATION_PATH).read_text(encoding="utf-8"))
    change(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "declaration.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        get_declaration.cache_clear()
        try:
            with override_settings(WEKST_DECLARATION_PATH=path):
                get_declaration()  # invalid changes fail here, naming the entry
                yield
        finally:
            get_declaration.cache_clear()
