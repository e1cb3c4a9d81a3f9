"""How long an auditor waits for a run's history: the replay at 1,000 and 10,000 events.

Two runs of the real SOP are driven through the services on a fresh database (SQLite by
default, PostgreSQL when BENCH_DATABASE_URL is set), each with N OPDs (default 20) and as
many weekly reporting periods (rows 11-17, decision (b) at row 17, row 12 opened by its
timer) as it takes to pass 1,000 and 10,000 events. Then, each in a read transaction of
its own as a request has it, the median of REPEAT runs of:

- reading the run's event rows alone (the baseline: the one query the history makes);
- engine.services.replay.history_of, the whole page data (and with its JSON encoding);
- engine.services.replay.history_until for k in the middle (and for the last event).

Goals: the whole history under 150 ms at 1,000 events and linear (10x the events in at
most 12x the time); until=k under 50 ms. Then, when their modules exist, verification
(bench/verify_part.py, goal >= 50,000 events/s) and the heatmap over 500 runs
(bench/heatmap_part.py).
Usage: python bench/replay.py [N_OPDS]
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from scenarios import (
    T0,
    complete_row,
    fresh_database,
    make_factory,
    median_ms,
    seed,
    start_through_row10,
)
from sqlalchemy import select

from engine.db import make_engine, read_only, unit_of_work
from engine.models import ProcessInstance, User
from engine.runtime import runtime_of
from engine.services import replay, timers

REPEAT = 7
SIZES = (1_000, 10_000)
PERIOD_DAYS = 7
REPORTING = ("Task_12", "Task_13", "Task_14", "Task_15", "Task_16")
GOAL_WHOLE_MS, GOAL_UNTIL_MS, GOAL_RATIO = 150, 50, 12


# ---- building the runs ---------------------------------------------------------------------


def event_count(factory, instance_id: int) -> int:
    with read_only(factory) as session:
        return session.get(ProcessInstance, instance_id).event_count


def run_period(factory, instance_id: int, now):
    """Rows 11-17 of one period, row 12 opened by its timer; the next period ends a week
    after this one's end. Returns the moment the period was reported."""
    complete_row(factory, instance_id, "Task_11", now)
    with read_only(factory) as session:
        due = session.get(ProcessInstance, instance_id).next_due_at
    later = due + timedelta(hours=1)
    with unit_of_work(factory) as session:
        timers.fire_instance_timers(session, instance_id, later)
        session.commit()
    for element_id in REPORTING:
        complete_row(factory, instance_id, element_id, later)
    next_end = (due + timedelta(days=PERIOD_DAYS, hours=12)).date().isoformat()
    complete_row(factory, instance_id, "Task_17", later, keputusan_periode="b",
                 akhir_periode=next_end)
    return later


def build_run(factory, codes: list[str], n_events: int) -> tuple[int, int, float]:
    """A run driven period by period until it has at least `n_events` events; its id, its
    events and the seconds the driving took."""
    started = time.perf_counter()
    instance_id, now, periods = start_through_row10(factory, codes, T0), T0, 0
    while event_count(factory, instance_id) < n_events:
        now = run_period(factory, instance_id, now)
        periods += 1
    seconds = time.perf_counter() - started
    count = event_count(factory, instance_id)
    print(f"  built a run of {count:,} events ({periods} periods, {len(codes)} OPDs) "
          f"through the services in {seconds:.1f} s")
    return instance_id, count, seconds


# ---- measuring -----------------------------------------------------------------------------


def timed(factory, work, *, cold: int | None = None) -> tuple[float, float]:
    """Median wall and CPU milliseconds of `work(session)` over REPEAT read transactions
    (one per request). The CPU time is this process's alone: on a shared machine it shows
    what the wall time would be without the neighbours (on SQLite it includes the
    database's work, which runs in this process; on PostgreSQL it does not).

    `cold`: the run whose decoded log is dropped from the runtime's cache before each
    repetition (the first request after a new event); otherwise later repetitions find it
    there, as an auditor stepping through a run does."""
    wall, cpu = [], []
    for _ in range(REPEAT):
        with read_only(factory) as session:
            if cold is not None:
                instance = session.get(ProcessInstance, cold)
                runtime_of(session).histories.pop(replay.log_key(instance))
            started, started_cpu = time.perf_counter(), time.process_time()
            work(session)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    return median_ms(wall), median_ms(cpu)


def measure(factory, instance_id: int, n: int) -> dict:
    with read_only(factory) as session:
        auditor = session.scalars(select(User).where(User.username == "auditor")).one()
        now = session.get(ProcessInstance, instance_id).updated_at + timedelta(days=1)
        replay.history_of(session, auditor, instance_id, now)  # the version's caches, once
    mid = n // 2
    return {
        "n": n, "mid": mid,
        "rows": timed(factory, lambda s: replay.read_rows(s, instance_id)),
        "whole": timed(factory, lambda s: replay.history_of(s, auditor, instance_id, now)),
        "whole_json": timed(factory, lambda s: json.dumps(
            replay.history_of(s, auditor, instance_id, now))),
        "until_mid": timed(factory, lambda s: replay.history_until(s, auditor, instance_id,
                                                                   mid, now)),
        "until_mid_cold": timed(factory, lambda s: replay.history_until(
            s, auditor, instance_id, mid, now), cold=instance_id),
        "whole_cold": timed(factory, lambda s: replay.history_of(s, auditor, instance_id, now),
                            cold=instance_id),
        "until_last": timed(factory, lambda s: replay.history_until(s, auditor, instance_id,
                                                                    n, now)),
    }


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def shown(figure: tuple[float, float]) -> str:
    return f"{figure[0]:7.1f} ms (cpu {figure[1]:6.1f})"


def report(sizes: list[dict]) -> None:
    print(f"\nreplay, server time, median of {REPEAT} (load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores):")
    for f in sizes:
        print(f"  {f['n']:>6,} events:")
        print(f"    event rows alone (baseline) {shown(f['rows'])}")
        print(f"    whole history, first request {shown(f['whole_cold'])}   again "
              f"{shown(f['whole'])}   with JSON encoding {shown(f['whole_json'])}")
        print(f"    until={f['mid']:<6,} first request {shown(f['until_mid_cold'])}   again "
              f"{shown(f['until_mid'])}   until={f['n']:,} (last) {shown(f['until_last'])}")
    small, large = sizes
    events = large["n"] / small["n"]
    whole, rows = (large[key][0] / small[key][0] for key in ("whole_cold", "rows"))
    cpu = large["whole_cold"][1] / small["whole_cold"][1]
    print("  goals (first request: the run's log read and decoded afresh):")
    print(f"    whole history at {small['n']:,} events < {GOAL_WHOLE_MS} ms: "
          f"{small['whole_cold'][0]:.1f} ms {verdict(small['whole_cold'][0] < GOAL_WHOLE_MS)}")
    print(f"    linear: {events:.1f}x the events in <= {GOAL_RATIO}x the time: whole history "
          f"{whole:.1f}x (cpu {cpu:.1f}x) {verdict(whole <= GOAL_RATIO)}; "
          f"event rows alone {rows:.1f}x")
    for f in sizes:
        cold, warm = f["until_mid_cold"][0], f["until_mid"][0]
        print(f"    until=k (middle) at {f['n']:,} events < {GOAL_UNTIL_MS} ms: first request "
              f"{cold:.1f} ms {verdict(cold < GOAL_UNTIL_MS)}, stepping on "
              f"{warm:.1f} ms {verdict(warm < GOAL_UNTIL_MS)}")


# ---- the other audit figures ---------------------------------------------------------------


def other_parts(factory, large_id: int) -> None:
    """Verification and the heatmap, measured by their own modules when they exist."""
    verify = _part("verify_part", "measure_verify")
    if verify is not None:
        figure = verify(factory, large_id)
        print(f"\nverify: {figure['events']:,} events in {figure['seconds'] * 1000:.0f} ms = "
              f"{figure['events_per_second']:,.0f} events/s (goal >= 50,000) "
              f"{verdict(figure['events_per_second'] >= 50_000)}")
    heatmap = _part("heatmap_part", "measure_heatmap")
    if heatmap is not None:
        figure = heatmap(factory)
        print(f"\nheatmap over {figure['runs']} runs ({figure['passes']:,} passes; "
              f"{figure['runs_inserted_directly']} runs inserted directly): whole version "
              f"{figure['whole_ms']:.1f} ms (goal < {figure['goal_ms']} ms) "
              f"{verdict(figure['whole_ms'] < figure['goal_ms'])}; one OPD "
              f"{figure['one_opd_ms']:.1f} ms; one period {figure['one_period_ms']:.1f} ms")


def _part(module: str, function: str):
    try:
        return getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        print(f"\n(bench/{module}.py with {function} is not there yet: skipped)")
        return None


def main(n_opds: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="alur-bench-replay-"))
    os.environ.setdefault("ALUR_SIGNING_KEY_FILE", str(folder / "signing-key.pem"))
    url = fresh_database(os.environ.get("BENCH_DATABASE_URL"), "replay")
    engine = make_engine(url)
    factory = make_factory(engine, upload_dir=folder / "uploads")
    codes = seed(factory, n_opds)
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"replay benchmark on {backend}:")
    runs = {size: build_run(factory, codes, size) for size in SIZES}
    report([measure(factory, run[0], run[1]) for run in runs.values()])
    other_parts(factory, runs[SIZES[1]][0])
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
