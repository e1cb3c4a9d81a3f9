"""How long an auditor waits for a version's heatmap over 500 runs (goal: well under 1 s).

`measure_heatmap(factory, version_id=None)` times engine.services.heatmap.heatmap_of for an
auditor, each call in a read transaction of its own as a request has it (median of REPEAT):
the whole version, one OPD, one period. Without a version id it takes the SOP's newest
version and, when that has fewer than N_RUNS runs, first adds runs until it has them
(bench/replay.py calls it so, over its own database).

The runs are made FAST, not through the engine: process_instances and human_tasks rows are
inserted directly, shaped like real runs of the SOP (rows 1-9, row 10 and rows 11-12 per
OPD, rows 13-17 per period, 1 to MAX_PERIODS periods, a revision at row 6 in one run of
five, durations spread around each row's Waktu over the real holiday calendar, the newest
period of one run in three still open). The heatmap reads only that table, so what it
measures is the same; the output says so.
Usage: python bench/heatmap_part.py [N_RUNS] [N_OPDS]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path

from scenarios import fresh_database, make_factory, seed
from sqlalchemy import func, insert, select

from engine.calendar import add_working_days
from engine.db import make_engine, read_only, unit_of_work
from engine.models import (
    Definition,
    DefinitionVersion,
    Holiday,
    HumanTask,
    Opd,
    ProcessInstance,
    User,
    UserRole,
)
from engine.models.tasks import TASK_COMPLETED, TASK_OPEN
from engine.services import heatmap, versions

N_RUNS = 500
N_OPDS = 10
MAX_PERIODS = 3
REPEAT = 7
GOAL_MS = 1000
SOP_KEY = "sop_pengelolaan_kinerja"
PLANNING = tuple(f"Task_{row:02d}" for row in range(1, 10))
REVISED = PLANNING[:6]  # a revision at row 6 repeats rows 1-6
PER_OPD = ("Task_11", "Task_12")
REPORTING = ("Task_13", "Task_14", "Task_15", "Task_16", "Task_17")
WIB = 2  # 09:00 WIB is 02:00 UTC


# ---- measuring ---------------------------------------------------------------------------


def measure_heatmap(factory, version_id: int | None = None) -> dict:
    """Median milliseconds of the heatmap: whole, for one OPD, for one period."""
    inserted = 0
    if version_id is None:
        version_id = newest_version(factory)
        inserted = top_up(factory, version_id, N_RUNS)
    with read_only(factory) as session:
        auditor = session.scalars(select(User).join(UserRole).where(
            UserRole.role == "auditor")).first()
        auditor_id = auditor.id
        runs = session.scalar(select(func.count()).select_from(ProcessInstance)
                              .where(ProcessInstance.version_id == version_id))
        passes = session.scalar(select(func.count()).select_from(HumanTask)
                                .join(ProcessInstance)
                                .where(ProcessInstance.version_id == version_id))
        first = heatmap.heatmap_of(session, auditor, version_id, datetime.now(UTC))
    opd = first["opds"][0]["code"] if first["opds"] else None
    period = first["periods"][-1] if first["periods"] else None
    whole = _median_ms(factory, auditor_id, version_id)
    return {
        "runs": runs,
        "passes": passes,
        "runs_inserted_directly": inserted,
        "whole_ms": whole[0],
        "whole_cpu_ms": whole[1],
        "one_opd_ms": _median_ms(factory, auditor_id, version_id, opd_code=opd)[0],
        "one_period_ms": _median_ms(factory, auditor_id, version_id, period_no=period)[0],
        "goal_ms": GOAL_MS,
    }


def _median_ms(factory, auditor_id: int, version_id: int, **filters) -> tuple[float, float]:
    """Median wall and CPU milliseconds (the CPU time shows the cost on a busy machine)."""
    wall, cpu = [], []
    for _ in range(REPEAT):
        with read_only(factory) as session:
            started, started_cpu = time.perf_counter(), time.process_time()
            auditor = session.get(User, auditor_id)
            heatmap.heatmap_of(session, auditor, version_id, datetime.now(UTC), **filters)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    return round(statistics.median(wall) * 1000, 1), round(statistics.median(cpu) * 1000, 1)


def newest_version(factory) -> int:
    with read_only(factory) as session:
        return session.scalar(
            select(DefinitionVersion.id).join(Definition).where(Definition.key == SOP_KEY)
            .order_by(DefinitionVersion.version.desc()).limit(1))


# ---- the runs, inserted directly -----------------------------------------------------------


class RunMaker:
    """Rows of runs shaped like the SOP's, on the version's own activity metadata."""

    def __init__(self, session, version_id: int, opd_ids: list[int], rng: random.Random):
        version = session.get(DefinitionVersion, version_id)
        self.version_id, self.opd_ids, self.rng = version_id, opd_ids, rng
        self.activities = versions.content_of(session, version).activities
        self.holidays = frozenset(session.scalars(select(Holiday.on)))
        self.rows: list[dict] = []
        self.group_due: dict[str, date] = {}  # a deadline group's due date, in this run

    def due_on(self, info: dict, opened: date) -> date:
        """The row's Waktu from its opening, or its deadline group's shared due date."""
        group = info.get("deadline_group")
        if group and not info.get("deadline_group_entry") and group in self.group_due:
            return self.group_due[group]
        due = self.day_after(opened, info["waktu_hari_kerja"])
        if group:
            self.group_due[group] = due
        return due

    def day_after(self, start: date, days: int) -> date:
        return add_working_days(start, days, self.holidays)

    def duration(self, waktu: int) -> int:
        """Mostly within the Waktu, sometimes well over it."""
        return max(0, round(self.rng.lognormvariate(0, 0.6) * waktu * 0.7))

    def task(self, instance_id: int, element_id: str, opened: date, period_no: int,
             opd_id: int | None = None, *, open_: bool = False) -> date:
        """One pass; returns the day it ended (or was opened, while open)."""
        info = self.activities[element_id]
        waktu = info["waktu_hari_kerja"]
        ended = self.day_after(opened, self.duration(waktu))
        self.rows.append({
            "instance_id": instance_id, "spiff_task_id": str(uuid.uuid4()),
            "element_id": element_id, "name": info["name"], "lane": info["lane"],
            "role": info["role"], "opd_id": opd_id, "form_key": info["form_key"],
            "sop_step": info["sop_step"], "period_no": period_no,
            "state": TASK_OPEN if open_ else TASK_COMPLETED,
            "created_at": moment(opened), "due_on": self.due_on(info, opened),
            "completed_at": None if open_ else moment(ended),
        })
        return opened if open_ else ended

    def run(self, instance_id: int, start: date) -> None:
        day, self.group_due = start, {}
        rows = PLANNING[:6] + REVISED + PLANNING[6:] if self.rng.random() < 0.2 else PLANNING
        for element_id in rows:
            day = self.task(instance_id, element_id, day, 0)
        day = max(self.task(instance_id, "Task_10", day, 0, opd) for opd in self.opd_ids)
        periods = self.rng.randint(1, MAX_PERIODS)
        for period_no in range(1, periods + 1):
            unfinished = period_no == periods and self.rng.random() < 1 / 3
            day = self.period(instance_id, day, period_no, unfinished)

    def period(self, instance_id: int, day: date, period_no: int, unfinished: bool) -> date:
        ends = []
        for opd in self.opd_ids:
            opened = self.task(instance_id, "Task_11", day, period_no, opd)
            ends.append(self.task(instance_id, "Task_12", opened, period_no, opd,
                                  open_=unfinished and self.rng.random() < 0.5))
        if unfinished:
            return day
        day = max(ends)
        for element_id in REPORTING:
            day = self.task(instance_id, element_id, day, period_no)
        return day


def moment(day: date) -> datetime:
    return datetime.combine(day, clock(WIB), tzinfo=UTC)


def top_up(factory, version_id: int, wanted: int, n_opds: int = N_OPDS) -> int:
    """Add runs (rows inserted directly) until the version has `wanted`; how many added."""
    with unit_of_work(factory) as session:
        have = session.scalar(select(func.count()).select_from(ProcessInstance)
                              .where(ProcessInstance.version_id == version_id))
        missing = max(wanted - have, 0)
        if missing:
            opd_ids = list(session.scalars(select(Opd.id).order_by(Opd.id).limit(n_opds)))
            maker = RunMaker(session, version_id, opd_ids, random.Random(10))
            for n in range(missing):
                start = maker.day_after(date(2025, 1, 2), n % 250)
                instance_id = session.scalar(insert(ProcessInstance).values(
                    registration_no=f"BENCH-HM-{uuid.uuid4().hex[:12]}",
                    title=f"Pelaksanaan uji {n + 1}", version_id=version_id,
                    started_at=moment(start), updated_at=moment(start), period_no=0, data={},
                ).returning(ProcessInstance.id))
                maker.run(instance_id, start)
            session.execute(insert(HumanTask), maker.rows)
        session.commit()
    return missing


def main(n_runs: int, n_opds: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="alur-bench-heatmap-"))
    os.environ.setdefault("ALUR_SIGNING_KEY_FILE", str(folder / "signing-key.pem"))
    url = fresh_database(os.environ.get("BENCH_DATABASE_URL"), "heatmap")
    engine = make_engine(url)
    factory = make_factory(engine)
    seed(factory, n_opds)
    version_id = newest_version(factory)
    started = time.perf_counter()
    top_up(factory, version_id, n_runs, n_opds)
    built = time.perf_counter() - started
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    figures = measure_heatmap(factory, version_id)
    print(f"heatmap benchmark on {backend}: {figures['runs']} runs, {figures['passes']:,} "
          f"passes ({n_opds} OPDs, 1-{MAX_PERIODS} periods), made in {built:.1f} s by "
          "inserting process_instances and human_tasks rows directly (not through the engine)")
    verdict = "OK" if figures["whole_ms"] < GOAL_MS else "SLOW"
    print(f"  whole version: {figures['whole_ms']:.1f} ms, {figures['whole_cpu_ms']:.1f} ms of "
          f"CPU (goal < {GOAL_MS}) {verdict}")
    print(f"  one OPD: {figures['one_opd_ms']:.1f} ms; one period: "
          f"{figures['one_period_ms']:.1f} ms (median of {REPEAT}, each in its own read "
          "transaction)")
    engine.dispose()


if __name__ == "__main__":
    args = [int(arg) for arg in sys.argv[1:3]]
    main(*(args + [N_RUNS, N_OPDS][len(args):]))
