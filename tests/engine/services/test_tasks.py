"""Acting on tasks: only the task's lane (and OPD) may act; every refusal changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from engine.models import Event, HumanTask, InstanceState
from engine.services import tasks
from engine.services.tasks import TaskFilters
from tests.support import (
    PLANNING,
    answers,
    deploy_sop,
    open_tasks,
    run_planning,
    run_rows,
    sop_forms,
    start_sop,
    user,
)


def snapshot(session, instance_id: int) -> tuple:
    """Counts and states that any accepted action would change."""
    session.flush()
    states = session.scalars(
        select(InstanceState.state)
        .where(InstanceState.instance_id == instance_id)
        .order_by(InstanceState.part_key)
    ).all()
    rows = session.execute(
        select(HumanTask.id, HumanTask.state, HumanTask.claimed_by_id)
        .where(HumanTask.instance_id == instance_id)
        .order_by(HumanTask.id)
    ).all()
    events = session.scalar(
        select(func.count()).select_from(Event).where(Event.instance_id == instance_id)
    )
    return tuple(states), tuple(rows), events


@pytest.fixture()
def started(session, now):
    return start_sop(session, now)


def row1(session, instance):
    return open_tasks(session, instance.id, "Task_01")[0]


def test_wrong_lane_cannot_complete(session, now, started):
    before = snapshot(session, started.id)
    with pytest.raises(PermissionDeniedError) as refused:
        tasks.complete_task(
            session,
            user(session, "kepala"),
            row1(session, started).id,
            answers("perencanaan-tujuan"),
            now,
        )
    assert refused.value.code == "not_your_task"
    assert snapshot(session, started.id) == before


def test_pj_of_another_opd_sees_nothing(session, now, started):
    run_planning(session, started.id, now)
    task = next(t for t in open_tasks(session, started.id, "Task_10") if t.opd.code == "DINKES")
    before = snapshot(session, started.id)
    with pytest.raises(NotFoundError):
        tasks.complete_task(
            session, user(session, "pj.dpupr"), task.id, answers("pemetaan-paket"), now
        )
    with pytest.raises(NotFoundError):
        tasks.claim_task(session, user(session, "pj.dpupr"), task.id, now)
    assert snapshot(session, started.id) == before
    mine, total = tasks.list_tasks(session, user(session, "pj.dpupr"), TaskFilters())
    assert total == 1 and mine[0].opd.code == "DPUPR"


def test_unknown_field_and_bad_values_are_refused(session, now, started):
    task = row1(session, started)
    before = snapshot(session, started.id)
    with pytest.raises(InvalidInputError) as unknown:
        tasks.complete_task(
            session, user(session, "tim1"), task.id, answers("perencanaan-tujuan", rahasia="x"), now
        )
    assert unknown.value.code == "unknown_field" and "rahasia" in unknown.value.details
    with pytest.raises(InvalidInputError) as missing:
        tasks.complete_task(
            session,
            user(session, "tim1"),
            task.id,
            answers("perencanaan-tujuan", tujuan_pbj=None),
            now,
        )
    assert "tujuan_pbj" in missing.value.details
    assert snapshot(session, started.id) == before


def test_double_submit_is_a_conflict(session, now, started):
    task = row1(session, started)
    tasks.complete_task(session, user(session, "tim1"), task.id, answers("perencanaan-tujuan"), now)
    before = snapshot(session, started.id)
    with pytest.raises(ConflictError) as again:
        tasks.complete_task(
            session, user(session, "tim1"), task.id, answers("perencanaan-tujuan"), now
        )
    assert again.value.code == "task_already_completed"
    assert snapshot(session, started.id) == before


def test_claimed_task_belongs_to_its_claimer(session, now, started):
    task = row1(session, started)
    tasks.claim_task(session, user(session, "tim1"), task.id, now)
    tasks.claim_task(session, user(session, "tim1"), task.id, now)  # a double click is harmless
    before = snapshot(session, started.id)
    for action in (
        lambda: tasks.claim_task(session, user(session, "tim2"), task.id, now),
        lambda: tasks.unclaim_task(session, user(session, "tim2"), task.id, now),
        lambda: tasks.complete_task(
            session, user(session, "tim2"), task.id, answers("perencanaan-tujuan"), now
        ),
    ):
        with pytest.raises(ConflictError):
            action()
    assert snapshot(session, started.id) == before
    tasks.unclaim_task(session, user(session, "tim1"), task.id, now)
    assert task.claimed_by_id is None


def test_inbox_scopes_and_sorting(session, now, started):
    tim2 = user(session, "tim2")
    group, total = tasks.list_tasks(session, tim2, TaskFilters(scope="group"))
    assert total >= 1 and all(t.claimed_by_id is None for t in group)
    tasks.claim_task(session, tim2, row1(session, started).id, now)
    mine, _ = tasks.list_tasks(session, tim2, TaskFilters(scope="mine"))
    assert [t.element_id for t in mine] == ["Task_01"]
    dues = [t.due_on for t in tasks.list_tasks(session, tim2, TaskFilters(per_page=100))[0]]
    assert dues == sorted(dues)


def deploy_with_a_third_decision(session, now) -> None:
    """The SOP again, its row-6 form now offering "mungkin" beside "setujui" and "perbaiki".

    The form lets the value through, but no flow out of GW_06 takes it (its conditions are
    `keputusan_rencana == "setujui"` and `== "perbaiki"`), so only the engine can refuse it.
    Same diagram, so same definition: runs started from here on use this newer version.
    """
    forms = sop_forms()
    decision = next(
        c for c in forms["persetujuan-rencana"]["components"] if c.get("key") == "keputusan_rencana"
    )
    decision["values"].append({"label": "Mungkin", "value": "mungkin"})
    assert deploy_sop(session, now, forms=forms).version > 1


def test_gateway_needs_a_valid_decision(session, now):
    deploy_with_a_third_decision(session, now)
    kepala = user(session, "kepala")
    started = start_sop(session, now)
    run_rows(session, started.id, PLANNING[:5], now)
    task = open_tasks(session, started.id, "Task_06")[0]
    # Claimed first: complete_task claims an unclaimed task before the engine runs, and only
    # the request's rollback would undo that; here the refusal must leave nothing to undo.
    tasks.claim_task(session, kepala, task.id, now)
    before = snapshot(session, started.id)
    with pytest.raises(InvalidInputError) as refused:
        tasks.complete_task(
            session,
            kepala,
            task.id,
            answers("persetujuan-rencana", keputusan_rencana="mungkin"),
            now,
        )
    assert refused.value.code == "workflow_error"
    assert "GW_06" in refused.value.message
    assert snapshot(session, started.id) == before
    # The refused step left the stored workflow waiting at row 6: a valid decision goes on.
    tasks.complete_task(session, kepala, task.id, answers("persetujuan-rencana"), now)
    assert [t.element_id for t in open_tasks(session, started.id)] == ["Task_07"]
