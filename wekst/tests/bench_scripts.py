"""A bench/ script run from a test as a person runs it: this Python, from the checkout's root."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bench(script: str, *args: str, timeout: float) -> subprocess.CompletedProcess:
    """`python bench/<script> <args>`, its output kept (`said`), whatever its exit status."""
    return subprocess.run(  # noqa: S603
        [sys.executable, f"bench/{script}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def said(done: subprocess.CompletedProcess) -> str:
    """The end of what the script printed, for an assertion's message."""
    return done.stdout[-3000:] + done.stderr[-3000:]
