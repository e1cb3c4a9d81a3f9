"""Row 13's achievements through the services: the demo catalogue planned at rows 1-3,
two OPDs reporting over two quarterly periods at row 12, and the figures row 13 shows
checked against values computed by hand (kumulatif sums across periods, ratios of sums
across OPDs, nilai terakhir, the target of each period, the trend)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from engine.services import tasks as task_service
from engine.services import timers
from tests.engine.services.achievement_support import REPORTS, plan, report_period
from tests.support import actor_for, answers, complete_all, open_tasks, run_rows, start_sop


def test_row_13_over_two_periods_and_two_opds(session, now):
    instance = start_sop(session, now)
    plan(session, instance.id, now)
    first, later = report_period(session, instance, 1, now)
    check_first_period(rows_of(first))
    run_rows(session, instance.id, ["Task_13", "Task_14", "Task_15", "Task_16"], later)
    complete_all(session, instance.id, "Task_17", later, keputusan_periode="b",
                 akhir_periode="2026-06-30")
    assert instance.period_no == 2
    second, _ = report_period(session, instance, 2, later)
    check_second_period(rows_of(second))


def rows_of(task):
    return {row["kode"]: row for row in task.context["capaian"]}


def figures(row):
    return row["label_periode"], row["target"], row["realisasi"], row["capaian"]


def check_first_period(rows):
    # IKU-01 efisiensi, kumulatif rasio: 250 jt / 4.000 jt = 6.25 % of 10 (not the mean 7.5)
    assert figures(rows["IKU-01"]) == ("Triwulan I", 10.0, 6.25, 62.5)
    assert per_opd(rows["IKU-01"]) == {"DINKES": (10.0, 100.0), "DPUPR": (5.0, 50.0)}
    # IKU-02 tender gagal, minimal: 1 / 15 = 6.67 %; (2 - 6.666.../5) x 100
    assert figures(rows["IKU-02"]) == ("Triwulan I", 5.0, 6.67, 66.67)
    # IKU-03 waktu proses, minimal T/R, monthly: mean(36, 24) = 30 against 30
    assert figures(rows["IKU-03"]) == ("Maret", 30.0, 30.0, 100.0)
    # IKU-08 RUP terumumkan, monthly, nilai terakhir rasio: 3.500 / 4.000
    assert figures(rows["IKU-08"]) == ("Maret", 100.0, 87.5, 87.5)
    # IKU-11 kumulatif jumlah: 6 + 4 against 40 x 1/4
    assert figures(rows["IKU-11"]) == ("Triwulan I", 10.0, 10.0, 100.0)
    # not reported: no realisation, and the period's own target where one was given
    assert (rows["IKU-09"]["label_periode"], rows["IKU-09"]["target"],
            rows["IKU-09"]["status"]) == ("Semester I", 80.0, "tanpa_realisasi")
    assert rows["IKU-11"]["arah_tren"] is None  # one period only
    # IKU-04 tepat waktu: both OPDs 0 of 0 packages: a ratio that cannot be formed
    assert (rows["IKU-04"]["realisasi"], rows["IKU-04"]["capaian"], rows["IKU-04"]["status"]) == (
        None, None, "tidak_dapat_dihitung")


def check_second_period(rows):
    # IKU-01: (250 + 400 + 100) jt / (4.000 + 2.000 + 1.000) jt = 10.714... %
    assert figures(rows["IKU-01"]) == ("Triwulan II", 10.0, 10.71, 107.14)
    # each OPD's own year so far: DINKES 500 / 3.000 = 16.67 % (capped), DPUPR 250 / 4.000
    assert per_opd(rows["IKU-01"]) == {"DINKES": (16.67, 120.0), "DPUPR": (6.25, 62.5)}
    assert [(p["periode_no"], p["realisasi"]) for p in rows["IKU-01"]["tren"]] == [
        (1, 6.25), (2, 10.71)]
    assert rows["IKU-01"]["arah_tren"] == "naik"
    assert (rows["IKU-01"]["pembilang"], rows["IKU-01"]["penyebut"]) == (750e6, 7000e6)
    # IKU-02: 1 / 30 = 3.33 %: (2 - 0.666...) x 100 = 133.33, capped at 120
    assert figures(rows["IKU-02"]) == ("Triwulan II", 5.0, 3.33, 120.0)
    # IKU-03 periodik: this period only, mean(30, 40) = 35; 30 / 35 x 100
    assert figures(rows["IKU-03"]) == ("Juni", 30.0, 35.0, 85.71)
    assert rows["IKU-03"]["arah_tren"] == "turun"
    # IKU-08: DINKES's latest (800 / 1.000) with DPUPR's new 3.000 / 3.000
    assert figures(rows["IKU-08"]) == ("Juni", 100.0, 95.0, 95.0)
    # IKU-11: DINKES 6 + 12, DPUPR 4 + 1 = 23 against 40 x 2/4 = 20
    assert figures(rows["IKU-11"]) == ("Triwulan II", 20.0, 23.0, 115.0)
    shares = {o["opd"]: (o["realisasi"], o["kontribusi"]) for o in rows["IKU-11"]["per_opd"]}
    assert shares == {"DINKES": (18.0, 78.26), "DPUPR": (5.0, 21.74)}
    assert [(p["target"], p["capaian"]) for p in rows["IKU-11"]["tren"]] == [
        (10.0, 100.0), (20.0, 115.0)]
    assert rows["IKU-10"]["label_periode"] == "Tahunan" and rows["IKU-10"]["target"] == 3.0
    assert rows["IKU-04"]["status"] == "tidak_dapat_dihitung"  # still 0 of 0 so far


def per_opd(row):
    return {o["opd"]: (o["realisasi"], o["capaian"]) for o in row["per_opd"]}


def test_row_13_reads_the_runs_reports_in_one_query(session, now):
    """However many periods came before, the reports are one SELECT on the task table."""
    instance = start_sop(session, now)
    plan(session, instance.id, now)
    report_period(session, instance, 1, now)
    run_rows(session, instance.id, ["Task_13", "Task_14", "Task_15", "Task_16"], now)
    complete_all(session, instance.id, "Task_17", now, keputusan_periode="b",
                 akhir_periode="2026-06-30")
    run_rows(session, instance.id, ["Task_11"], now)
    later = instance.next_due_at + timedelta(hours=2)
    timers.fire_instance_timers(session, instance.id, later)
    tasks12 = open_tasks(session, instance.id, "Task_12")
    for task in tasks12[:-1]:
        complete_all_one(session, task, later)
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        complete_all_one(session, tasks12[-1], later)  # the last OPD: row 13 opens
    finally:
        event.remove(engine, "before_cursor_execute", record)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")
             and "human_tasks.period_no <=" in s]
    assert len(reads) == 1
    assert open_tasks(session, instance.id, "Task_13")[0].context["capaian"]


def complete_all_one(session, task, now):
    data = answers("laporan-realisasi")
    data["laporan"]["realisasi"] = REPORTS[2][task.opd.code]
    task_service.complete_task(session, actor_for(session, task), task.id, data, now)
