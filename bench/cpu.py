"""Where a load run's CPU goes: the seconds each group of processes used, read from Linux's
/proc (utime + stime of every process of the group, children included), and how busy the
whole machine was (/proc/stat).

bench/load.py takes a reading before and after its users run and prints the CPU each
completion cost per group, and what that cost allows on this machine's CPUs: a throughput
target above that ceiling cannot be met here by tuning the load, only by cutting the cost.
On a system without /proc the readings are empty and nothing is printed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def available() -> bool:
    return (PROC / "stat").exists()


def process_seconds(pid: int) -> float:
    """CPU seconds (user + system) one process has used so far; 0 once it is gone."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15)


def descendants(pid: int) -> list[int]:
    """The process and every process under it (gunicorn's master and its workers)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in (PROC / str(current) / "task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return found


def named(command: str) -> list[int]:
    """Every process whose command name is `command` (PostgreSQL's server and backends)."""
    pids = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent on anything but idle and I/O wait, since boot."""
    values = [int(v) for v in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / TICKS


@dataclass
class Reading:
    """CPU seconds per process, grouped, and the machine's busy seconds, at one moment."""

    groups: dict[str, dict[int, float]] = field(default_factory=dict)
    busy: float = 0.0


def read(groups: dict[str, list[int]]) -> Reading:
    if not available():
        return Reading()
    return Reading(
        groups={name: {pid: process_seconds(pid) for pid in pids} for name, pids in groups.items()},
        busy=machine_busy_seconds(),
    )


def used(before: Reading, after: Reading) -> dict[str, float]:
    """Seconds each group used between the readings (a process that started in between
    counts from zero; one that ended in between is lost, so backends should stay open)."""
    return {
        name: sum(seconds - before.groups.get(name, {}).get(pid, 0.0)
                  for pid, seconds in pids.items())
        for name, pids in after.groups.items()
    }


def report(before: Reading, after: Reading, completions: int, elapsed: float) -> list[str]:
    """Lines for the bench's output: milliseconds of CPU per completion, per group."""
    if not after.groups or completions == 0:
        return []
    per_group = used(before, after)
    cpus = os.cpu_count() or 1
    busy = after.busy - before.busy
    per_completion = busy / completions
    parts = ", ".join(f"{name} {seconds / completions * 1000:.1f}"
                      for name, seconds in per_group.items())
    return [
        f"  CPU per completion (ms, every request of the run counted): {parts}; "
        f"whole machine {per_completion * 1000:.1f}",
        f"  machine: {cpus} CPUs, {busy / (elapsed * cpus):.0%} busy; at this cost its CPUs "
        f"complete at most {cpus / per_completion:.0f} per second",
    ]
