"""How long one task completion takes, and whether it grows with history.

For N = 10, 50 and 200 OPDs, prints the median time of one PJ Kinerja completion of
row 11 as a service call (own session: load, complete, engine steps, save, commit) at
reporting period 1 and period 12, the raw SpiffWorkflow in-memory time of the same step
(set_data, run, refresh_timers, do_engine_steps on an already loaded workflow), and the
cost of a bare commit. Usage: python bench/complete_task.py [N ...]
Set BENCH_DATABASE_URL to run on PostgreSQL (its public schema is rebuilt).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta

from common import (
    T0,
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
    unit_of_work,
)

from engine.bpmn import runtime
from engine.models import HumanTask, ProcessInstance
from engine.services import execution

SAMPLES = 15
PERIODS = 12


def raw_engine_ms(factory, instance_id: int, task_ids: list[int], now) -> float:
    """Complete the same tasks in memory only, on one loaded workflow; nothing is saved."""
    samples = []
    with unit_of_work(factory) as session:
        instance = session.get(ProcessInstance, instance_id)
        live = execution.load_live(session, instance, now)
        rows = [session.get(HumanTask, t) for t in task_ids]
        for row in rows:
            spiff_task = runtime.find_ready_task(live, row.spiff_task_id)
            started = time.perf_counter()
            runtime.complete_user_task(live, spiff_task, answers(row.form_key))
            samples.append(time.perf_counter() - started)
        session.rollback()
    return median_ms(samples)


def commit_ms(factory, instance_id: int, now) -> float:
    samples = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        with unit_of_work(factory) as session:
            session.get(ProcessInstance, instance_id).updated_at = now
        samples.append(time.perf_counter() - started)
    return median_ms(samples)


def finish_period(factory, instance_id: int, now, next_end: str):
    """The rest of a period, then row 17 with decision (b): the next period opens."""
    later = run_to_decision(factory, instance_id, now)
    for task_id in open_ids(factory, instance_id, "Task_17"):
        complete(factory, task_id, answers("keputusan-periode", akhir_periode=next_end), later)
    return later


def measure_period(factory, instance_id: int, now) -> tuple[float, float]:
    ids = open_ids(factory, instance_id, "Task_11")[: SAMPLES * 2]
    raw = raw_engine_ms(factory, instance_id, ids[:SAMPLES], now)
    timed = [
        complete(factory, t, answers("pelaksanaan-rencana-aksi"), now) for t in ids[SAMPLES:] or ids
    ]
    return median_ms(timed), raw


def run(n_opds: int, url: str | None) -> dict:
    factory, engine = make_factory(fresh_database(url, f"n{n_opds}"))
    codes = seed(factory, n_opds)
    now = T0
    instance_id = start_through_row10(factory, codes, now)
    figures = {}
    for period in range(1, PERIODS + 1):
        if period in (1, PERIODS):
            figures[period] = measure_period(factory, instance_id, now)
        now = finish_period(factory, instance_id, now, period_end(now + timedelta(days=10)))
    figures["commit"] = commit_ms(factory, instance_id, now)
    engine.dispose()
    return figures


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10, 50, 200]
    url = os.environ.get("BENCH_DATABASE_URL")
    print(
        f"database: {'PostgreSQL' if url else 'SQLite'}; median of {SAMPLES} completions of row 11"
    )
    print(
        f"{'OPDs':>5} {'period 1':>10} {'period 12':>10} {'p12/p1':>7} {'raw p1':>8} "
        f"{'raw p12':>8} {'commit':>7} {'call/(raw+commit)':>18}"
    )
    for n in sizes:
        f = run(n, url)
        (p1, raw1), (p12, raw12) = f[1], f[PERIODS]
        ratio = p12 / (raw12 + f["commit"])
        print(
            f"{n:>5} {p1:>8.1f}ms {p12:>8.1f}ms {p12 / p1:>7.2f} {raw1:>6.1f}ms "
            f"{raw12:>6.1f}ms {f['commit']:>5.1f}ms {ratio:>18.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
