"""48 reporting periods (monthly for four years) run without stalling or growing.

Known SpiffWorkflow 3.2.0 pitfalls this guards against: looping back into a
multi-instance fails, task trees deeper than 1000 hide READY tasks (a naive loop stalls
around cycle 110), and the serialized state grows with history.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from engine.models import HumanTask, InstanceState
from engine.services import timers
from tests.support import assert_replays, complete_all, open_tasks, run_planning, start_sop

PERIODS = 48
OPD_COUNT = 3


def state_bytes(session, instance_id: int) -> int:
    return session.scalar(
        select(func.sum(func.length(InstanceState.state))).where(
            InstanceState.instance_id == instance_id
        )
    )


def month_end(year: int, month: int) -> str:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return (first_next - timedelta(days=1)).isoformat()


def test_48_monthly_periods(session, now):
    instance = start_sop(session, now)
    run_planning(session, instance.id, now)
    complete_all(session, instance.id, "Task_10", now)
    sizes = {}
    for period in range(1, PERIODS + 1):
        assert instance.period_no == period
        complete_all(session, instance.id, "Task_11", now)
        now = instance.next_due_at + timedelta(hours=1)
        assert timers.fire_instance_timers(session, instance.id, now) == OPD_COUNT
        for element_id in ("Task_12", "Task_13", "Task_14", "Task_15", "Task_16"):
            complete_all(session, instance.id, element_id, now)
        if period in (2, PERIODS):
            sizes[period] = state_bytes(session, instance.id)
        year, month = 2026 + period // 12, period % 12 + 1  # period p+1 ends in month p
        decision = "c" if period == PERIODS else "b"
        complete_all(
            session,
            instance.id,
            "Task_17",
            now,
            keputusan_periode=decision,
            akhir_periode=None if decision == "c" else month_end(year, month),
        )
    complete_all(session, instance.id, "Task_17c", now)
    assert instance.status == "completed"
    assert open_tasks(session, instance.id) == []
    reports = session.scalar(
        select(func.count())
        .select_from(HumanTask)
        .where(HumanTask.instance_id == instance.id, HumanTask.element_id == "Task_12")
    )
    assert reports == PERIODS * OPD_COUNT
    # the live state carries one period at a time, and finished history is cut (flat)
    assert sizes[PERIODS] <= sizes[2] * 1.05, sizes
    assert_replays(session, instance.id)
