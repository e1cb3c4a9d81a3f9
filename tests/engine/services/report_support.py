"""A run through two reported periods and a third not yet reported, for the period report's
service, page, API and file tests: the demo catalogue planned at rows 1-9, two OPDs
(DINKES, DPUPR) reporting the figures of achievement_support.REPORTS at row 12, DPUPR three
days late in period 2, and rows 13-17 of each period with an analysis of their own."""

from __future__ import annotations

from datetime import timedelta

from engine.models import ProcessInstance
from engine.services import tasks as task_service
from engine.services import timers
from tests.engine.services.achievement_support import REPORTS, plan
from tests.support import actor_for, answers, complete_all, open_tasks, run_rows

ANALYSIS = {
    1: {"metode_analisis": "Analisis kesenjangan", "analisis": "Efisiensi di bawah target",
        "rekomendasi": [{"kode_indikator": "IKU-01", "rekomendasi": "Perkuat reviu HPS"}]},
    2: {"metode_analisis": "Analisis tren", "analisis": "Waktu proses memburuk",
        "rekomendasi": [{"kode_indikator": "IKU-03", "rekomendasi": "Percepat evaluasi"}]},
}
LATE_DAYS = {2: {"DPUPR": 3}}  # period -> OPD -> calendar days after the others


def report_rows_11_12(session, instance, period_no, now):
    """Rows 11 and 12 of one period; returns when the on-time OPDs reported."""
    run_rows(session, instance.id, ["Task_11"], now)
    later = instance.next_due_at + timedelta(hours=2)
    assert timers.fire_instance_timers(session, instance.id, later) == 2
    for task in open_tasks(session, instance.id, "Task_12"):
        data = answers("laporan-realisasi")
        data["laporan"]["realisasi"] = REPORTS[period_no][task.opd.code]
        when = later + timedelta(days=LATE_DAYS.get(period_no, {}).get(task.opd.code, 0))
        task_service.complete_task(session, actor_for(session, task), task.id, data, when)
    return later + timedelta(days=3)


def close_period(session, instance, period_no, now, next_end):
    """Rows 13-17 of the period, the meeting choosing (b): the next period ends `next_end`."""
    run_rows(session, instance.id, ["Task_13"], now)
    complete_all(session, instance.id, "Task_14", now, **ANALYSIS[period_no])
    complete_all(session, instance.id, "Task_15", now, jenis_laporan="triwulanan",
                 judul_laporan=f"Laporan Triwulan {'I' * period_no}")
    run_rows(session, instance.id, ["Task_16"], now)
    complete_all(session, instance.id, "Task_17", now, keputusan_periode="b",
                 catatan_rapat=f"Rapat periode {period_no}", akhir_periode=next_end)


def two_period_run(session, now) -> ProcessInstance:
    """Periods 1 and 2 reported and closed; period 3 open, row 11 done, row 12 not yet."""
    from tests.support import start_sop

    instance = start_sop(session, now)
    plan(session, instance.id, now)
    moment = report_rows_11_12(session, instance, 1, now)
    close_period(session, instance, 1, moment, "2026-06-30")
    moment = report_rows_11_12(session, instance, 2, moment)
    close_period(session, instance, 2, moment, "2026-09-30")
    run_rows(session, instance.id, ["Task_11"], moment)
    assert instance.period_no == 3
    return instance
