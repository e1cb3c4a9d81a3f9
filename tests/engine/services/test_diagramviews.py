"""Where a run stands on its diagram: counts for the current period only (not every period
added up), one row per OPD of the per-OPD report, the timer an OPD waits on and its day,
and only what the viewer may see (a PJ Kinerja: their own OPD's row)."""

from __future__ import annotations

from datetime import date, timedelta

from engine.services import diagramviews, timers
from engine.services import tasks as task_service
from engine.services.diagramviews import STATE_DONE, STATE_OPEN, STATE_WAITING, Counts
from tests.support import (
    answers,
    complete_all,
    open_tasks,
    run_planning,
    run_rows,
    start_sop,
    user,
)

OPDS = ("DISDIKBUD", "DINKES", "DPUPR")  # the sample circular's participants (row 7)
FIRST_END, SECOND_END = date(2026, 1, 31), date(2026, 2, 28)


def view(session, username: str, instance_id: int):
    return diagramviews.describe_diagram(session, user(session, username), instance_id)


def complete_for(session, instance_id, element_id, opd, username, now):
    task = next(t for t in open_tasks(session, instance_id, element_id) if t.opd.code == opd)
    task_service.complete_task(session, user(session, username), task.id,
                               answers(task.form_key), now)


def to_period_one(session, now):
    instance = start_sop(session, now)
    run_planning(session, instance.id, now)
    complete_all(session, instance.id, "Task_10", now)
    return instance


def finish_period_one(session, instance, now):
    """Rows 11-17 of period 1 (decision b, next period ends 28 February); returns the time."""
    complete_all(session, instance.id, "Task_11", now)
    later = instance.next_due_at + timedelta(hours=2)
    assert timers.fire_instance_timers(session, instance.id, later) == len(OPDS)
    run_rows(session, instance.id, ("Task_12", "Task_13", "Task_14", "Task_15", "Task_16"),
             later)
    complete_all(session, instance.id, "Task_17", later, keputusan_periode="b",
                 akhir_periode=SECOND_END.isoformat())
    return later


def test_planning_counts_and_the_main_process_position(session, now):
    instance = start_sop(session, now)
    complete_all(session, instance.id, "Task_01", now)
    seen = view(session, "kepala", instance.id)
    assert seen.period_no == 0 and not seen.in_period and seen.opd_rows == ()
    assert seen.elements == {"Task_01": Counts(1, 0, 1, STATE_DONE),
                             "Task_02": Counts(0, 1, 1, STATE_OPEN)}
    assert seen.position == ("Task_02",)
    assert [(p.participant_id, p.state) for p in seen.processes] == [
        ("Participant_Main", STATE_OPEN), ("Participant_Periode", None), ("Participant_OPD", None)]


def test_period_two_counts_only_its_own_tasks_per_opd_and_the_timer_wait(session, now):
    instance = to_period_one(session, now)
    first = view(session, "kepala", instance.id)
    assert first.period_no == 1 and first.in_period and first.period_end == FIRST_END
    assert first.elements["Task_11"] == Counts(0, 3, 3, STATE_OPEN)

    later = finish_period_one(session, instance, now)
    complete_for(session, instance.id, "Task_11", "DINKES", "pj.dinkes", later)
    seen = view(session, "kepala", instance.id)

    assert seen.period_no == 2 and seen.in_period and seen.period_end == SECOND_END
    assert seen.elements["Task_11"] == Counts(1, 2, 3, STATE_OPEN)  # not 4/6 over two periods
    for earlier in ("Task_12", "Task_13", "Task_17"):  # period 1's, not this period's
        assert earlier not in seen.elements, earlier
    assert seen.elements["Task_10"] == Counts(3, 0, 3, STATE_DONE)  # planning's own round
    assert seen.elements["Call_OPD"] == Counts(0, 3, 3, STATE_OPEN)  # OPDs done / all
    assert seen.elements["Call_Periode"].state == STATE_OPEN
    assert seen.elements["Timer_12"].state == STATE_WAITING
    assert set(seen.position) == {"Call_Periode", "Call_OPD", "Task_11", "Timer_12"}
    assert [p.state for p in seen.processes] == [STATE_OPEN] * 3

    rows = {row.opd_code: row for row in seen.opd_rows}
    assert sorted(rows) == sorted(OPDS)
    assert rows["DINKES"].state == STATE_WAITING and rows["DINKES"].timer_id == "Timer_12"
    assert rows["DINKES"].waiting_until == SECOND_END
    assert {rows[c].state for c in ("DISDIKBUD", "DPUPR")} == {STATE_OPEN}
    assert rows["DPUPR"].task.element_id == "Task_11" and rows["DPUPR"].task.period_no == 2
    assert [(w.element_id, w.name, w.until, w.opd_count) for w in seen.waits] == [
        ("Timer_12", "Akhir periode pelaporan", SECOND_END, 1)]
    assert seen.period_call == "Call_Periode"
    assert seen.calls == {"Call_Periode": "Participant_Periode", "Call_OPD": "Participant_OPD"}


def test_opds_finish_one_by_one_and_the_period_closes(session, now):
    instance = to_period_one(session, now)
    complete_all(session, instance.id, "Task_11", now)
    waiting = view(session, "tim1", instance.id)
    assert [w.opd_count for w in waiting.waits] == [3] and waiting.opds_done == 0
    later = instance.next_due_at + timedelta(hours=2)
    timers.fire_instance_timers(session, instance.id, later)
    complete_for(session, instance.id, "Task_12", "DPUPR", "pj.dpupr", later)
    complete_for(session, instance.id, "Task_12", "DINKES", "pj.dinkes", later)

    seen = view(session, "tim1", instance.id)
    assert seen.waits == () and "Timer_12" not in seen.elements
    assert seen.elements["Call_OPD"] == Counts(2, 1, 3, STATE_OPEN) and seen.opds_done == 2
    assert seen.elements["Task_12"] == Counts(2, 1, 3, STATE_OPEN)
    assert {r.opd_code: r.state for r in seen.opd_rows} == {
        "DISDIKBUD": STATE_OPEN, "DINKES": STATE_DONE, "DPUPR": STATE_DONE}

    complete_for(session, instance.id, "Task_12", "DISDIKBUD", "pj.disdikbud", later)
    run_rows(session, instance.id, ("Task_13", "Task_14", "Task_15", "Task_16"), later)
    complete_all(session, instance.id, "Task_17", later, keputusan_periode="a",
                 rekomendasi_disetujui="Perkuat reviu HPS", akhir_periode=SECOND_END.isoformat())
    closed = view(session, "tim1", instance.id)  # row 17a, between periods
    assert not closed.in_period and closed.period_no == 1
    assert closed.elements["Call_Periode"].state == STATE_DONE
    assert closed.elements["Call_OPD"] == Counts(3, 0, 3, STATE_DONE)
    assert closed.position == ("Task_17a",)


def test_a_pj_counts_only_their_own_opd(session, now):
    instance = to_period_one(session, now)
    complete_for(session, instance.id, "Task_11", "DINKES", "pj.dinkes", now)
    seen = view(session, "pj.dpupr", instance.id)
    assert [row.opd_code for row in seen.opd_rows] == ["DPUPR"]
    assert seen.elements["Call_OPD"] == Counts(0, 1, 1, STATE_OPEN)
    assert seen.elements["Task_11"] == Counts(0, 1, 1, STATE_OPEN)
    assert seen.waits == () and "Timer_12" not in seen.elements  # DINKES waits, unseen here
    assert seen.elements["Task_10"] == Counts(1, 0, 1, STATE_DONE)
    assert seen.elements["Task_01"] == Counts(1, 0, 1, STATE_DONE)  # shared steps


def test_the_outline_is_read_once_per_version(session, now):
    instance = start_sop(session, now)
    outline = diagramviews.outline_of(session, instance.version)
    assert diagramviews.outline_of(session, instance.version) is outline
    assert outline.main_process_id == "sop_pengelolaan_kinerja"
    assert outline.calls == {"Call_Periode": "periode_pelaporan", "Call_OPD": "laporan_opd"}
    assert outline.multi_calls == {"Call_OPD"}
    assert outline.timer_after == {"Task_11": "Timer_12"}
    assert outline.process_of["Task_13"] == "periode_pelaporan"
