"""The period report of a large run: 50 OPDs x 10 indicators x 12 monthly periods.

One run is driven through the real services (engine.services.tasks and the timer jobs):
rows 1-10 with the demo catalogue's ten indicators made monthly, then twelve periods, each
with every OPD's rows 11 and 12 (one report line per indicator, with numerator and
denominator for the ratio indicators), rows 13-16 and row 17 choosing (b) with the next
month's end. Then, over the same database (SQLite by default, PostgreSQL when
BENCH_DATABASE_URL is set), it times engine.services.reports.period_report for the last
period (goal: under 200 ms) and its PDF and XLSX (report plus file; PDF goal: under 2 s),
as the Tim sees them (the report is the overseers'), and counts the statements a report
runs.

It prints the median of REPEAT calls of each, in milliseconds.
Usage: python bench/report_period.py [N_OPDS] [N_PERIODS]
"""

from __future__ import annotations

import calendar
import json
import os
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from scenarios import (
    ROOT,
    T0,
    DbMeter,
    answers,
    complete,
    complete_row,
    fresh_database,
    make_factory,
    median_ms,
    open_ids,
    seed,
)
from sqlalchemy import select

from engine.db import make_engine, read_only, unit_of_work
from engine.models import HumanTask, Opd, ProcessInstance, User
from engine.services import instances, jobs, reportfiles, reports

REPEAT = 7
ZONE = ZoneInfo("Asia/Jakarta")
CATALOGUE_FILE = ROOT / "forms" / "samples" / "indikator-ukpbj.json"
RATIO = "rasio"


def catalogue() -> tuple[list[dict], dict]:
    """The demo catalogue's ten indicators, every one reported monthly, and its targets."""
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    planned = [{**row, "frekuensi": "bulanan"}
               for row in data["perencanaan-indikator"]["indikator"]]
    return planned, {**data["perencanaan-target"], "target_periode": []}


def month_end(year: int, month: int) -> str:
    return date(year, month, calendar.monthrange(year, month)[1]).isoformat()


def report_lines(planned: list[dict], opd_index: int, period_no: int) -> list[dict]:
    """One line per indicator, values varying by OPD and period (deterministic)."""
    lines = []
    for k, row in enumerate(planned):
        value = 50 + (opd_index * 7 + period_no * 3 + k * 11) % 50
        line = {"kode_indikator": row["kode"], "nilai": value, "kode_rup": None,
                "keterangan": None, "pembilang": None, "penyebut": None}
        if row.get("agregasi") == RATIO:
            line.update(pembilang=value * 10, penyebut=1000)
        lines.append(line)
    return lines


def plan_run(factory, codes: list[str], planned: list[dict], targets: dict) -> int:
    """A run with rows 1-10 done: ten monthly indicators, every OPD invited."""
    with unit_of_work(factory) as session:
        tim = session.scalars(select(User).where(User.username == "tim1")).one()
        instance = instances.start_instance(session, tim, "sop_pengelolaan_kinerja",
                                            answers("mulai-pelaksanaan"), T0)
        session.commit()
    given = {
        "Task_02": {"indikator": planned},
        "Task_03": targets,
        "Task_07": {"opd_peserta": codes},
        "Task_09": {"frekuensi_pelaporan": "bulanan", "akhir_periode": month_end(2026, 1)},
    }
    for row in range(1, 11):
        element_id = f"Task_{row:02d}"
        complete_row(factory, instance.id, element_id, T0, **given.get(element_id, {}))
    return instance.id


def run_period(factory, instance_id: int, codes: list[str], planned: list[dict],
               period_no: int, now: datetime, last: bool) -> datetime:
    """Rows 11-17 of one period; returns the moment after it."""
    complete_row(factory, instance_id, "Task_11", now)
    with read_only(factory) as session:
        due = session.get(ProcessInstance, instance_id).next_due_at
    later = due + timedelta(hours=1)
    jobs.run_due_jobs(factory, lambda: later)
    index = {code: i for i, code in enumerate(codes)}
    open_12 = open_ids(factory, instance_id, "Task_12")
    with read_only(factory) as session:
        opd_of = dict(session.execute(
            select(HumanTask.id, HumanTask.opd_id).where(HumanTask.id.in_(open_12))).all())
        code_of = dict(session.execute(select(Opd.id, Opd.code)).all())
    for task_id, opd_id in opd_of.items():
        data = answers("laporan-realisasi")
        data["laporan"]["realisasi"] = report_lines(planned, index[code_of[opd_id]], period_no)
        complete(factory, task_id, data, later)
    for element_id in ("Task_13", "Task_14", "Task_15", "Task_16"):
        complete_row(factory, instance_id, element_id, later)
    if not last:
        end = later.astimezone(ZONE).date()
        month = end.month % 12 + 1
        complete_row(factory, instance_id, "Task_17", later, keputusan_periode="b",
                     akhir_periode=month_end(end.year + (end.month == 12), month))
    return later + timedelta(hours=2)


def timed(call) -> float:
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return median_ms(samples)


def measure(factory, engine, instance_id: int, period_no: int, now: datetime) -> dict:
    meter = DbMeter(engine)

    def report_as(username: str):
        with read_only(factory) as session:
            person = session.scalars(select(User).where(User.username == username)).one()
            meter.reset()
            return reports.period_report(session, person, instance_id, period_no, now)

    def file_as(username: str, kind: str):
        return reportfiles.write_report(report_as(username), kind, now, ZONE)

    figures = {
        "period report, Tim (goal < 200 ms)": timed(lambda: report_as("tim1")),
    }
    report_as("tim1")
    statements = meter.statements
    figures["report + PDF, Tim (goal < 2000 ms)"] = timed(lambda: file_as("tim1", "pdf"))
    figures["report + XLSX, Tim"] = timed(lambda: file_as("tim1", "xlsx"))
    return {"figures": figures, "statements": statements,
            "pdf_bytes": len(file_as("tim1", "pdf"))}


def main() -> None:
    n_opds = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    n_periods = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    url = fresh_database(os.environ.get("BENCH_DATABASE_URL"), "report-period")
    engine = make_engine(url)
    factory = make_factory(engine)
    codes = seed(factory, n_opds)
    planned, targets = catalogue()
    started = time.perf_counter()
    instance_id = plan_run(factory, codes, planned, targets)
    now = T0
    for period_no in range(1, n_periods + 1):
        now = run_period(factory, instance_id, codes, planned, period_no, now,
                         last=period_no == n_periods)
    built = time.perf_counter() - started
    found = measure(factory, engine, instance_id, n_periods, now)
    print(f"period report: {n_opds} OPDs x {len(planned)} indicators x {n_periods} periods "
          f"({'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}; run built through "
          f"the services in {built:.0f} s), median of {REPEAT}, ms")
    for name, value in found["figures"].items():
        print(f"  {name:45s} {value:8.1f}")
    print(f"  statements per report: {found['statements']}; PDF {found['pdf_bytes']:,} bytes")
    engine.dispose()


if __name__ == "__main__":
    main()
