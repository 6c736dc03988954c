"""What every bench script shares: where things are, the log line, and the report in the docs.

The load and soak tests (bench/load.py, bench/soak.py) run the production server
(bench/server.py) on a bench database (bench/database.py), load it with wrk (bench/wrk_runs.py)
and say what machine the figures were measured on (bench/machine.py).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(tempfile.gettempdir()) / "wekst-bench"
PYTHON = sys.executable


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def utc_now() -> datetime:
    return datetime.now(UTC)


def replace_section(path: Path, marker: str, text: str) -> None:
    """Write `text` between `<!-- marker -->` and `<!-- /marker -->` in `path`, re-read just
    before writing, leaving every other section (other developers' too) as it is."""
    start, end = f"<!-- {marker} -->", f"<!-- /{marker} -->"
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{start}\n{text.rstrip()}\n{end}"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        after = rest.split(end, 1)[1]
        updated = before + block + after
    else:
        updated = current.rstrip() + "\n\n" + block + "\n"
    path.write_text(updated)
