"""The overseers' dashboard through its service: three runs at different rows with several
OPDs, the clock moved past due dates (due soon and late per OPD, each OPD's row-12
discipline), the achievement series equal to what row 13 showed for the same run and
period, a PJ Kinerja refused, and a number of statements that does not grow with the runs
and OPDs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from engine.errors import InvalidInputError, PermissionDeniedError
from engine.models import HumanTask, ProcessInstance
from engine.services import dashboard, timers
from engine.services import tasks as task_service
from tests.engine.services.achievement_support import plan, report_period
from tests.support import (
    actor_for,
    answers,
    complete_all,
    open_tasks,
    run_planning,
    run_rows,
    start_sop,
    user,
)

ON_TIME, LATE, MISSING, PENDING = (dashboard.ON_TIME, dashboard.LATE, dashboard.MISSING,
                                   dashboard.PENDING)


@dataclass
class Scene:
    reported: ProcessInstance  # two periods reported, the third's row 12 open for 2 OPDs
    fresh: ProcessInstance     # row 1 open
    mapping: ProcessInstance   # row 10 open for the 3 OPDs of the sample answers
    row13: dict[int, HumanTask]  # period -> row 13's task of `reported`
    fired: datetime            # when period 3's row 12 opened
    due: date                  # its due date


def wib(day: date, hour: int) -> datetime:
    """`hour` o'clock in Jakarta on `day`, as UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=7)


def next_period(session, instance, moment, end: str) -> datetime:
    """Rows 13-17 (continue with a new period ending `end`), row 11, then the period's
    timer: returns when the OPDs' row 12 opened."""
    run_rows(session, instance.id, ["Task_13", "Task_14", "Task_15", "Task_16"], moment)
    complete_all(session, instance.id, "Task_17", moment, keputusan_periode="b",
                 akhir_periode=end)
    run_rows(session, instance.id, ["Task_11"], moment)
    fired = instance.next_due_at + timedelta(hours=2)
    assert timers.fire_instance_timers(session, instance.id, fired) == 2
    return fired


@pytest.fixture()
def scene(session, now) -> Scene:
    reported = start_sop(session, now)
    plan(session, reported.id, now)
    first, later = report_period(session, reported, 1, now)
    run_rows(session, reported.id, ["Task_13", "Task_14", "Task_15", "Task_16"], later)
    complete_all(session, reported.id, "Task_17", later, keputusan_periode="b",
                 akhir_periode="2026-06-30")
    second, later = report_period(session, reported, 2, later)
    fired = next_period(session, reported, later, "2026-09-30")
    fresh = start_sop(session, now)
    mapping = start_sop(session, now)
    run_planning(session, mapping.id, now)
    [due] = {task.due_on for task in open_tasks(session, reported.id, "Task_12")}
    return Scene(reported, fresh, mapping, {1: first, 2: second}, fired, due)


def overseer(session, name="kepala"):
    return user(session, name)


def send_report(session, instance, opd_code, moment):
    [task] = [t for t in open_tasks(session, instance.id, "Task_12") if t.opd.code == opd_code]
    task_service.complete_task(session, actor_for(session, task), task.id,
                               answers("laporan-realisasi"), moment)


# ---- (a) runs in progress -------------------------------------------------------------------

def test_each_running_run_with_its_open_rows_next_due_date_and_late_tasks(session, scene):
    runs = {run.id: run for run in
            dashboard.list_runs_in_progress(session, overseer(session), scene.fired)}
    reported = runs[scene.reported.id]
    assert (reported.registration_no, reported.period_no) == (scene.reported.registration_no, 3)
    assert [(r.sop_step, r.tasks, r.opds) for r in reported.rows] == [("12", 2, 2)]
    assert (reported.next_due_on, reported.late) == (scene.due, 0)
    fresh = runs[scene.fresh.id]
    assert [(r.sop_step, r.tasks, r.opds) for r in fresh.rows] == [("1", 1, 0)]
    assert (fresh.next_due_on, fresh.late) == (date(2026, 1, 12), 1)
    mapping = runs[scene.mapping.id]
    assert [(r.sop_step, r.tasks, r.opds) for r in mapping.rows] == [("10", 3, 3)]
    assert mapping.late == 3


def test_a_finished_run_is_not_in_progress(session, scene):
    scene.fresh.status = "completed"
    session.flush()
    runs = dashboard.list_runs_in_progress(session, overseer(session), scene.fired)
    assert scene.fresh.id not in {run.id for run in runs}


# ---- (b) due soon and late per OPD ----------------------------------------------------------

def due_by_opd(summary):
    return {opd.opd_code: (opd.due_soon, opd.late) for opd in summary.opds}


def test_due_soon_and_late_per_opd_as_the_clock_moves(session, scene):
    actor = overseer(session)
    at_opening = dashboard.list_due_tasks(session, actor, scene.fired, days=1)
    assert at_opening.horizon == scene.due
    # row 12 of the reported run is due soon for its two OPDs; the other runs' rows are late
    assert due_by_opd(at_opening) == {None: (0, 1), "DINKES": (1, 1), "DPUPR": (1, 1),
                                      "DISDIKBUD": (0, 1)}
    after_due = dashboard.list_due_tasks(session, actor, wib(scene.due + timedelta(days=1), 9))
    assert due_by_opd(after_due) == {None: (0, 1), "DINKES": (0, 2), "DPUPR": (0, 2),
                                     "DISDIKBUD": (0, 1)}


def test_due_soon_counts_working_days(session, scene, now):
    actor = overseer(session)
    # Monday 5 January 2026: row 10 (due Tuesday) is due soon, row 1 (due 12 January) is not
    monday = dashboard.list_due_tasks(session, actor, now, days=3)
    assert monday.horizon == date(2026, 1, 8)
    assert due_by_opd(monday) == {"DISDIKBUD": (1, 0), "DINKES": (1, 0), "DPUPR": (1, 0)}
    # Friday 9 January + 1 working day is Monday 12 January: row 1 becomes due soon
    friday = dashboard.list_due_tasks(session, actor, wib(date(2026, 1, 9), 10), days=1)
    assert friday.horizon == date(2026, 1, 12)
    assert due_by_opd(friday)[None] == (1, 0)


def test_a_due_window_outside_one_to_three_days_is_refused(session, scene):
    with pytest.raises(InvalidInputError) as refused:
        dashboard.list_due_tasks(session, overseer(session), scene.fired, days=4)
    assert refused.value.code == "invalid_due_window"


# ---- (d) reporting discipline ---------------------------------------------------------------

def states(discipline):
    return {opd.opd_code: opd.states for opd in discipline.opds}


def test_discipline_on_time_late_missing_and_pending(session, scene):
    actor, run_id = overseer(session), scene.reported.id
    on_due_day = dashboard.reporting_discipline(session, actor, run_id, wib(scene.due, 15))
    assert states(on_due_day) == {"DINKES": {1: ON_TIME, 2: ON_TIME, 3: PENDING},
                                  "DPUPR": {1: ON_TIME, 2: ON_TIME, 3: PENDING}}
    send_report(session, scene.reported, "DINKES", wib(scene.due + timedelta(days=1), 8))
    day_after = wib(scene.due + timedelta(days=1), 9)
    result = dashboard.reporting_discipline(session, actor, run_id, day_after)
    assert result.periods == (1, 2, 3)
    assert states(result) == {"DINKES": {1: ON_TIME, 2: ON_TIME, 3: LATE},
                              "DPUPR": {1: ON_TIME, 2: ON_TIME, 3: MISSING}}
    assert result.totals(3) == {ON_TIME: 0, LATE: 1, MISSING: 1, PENDING: 0}
    assert result.totals(1) == {ON_TIME: 2, LATE: 0, MISSING: 0, PENDING: 0}


def test_a_report_sent_late_in_the_evening_of_its_due_day_is_on_time(session, scene):
    send_report(session, scene.reported, "DPUPR", wib(scene.due, 23))
    result = dashboard.reporting_discipline(session, overseer(session), scene.reported.id,
                                            wib(scene.due + timedelta(days=3), 9))
    assert states(result)["DPUPR"][3] == ON_TIME
    assert states(result)["DINKES"][3] == MISSING


# ---- (c) achievement per indicator ----------------------------------------------------------

FIGURES = ("label_periode", "target", "realisasi", "capaian", "status")


def test_the_series_equal_row_13_for_the_same_run_and_period(session, scene):
    series = dashboard.run_achievements(session, overseer(session), scene.reported.id)
    for period_no, task in scene.row13.items():
        shown = {row["kode"]: row for row in task.context["capaian"]}
        assert {s.kode for s in series} == set(shown)
        for indicator in series:
            [point] = [p for p in indicator.points if p["periode_no"] == period_no]
            row = shown[indicator.kode]
            assert {k: point[k] for k in FIGURES} == {k: row[k] for k in FIGURES}
    iku01 = next(s for s in series if s.kode == "IKU-01")
    assert [(p["periode_no"], p["capaian"]) for p in iku01.points[:2]] == [(1, 62.5),
                                                                          (2, 107.14)]


def test_the_default_run_is_the_latest_running_one(session, scene):
    shown = dashboard.get_dashboard(session, overseer(session, "auditor"), scene.fired)
    assert shown.chosen.id == max(scene.fresh.id, scene.mapping.id)
    assert shown.achievements and all(not s.points for s in shown.achievements)
    chosen = dashboard.get_dashboard(session, overseer(session, "admin"), scene.fired,
                                     instance_id=scene.reported.id)
    assert chosen.chosen.id == scene.reported.id
    assert chosen.discipline.periods == (1, 2, 3)


# ---- who may, and how many statements --------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda s, a, t, run: dashboard.get_dashboard(s, a, t),
    lambda s, a, t, run: dashboard.list_runs_in_progress(s, a, t),
    lambda s, a, t, run: dashboard.list_due_tasks(s, a, t),
    lambda s, a, t, run: dashboard.run_achievements(s, a, run),
    lambda s, a, t, run: dashboard.reporting_discipline(s, a, run, t),
    lambda s, a, t, run: dashboard.list_run_choices(s, a),
])
def test_a_pj_kinerja_is_refused(session, scene, call):
    with pytest.raises(PermissionDeniedError) as refused:
        call(session, user(session, "pj.dinkes"), scene.fired, scene.reported.id)
    assert refused.value.code == "dashboard_overseers_only"


def test_the_statements_do_not_grow_with_runs_and_opds(session, scene, now):
    actor = overseer(session)

    def count() -> int:
        session.flush()
        seen = []
        engine = session.get_bind().engine

        def record(*_args):
            seen.append(1)

        event.listen(engine, "before_cursor_execute", record)
        try:
            dashboard.get_dashboard(session, actor, scene.fired, instance_id=scene.reported.id)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(seen)

    before = count()
    for _ in range(3):  # three more runs, each waiting on three OPDs at row 10
        run_planning(session, start_sop(session, now).id, now)
    send_report(session, scene.reported, "DINKES", scene.fired)
    assert count() == before
    assert 5 <= before <= 12
