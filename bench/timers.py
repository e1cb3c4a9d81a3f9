"""Timer lateness with real worker processes: N runs (default 1,000) whose timers fall due
within one minute, fired by two `flask alur worker` processes on PostgreSQL (one on SQLite,
which has one writer). Prints p50/p95/p99/max lateness (the moment the worker fired the
timer, the event's time, minus the moment it was due), how many fired and how many fired
twice (must be 0), and the workers' throughput.

Set-up, kept short: one run of the SOP with one OPD is driven through the services to its
period's timer, then copied N-1 times in SQL (its row, its stored workflow parts, its timer
job), so every copy waits on the same timer. The workers start and settle, then the
timers are spread over the next minute (each job and `next_due_at` moved in one
transaction, which wakes the workers through NOTIFY).

Usage: python bench/timers.py [N]   (BENCH_DATABASE_URL for PostgreSQL; its public schema is
rebuilt). Runs in under two minutes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scenarios import ROOT, T0, complete_row, fresh_database, make_factory, seed
from scenarios import start_through_row10 as start_run
from sqlalchemy import bindparam, inspect, select, text, update

from engine.db import make_engine, read_only, unit_of_work
from engine.events import EventType
from engine.models import Event, ProcessInstance
from engine.models.jobs import Job

WINDOW = timedelta(seconds=60)
LEAD = timedelta(seconds=3)  # from spreading the timers to the first one due
FLASK = Path(sys.executable).parent / "flask"


def one_waiting_run(factory) -> int:
    codes = seed(factory, 1)
    instance_id = start_run(factory, codes, T0)
    complete_row(factory, instance_id, "Task_11", T0)
    return instance_id


def copy_run(engine, source: int, copies: int) -> list[int]:
    """`copies` copies of the waiting run: its row, its parts and its timer job."""
    columns = [c["name"] for c in inspect(engine).get_columns("process_instances")
               if c["name"] not in ("id", "registration_no")]
    names = ", ".join(columns)
    with engine.begin() as conn:
        ids = list(conn.execute(text(
            f"INSERT INTO process_instances (registration_no, {names}) "
            f"SELECT registration_no || '-' || g, {names} FROM process_instances, "
            "generate_series(1, :n) AS g WHERE id = :source RETURNING id"
        ) if engine.dialect.name == "postgresql" else _sqlite_copy(names), {
            "n": copies, "source": source}).scalars())
        for instance_id in ids:  # few statements each; SQLite has no INSERT ... SELECT g
            conn.execute(text(
                "INSERT INTO instance_states (instance_id, part_key, parent_key, state, "
                "format_version, updated_at) SELECT :id, part_key, parent_key, state, "
                "format_version, updated_at FROM instance_states WHERE instance_id = :source"
            ), {"id": instance_id, "source": source})
            conn.execute(text(
                "INSERT INTO jobs (kind, key, payload, state, run_at, attempts, max_attempts, "
                "created_at) SELECT kind, 'timer:' || :id, :payload, state, run_at, 0, "
                "max_attempts, created_at FROM jobs WHERE key = :key"
            ), {"id": instance_id, "payload": f'{{"instance_id": {instance_id}}}',
                "key": f"timer:{source}"})
        jobs = Job.__table__  # not due until spread(): the workers start idle
        conn.execute(update(jobs).where(jobs.c.kind == "timer")
                     .values(run_at=datetime.now(UTC) + timedelta(days=1)))
    return [source, *ids]


def _sqlite_copy(names: str):
    return text(
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :n) "
        f"INSERT INTO process_instances (registration_no, {names}) "
        f"SELECT registration_no || '-' || g.n, {names} FROM process_instances, g "
        "WHERE id = :source RETURNING id"
    )


def start_workers(url: str, count: int, folder: Path) -> list[tuple[subprocess.Popen, Path]]:
    env = {**os.environ, "DATABASE_URL": url, "ALUR_DATABASE_URL": url,
           "ALUR_SECRET_KEY": "bench", "ALUR_INSTANCE_DIR": str(folder / "instance"),
           "ALUR_UPLOAD_DIR": str(folder / "uploads"), "ALUR_TIMER_INTERVAL": "5"}
    started = []
    for n in range(count):
        log = folder / f"worker{n + 1}.log"
        process = subprocess.Popen([str(FLASK), "--app", "webapp", "alur", "worker"], cwd=ROOT,
                                   env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        started.append((process, log))
    deadline = time.monotonic() + 60
    while not all("started" in log.read_text() for _, log in started):
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not start: see " + str(folder))
        time.sleep(0.1)
    time.sleep(1.0)  # their first pass (the recurring jobs) is over
    return started


def spread(engine, ids: list[int]) -> dict[int, datetime]:
    """Each run's timer due between LEAD and LEAD + WINDOW from now, evenly."""
    first = datetime.now(UTC) + LEAD
    due = {i: first + WINDOW * n / len(ids) for n, i in enumerate(ids)}
    instances, jobs = ProcessInstance.__table__, Job.__table__  # typed: SQLite stores text
    with engine.begin() as conn:
        rows = [{"i": i, "due": d, "k": f"timer:{i}"} for i, d in due.items()]
        conn.execute(update(instances).where(instances.c.id == bindparam("i"))
                     .values(next_due_at=bindparam("due")), rows)
        conn.execute(update(jobs).where(jobs.c.key == bindparam("k"))
                     .values(run_at=bindparam("due")), rows)
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_notify('alur_jobs', '')"))
    return due


def fired(factory, ids: list[int]) -> list[tuple[int, datetime]]:
    with read_only(factory) as session:
        return [tuple(row) for row in session.execute(
            select(Event.instance_id, Event.occurred_at)
            .where(Event.type == EventType.TIMER_FIRED, Event.instance_id.in_(ids))
        )]


def wait_until_fired(factory, ids: list[int], until: datetime) -> list[tuple[int, datetime]]:
    while True:
        found = fired(factory, ids)
        if len({i for i, _ in found}) == len(ids) or datetime.now(UTC) > until:
            return found
        time.sleep(1.0)


def report(found, due: dict[int, datetime], workers: int) -> None:
    late = sorted((moment - due[i]).total_seconds() for i, moment in found)
    early = sum(1 for seconds in late if seconds < 0)
    times = Counter(i for i, _ in found)
    duplicates = sum(n - 1 for n in times.values())
    q = statistics.quantiles(late, n=100, method="inclusive") if len(late) > 1 else late * 99
    first, last = min(m for _, m in found), max(m for _, m in found)
    print(f"timers: {len(due)} due within {WINDOW.seconds} s, {workers} worker(s)")
    print(f"fired: {len(times)} of {len(due)}; fired twice or more: {duplicates}; "
          f"before due: {early}")
    print(f"lateness (s): p50 {q[49]:.3f}  p95 {q[94]:.3f}  p99 {q[98]:.3f}  max {late[-1]:.3f}")
    span = (last - first).total_seconds() or 1.0
    print(f"throughput: {len(found) / span:.1f} timers/s over {span:.1f} s")
    order = sorted(due, key=due.get)
    worst = sorted(((moment - due[i]).total_seconds(), order.index(i)) for i, moment in found)
    print("latest (lateness s, position in due order): "
          + ", ".join(f"{s:.2f}@{n}" for s, n in worst[-8:]))
    whole = len(times) == len(due) and not duplicates and not early
    verdict = "ok" if whole and q[98] <= 1.0 else "MISSED"
    print(f"target p99 <= 1 s, each exactly once: {verdict}")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    folder = Path(tempfile.mkdtemp(prefix="alur-bench-timers-"))
    os.environ.setdefault("ALUR_SIGNING_KEY_FILE", str(folder / "signing-key.pem"))
    url = fresh_database(os.environ.get("BENCH_DATABASE_URL"), "timers")
    engine = make_engine(url)
    factory = make_factory(engine)
    source = one_waiting_run(factory)
    with unit_of_work(factory) as session:
        assert session.get(ProcessInstance, source).next_due_at is not None
    ids = copy_run(engine, source, count - 1)
    workers = 2 if engine.dialect.name == "postgresql" else 1
    started = start_workers(url, workers, folder)
    try:
        due = spread(engine, ids)
        found = wait_until_fired(factory, ids, max(due.values()) + timedelta(seconds=30))
    finally:
        for process, _ in started:
            process.terminate()
            process.wait(timeout=15)
    report(found, due, workers)
    engine.dispose()


if __name__ == "__main__":
    main()
