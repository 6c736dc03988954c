"""What the figures were measured on and what they cost: the machine, its speed, memory and CPU.

Runs on different machines, or on the same shared machine at different hours, compare by
speed_reference_ms (docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path


def rss_kib(pid: int) -> int:
    """Resident memory of one process, in KiB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise ValueError(f"no VmRSS for {pid}")


def machine() -> dict[str, str]:
    """What the figures were measured on."""

    def out(*command: str) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
            return done.stdout
        except OSError:
            return ""

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    memory = out("free", "-h").splitlines()
    return {
        "nproc": out("nproc").strip(),
        "cpu": cpu,
        "memory": memory[1].split()[1] if len(memory) > 1 else "?",
        "free_h": "\n".join(memory),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "postgresql": out("psql", "--version").split()[2] if shutil.which("psql") else "",
        "wrk": out("wrk", "--version").splitlines()[0] if shutil.which("wrk") else "",
    }


# Which processes a CPU second belongs to, by the command name in /proc/<pid>/stat.
PROCESS_KINDS = {"postgres": "database", "redis-server": "redis"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(web_pids: set[int]) -> dict[str, float]:
    """CPU seconds (user and system) used so far, summed per kind of process.

    web: the server's processes; database, redis: by name; wrk: this process's waited-for
    children (wrk has exited by the time it is read); other: everything else on the machine,
    kernel threads included. The difference of two readings around a run, divided by its
    requests, is what one request cost each of them.
    """
    seconds = dict.fromkeys(("web", "database", "redis", "other"), 0.0)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone since the listing
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        kind = "web" if int(entry.name) in web_pids else PROCESS_KINDS.get(name, "other")
        seconds[kind] += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    children = os.times()
    seconds["wrk"] = children.children_user + children.children_system
    return seconds


def process_cpu(web_pids: set[int], database: str) -> dict[int, tuple[str, float]]:
    """Each process's kind and CPU seconds (user and system) so far, for cpu_used.

    web: the server's processes; database: the PostgreSQL backends serving `database` only (on a
    shared database server, another database's work is not this run's); redis: redis-server,
    whoever it serves; other: everything else.
    """
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            pid = int(entry.name)
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            kind = "web" if pid in web_pids else PROCESS_KINDS.get(name, "other")
            if kind == "database":
                words = (entry / "cmdline").read_bytes().replace(b"\0", b" ").split()
                kind = "database" if database.encode() in words else "other"
        except OSError:  # gone since the listing
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[pid] = (kind, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    return found


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds per kind between two process_cpu readings. A process started in between
    counts from zero; one that ended in between (a database connection closed after
    CONN_MAX_AGE) is left out, its CPU no longer readable: a figure may be low, never negative."""
    used = dict.fromkeys(("web", "database", "redis", "other"), 0.0)
    for pid, (kind, seconds) in after.items():
        earlier = before.get(pid)
        used[kind] += seconds - (earlier[1] if earlier and earlier[0] == kind else 0.0)
    return used


def speed_reference_ms() -> float:
    """Milliseconds of CPU for a fixed pure-Python workload, best of five (less is faster).

    It does not touch the project, so it measures the machine only: runs on different machines,
    or on the same shared machine at different hours, compare by it (docs/benchmarks.md).
    """
    people = [
        {"id": n, "email": f"person{n}@klinikk.example", "tags": ["lead"]} for n in range(200)
    ]
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for _ in range(200):
            text = json.dumps(people)
            json.loads(text)
            re.findall(r"person(\d+)@", text)
            sorted(people, key=lambda person: person["email"][::-1])
        best = min(best, time.process_time() - started)
    return round(best * 1000, 1)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
