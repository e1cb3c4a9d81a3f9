"""How long one task completion takes, with and without the in-process workflow cache,
and whether it grows with the number of OPDs or of periods behind a run.

For N = 10, 50 and 200 OPDs, at reporting periods 1 and 12, prints the median time of one
PJ Kinerja completion of row 11 as a service call (own transaction: load, complete, engine
steps, save, commit):

- cache on: the run's previous step was committed by the same process, so its workflow
  comes from the runtime's cache (a web worker completing several steps of one run);
- cache off: `build_runtime(workflow_cache_size=0)`, so every completion rebuilds the
  workflow from its stored parts, as after a restart or when another worker did the
  previous step (the two are timed in turns, on runs of their own, so both see the
  same load on the machine);

and, to show what the cache saves, a cold load on its own (`execution.load_stored` in its
own read transaction: the parts' query and their deserialisation, parsed specs already
cached), the stored state's size, the raw SpiffWorkflow time of the same step on a
loaded workflow (set_data, run, refresh_timers, do_engine_steps; nothing saved) and the
cost of a bare commit; and, for the cached completions, the median number of SQL
statements each runs and the time spent waiting on the database (SQLAlchemy's
before/after_cursor_execute).

A completion is timed as scenarios.complete times it: from the person in hand (read
first, as a request's login does, which also checks out the connection and begins the
transaction) to the commit.
Usage: python bench/complete_task.py [N ...]
Set BENCH_DATABASE_URL to run on PostgreSQL (its public schema is rebuilt).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from datetime import timedelta

from scenarios import (
    T0,
    DbMeter,
    answers,
    complete,
    fresh_database,
    make_factory,
    median_ms,
    open_ids,
    period_end,
    run_to_decision,
    seed,
    start_through_row10,
)
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from engine.bpmn import runtime
from engine.db import make_engine, read_only, unit_of_work
from engine.models import HumanTask, InstanceState, ProcessInstance
from engine.services import execution

SAMPLES = 25
PERIODS = 12
MEASURED = (1, PERIODS)
ROW_11 = "pelaksanaan-rencana-aksi"


@dataclass
class Figures:
    """One table row: medians in milliseconds, the stored state in parts and kilobytes."""

    cache_on: float
    cache_off: float
    cold_load: float
    parts: int
    state_kb: float
    raw_step: float
    commit: float
    statements: float  # per cached completion (median), from the person in hand to the commit
    db_ms: float  # time waiting on the database per cached completion (median)


@dataclass
class Factories:
    """Three processes' worth of runtimes on one database: one drives the runs between
    measurements, the other two are measured (a cold cache each to begin with)."""

    driver: sessionmaker
    cached: sessionmaker
    uncached: sessionmaker
    meter: DbMeter


def runs_needed(n_opds: int) -> int:
    """Runs per mode for one period to offer SAMPLES row-11 tasks, plus one warm-up per run
    for the cache (a run's first completion in a process cannot hit it)."""
    runs = 1
    while runs * n_opds < SAMPLES + runs:
        runs += 1
    return runs


def pending_row11(factory, instance_ids: list[int]) -> list[tuple[int, int]]:
    return [(i, t) for i in instance_ids for t in open_ids(factory, i, "Task_11")]


def time_completions(factories: Factories, on_runs, off_runs, now) -> tuple[list, list]:
    """SAMPLES completions per mode, in turns (one with the cache, one without), so both
    see the same machine. The cached process works on runs of its own: each timed
    completion follows one it made of the same run; its first of each run fills the
    cache and is not timed."""
    on_pending = pending_row11(factories.driver, on_runs)
    off_pending = pending_row11(factories.driver, off_runs)
    on, off, warm = [], [], set()
    factories.meter.samples.clear()
    while len(on) < SAMPLES:
        instance_id, task_id = on_pending.pop(0)
        seconds = complete(factories.cached, task_id, answers(ROW_11), now, factories.meter)
        if instance_id not in warm:
            warm.add(instance_id)
            continue
        factories.meter.take()
        on.append(seconds)
        off.append(complete(factories.uncached, off_pending.pop(0)[1], answers(ROW_11), now))
    return on, off


def cold_load_ms(factory, instance_id: int, now) -> float:
    """Rebuilding the workflow from its parts, each time in a read transaction of its own."""
    samples = []
    for _ in range(SAMPLES + 1):  # the first one parses the specs: not timed
        with read_only(factory) as session:
            instance = session.get(ProcessInstance, instance_id)
            started = time.perf_counter()
            execution.load_stored(session, instance, now)
            samples.append(time.perf_counter() - started)
    return median_ms(samples[1:])


def stored_state(factory, instance_id: int) -> tuple[int, float]:
    """How many parts the live state has, and their total size in kilobytes."""
    with read_only(factory) as session:
        parts, size = session.execute(
            select(func.count(), func.sum(func.length(InstanceState.state))).where(
                InstanceState.instance_id == instance_id
            )
        ).one()
    return parts, size / 1024


def raw_step_ms(factory, instance_id: int, now) -> float:
    """Complete row-11 tasks in memory only, on one loaded workflow; nothing is saved."""
    samples = []
    task_ids = open_ids(factory, instance_id, "Task_11")[:SAMPLES]
    with unit_of_work(factory) as session:  # never committed
        instance = session.get(ProcessInstance, instance_id)
        live = execution.load_stored(session, instance, now)
        for task_id in task_ids:
            row = session.get(HumanTask, task_id)
            spiff_task = runtime.find_ready_task(live, row.spiff_task_id)
            started = time.perf_counter()
            runtime.complete_user_task(live, spiff_task, answers(row.form_key))
            samples.append(time.perf_counter() - started)
    return median_ms(samples)


def commit_ms(factory, instance_id: int, now) -> float:
    samples = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        with unit_of_work(factory) as session:
            session.get(ProcessInstance, instance_id).updated_at = now
            session.commit()
        samples.append(time.perf_counter() - started)
    return median_ms(samples)


def measure_period(factories: Factories, on_runs, off_runs, now) -> Figures:
    first = off_runs[0]
    raw = raw_step_ms(factories.driver, first, now)  # before any task of the period is done
    parts, state_kb = stored_state(factories.driver, first)
    cold = cold_load_ms(factories.driver, first, now)
    on, off = time_completions(factories, on_runs, off_runs, now)
    statements, db_ms = factories.meter.medians()
    return Figures(
        cache_on=median_ms(on),
        cache_off=median_ms(off),
        cold_load=cold,
        parts=parts,
        state_kb=state_kb,
        raw_step=raw,
        commit=commit_ms(factories.driver, first, now),
        statements=statements,
        db_ms=db_ms,
    )


def finish_period(factory, instance_ids: list[int], now, next_end: str):
    """The rest of a period, then row 17 with decision (b): the next period opens."""
    later = run_to_decision(factory, instance_ids, now)
    for instance_id in instance_ids:
        for task_id in open_ids(factory, instance_id, "Task_17"):
            complete(factory, task_id, answers("keputusan-periode", akhir_periode=next_end), later)
    return later


def run(n_opds: int, url: str | None) -> dict[int, Figures]:
    engine = make_engine(fresh_database(url, f"n{n_opds}"))
    factories = Factories(
        driver=make_factory(engine),
        cached=make_factory(engine),
        uncached=make_factory(engine, workflow_cache_size=0),
        meter=DbMeter(engine),
    )
    codes = seed(factories.driver, n_opds)
    runs, now = runs_needed(n_opds), T0
    on_runs = [start_through_row10(factories.driver, codes, now) for _ in range(runs)]
    off_runs = [start_through_row10(factories.driver, codes, now) for _ in range(runs)]
    figures = {}
    for period in range(1, PERIODS + 1):
        if period in MEASURED:
            figures[period] = measure_period(factories, on_runs, off_runs, now)
        next_end = period_end(now + timedelta(days=10))
        now = finish_period(factories.driver, on_runs + off_runs, now, next_end)
    engine.dispose()
    return figures


HEADER = (
    f"{'OPDs':>5} {'period':>6} {'cache on':>9} {'cache off':>10} {'off/on':>7} "
    f"{'cold load':>10} {'parts':>6} {'state':>8} {'raw step':>9} {'commit':>7} "
    f"{'stmts':>6} {'db wait':>8}"
)


def table_row(n: int, period: int, f: Figures) -> str:
    return (
        f"{n:>5} {period:>6} {f.cache_on:>7.1f}ms {f.cache_off:>8.1f}ms "
        f"{f.cache_off / f.cache_on:>7.2f} {f.cold_load:>8.1f}ms {f.parts:>6} "
        f"{f.state_kb:>6.0f}KB {f.raw_step:>7.1f}ms {f.commit:>5.1f}ms "
        f"{f.statements:>6.0f} {f.db_ms:>6.1f}ms"
    )


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10, 50, 200]
    url = os.environ.get("BENCH_DATABASE_URL")
    print(
        f"database: {'PostgreSQL' if url else 'SQLite'}; "
        f"medians of {SAMPLES} PJ Kinerja completions of row 11 per figure"
    )
    print(HEADER)
    for n in sizes:
        for period, figures in run(n, url).items():
            print(table_row(n, period, figures), flush=True)


if __name__ == "__main__":
    main()
