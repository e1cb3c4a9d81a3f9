"""Keeping the database in step with a workflow: what the save writes and what it must not.

Change detection by identity (a host's clock cannot fool it), stored formats, cutting the
history at a new period without losing anything still alive beside it, and the workflow
cache filled only once a transaction commits.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from engine.bpmn import serializer
from engine.bpmn.limits import LOOP_TOO_LARGE, TOO_MANY_STEPS
from engine.db import RUNTIME_KEY, make_session_factory, read_only, unit_of_work
from engine.errors import DiagramRunError, InvalidInputError, StateFormatError
from engine.models import Event, HumanTask, InstanceState, Opd, ProcessInstance
from engine.runtime import build_runtime
from engine.services import deployments, execution, instances, tasks, timers
from tests.conftest import isolated_database
from tests.support import (
    PLANNING,
    ROOT,
    SOP_KEY,
    actor_for,
    answers,
    complete_all,
    make_factory,
    open_tasks,
    run_planning,
    user,
)

FIXTURES = ROOT / "tests" / "fixtures" / "bpmn"


def deploy_fixture(session, name: str, now):
    path = FIXTURES / name
    return deployments.deploy_diagram(
        session,
        path.read_bytes(),
        filename=path.name,
        forms=deployments.load_forms_dir(ROOT / "forms"),
        lane_roles=deployments.load_lane_roles(ROOT / "bpmn" / "lane-roles.toml"),
        now=now,
    ).version


def start(session, key: str, now):
    return instances.start_instance(
        session, user(session, "tim1"), key, answers("mulai-pelaksanaan"), now
    )


def restart(session) -> None:
    """What a new process sees: a fresh runtime, specs parsed anew, no cached workflow."""
    session.info[RUNTIME_KEY] = build_runtime()
    session.expire_all()


def stored_parts(session, instance_id: int) -> dict[str, InstanceState]:
    rows = session.scalars(select(InstanceState).where(InstanceState.instance_id == instance_id))
    return {row.part_key: row for row in rows}


def shift_clock_of_stored_state(session, instance_id: int, by: timedelta) -> None:
    """Rewrite every task's last_state_change as if the saving host's clock were off."""
    for row in stored_parts(session, instance_id).values():
        state = json.loads(row.state)
        for task in state["tasks"].values():
            task["last_state_change"] += by.total_seconds()
        row.state = json.dumps(state)
    session.flush()


@pytest.mark.parametrize("skew", [timedelta(days=3), -timedelta(days=3)])
def test_a_skewed_clock_on_the_saving_host_changes_nothing(session, now, skew):
    instance = start(session, SOP_KEY, now)
    run_planning(session, instance.id, now)
    complete_all(session, instance.id, "Task_10", now)  # period 1: three OPD parts, row 11 open
    shift_clock_of_stored_state(session, instance.id, skew)
    restart(session)
    before = {key: row.state for key, row in stored_parts(session, instance.id).items()}
    task = open_tasks(session, instance.id, "Task_11")[0]
    tasks.complete_task(session, actor_for(session, task), task.id, answers(task.form_key), now)
    assert instance.period_no == 1
    assert len(open_tasks(session, instance.id, "Task_11")) == 2  # no row created again
    after = {key: row.state for key, row in stored_parts(session, instance.id).items()}
    assert {key for key in before if before[key] != after.get(key)} == {_part_of(session, task)}


def _part_of(session, task: HumanTask) -> str:
    for key, row in stored_parts(session, task.instance_id).items():
        if task.spiff_task_id in json.loads(row.state)["tasks"]:
            return key
    raise AssertionError("task in no part")


def test_a_stored_format_this_release_does_not_know_is_refused(session, now):
    instance = start(session, SOP_KEY, now)
    session.execute(
        update(InstanceState)
        .where(InstanceState.instance_id == instance.id)
        .values(format_version="alur-parts-9+spiff-9.9")
    )
    restart(session)
    task = open_tasks(session, instance.id, "Task_01")[0]
    events = session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1))
    with pytest.raises(StateFormatError) as refused:
        tasks.complete_task(
            session, user(session, "tim1"), task.id, answers("perencanaan-tujuan"), now
        )
    assert refused.value.code == "state_format_unknown" and refused.value.status == 409
    assert refused.value.details["formats"] == ["alur-parts-9+spiff-9.9"]
    assert session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) == events


def test_new_parts_are_written_with_the_current_format(session, now):
    instance = start(session, SOP_KEY, now)
    run_planning(session, instance.id, now)
    complete_all(session, instance.id, "Task_10", now)
    formats = {row.format_version for row in stored_parts(session, instance.id).values()}
    assert formats == {serializer.FORMAT}


def test_a_boundary_timer_on_the_period_survives_the_cut(session, now):
    deploy_fixture(session, "period-with-boundary-timer.bpmn", now)
    instance = start(session, "periode_batas", now)
    deadline = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 2027-01-01 00:00 WIB
    sizes = []
    for _ in range(4):
        assert instance.next_due_at == deadline
        complete_all(session, instance.id, "Task_Work", now)
        complete_all(session, instance.id, "Task_Decide", now, keputusan_periode="b")
        sizes.append(len(json.loads(stored_parts(session, instance.id)["top"].state)["tasks"]))
    assert instance.period_no == 5 and sizes[-1] == sizes[1], sizes
    restart(session)
    assert timers.fire_instance_timers(session, instance.id, deadline + timedelta(hours=1)) == 1
    assert [t.element_id for t in open_tasks(session, instance.id)] == ["Task_Side"]
    complete_all(session, instance.id, "Task_Side", now)
    assert instance.status == "completed"


def test_the_cache_is_filled_only_after_commit(database_url, tmp_path, now):
    url = isolated_database(database_url, "cache", tmp_path)
    runtime = build_runtime()
    factory = make_factory(url, runtime=runtime)
    with unit_of_work(factory) as session:
        rolled_back = start(session, SOP_KEY, now).id
    assert len(runtime.workflows) == 0 and rolled_back  # never committed: nothing cached
    with unit_of_work(factory) as session:
        instance = start(session, SOP_KEY, now)
        session.commit()
    assert len(runtime.workflows) == 1
    with read_only(factory) as session:
        fresh = session.get(type(instance), instance.id)
        cached = runtime.workflows.take(instance.id, fresh.state_token)
        assert cached is not None
        stored = execution.load_stored(session, fresh, now)
    assert sorted(t.task_spec.name for t in cached.workflow.get_tasks()) == sorted(
        t.task_spec.name for t in stored.workflow.get_tasks()
    )
    factory.kw["bind"].dispose()


def test_without_the_cache_every_step_loads_from_the_database(database_url, tmp_path, now):
    url = isolated_database(database_url, "nocache", tmp_path)
    runtime = build_runtime(workflow_cache_size=0)
    factory = make_session_factory(make_factory(url).kw["bind"], runtime=runtime)
    with unit_of_work(factory) as session:
        instance_id = start(session, SOP_KEY, now).id
        session.commit()
    with unit_of_work(factory) as session:
        run_planning(session, instance_id, now)
        session.commit()
    assert len(runtime.workflows) == 0 and not runtime.workflows.enabled
    with read_only(factory) as session:
        assert len(open_tasks(session, instance_id, "Task_10")) == 3
    factory.kw["bind"].dispose()


def test_a_task_of_an_opd_lane_must_name_a_known_opd(session, now):
    """Row 7 offers only known OPDs; one renamed before row 10 opens stops the step."""
    instance = start(session, SOP_KEY, now)
    for element_id in PLANNING[:-1]:
        complete_all(session, instance.id, element_id, now)
    session.execute(update(Opd).where(Opd.code == "DINKES").values(code="DINKES-LAMA"))
    task = open_tasks(session, instance.id, "Task_09")[0]
    with pytest.raises(InvalidInputError) as refused:
        tasks.complete_task(
            session, user(session, "tim1"), task.id, answers("laporan-sosialisasi"), now
        )
    assert refused.value.code == "task_opd_unknown"
    assert refused.value.details == {"element_id": "Task_10", "variable": "opd", "value": "DINKES"}
    session.rollback()  # what the request's transaction does with a refused step


# ---- bounds of the settings (issue 8): the step is rolled back, the run says why ----------

def committed_run(factory, rows, now) -> int:
    with unit_of_work(factory) as session:
        instance_id = start(session, SOP_KEY, now).id
        for element_id in rows:
            complete_all(session, instance_id, element_id, now)
        session.commit()
    return instance_id


def counts(factory, instance_id: int) -> tuple:
    with read_only(factory) as session:
        rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id))
        events = session.scalars(select(Event.seq).where(Event.instance_id == instance_id))
        return sorted((t.element_id, t.state) for t in rows), len(list(events))


def failure_seen_by(factory, instance_id: int, username: str):
    with read_only(factory) as session:
        instance = session.get(ProcessInstance, instance_id)
        return instance, timers.timer_failure_of(instance, user(session, username))


def test_a_loop_larger_than_the_cap_starts_nothing_and_the_run_says_why(
    database_url, tmp_path, now
):
    """Row 9 opens one row 10 per OPD taking part (3 in the sample): above a cap of 2, the
    step stops before any copy exists, rolls back, and the failure is kept on the run."""
    factory = make_factory(isolated_database(database_url, "loopcap", tmp_path),
                           runtime=build_runtime(max_loop_cardinality=2))
    instance_id = committed_run(factory, PLANNING[:-1], now)
    before = counts(factory, instance_id)
    with pytest.raises(DiagramRunError) as stopped, unit_of_work(factory) as session:
        complete_all(session, instance_id, "Task_09", now)
    assert stopped.value.code == "loop_cardinality_exceeded" and stopped.value.status == 422
    assert stopped.value.details == {"count": 3, "limit": 2, "element_id": "Task_10",
                                     "element_name": "10. Memetakan paket per area strategis"}
    assert counts(factory, instance_id) == before  # nothing half-started
    instance, seen_by_staff = failure_seen_by(factory, instance_id, "tim1")
    assert instance.failed_attempts == 1 and instance.last_error_at == now
    assert instance.last_error.startswith("loop_cardinality_exceeded: ")
    assert "[element Task_10 '10. Memetakan paket per area strategis']" in instance.last_error
    assert seen_by_staff.reason == LOOP_TOO_LARGE and seen_by_staff.message is None
    assert failure_seen_by(factory, instance_id, "admin")[1].message == instance.last_error
    factory.kw["bind"].dispose()


def test_steps_past_the_bound_roll_back_and_a_later_step_clears_the_failure(
    database_url, tmp_path, now
):
    """The last OPD's row 10 opens the first period: a handful of automatic steps (call
    activity, multi-instance, each OPD's start). With no repeat allowed at all (a bound of
    0; a real loop comes round past the default) that request stops."""
    url = isolated_database(database_url, "steps", tmp_path)
    roomy = make_factory(url)
    instance_id = committed_run(roomy, PLANNING, now)
    tight = make_factory(url, runtime=build_runtime(max_engine_steps=0))
    before = counts(tight, instance_id)
    with pytest.raises(DiagramRunError) as stopped, unit_of_work(tight) as session:
        complete_all(session, instance_id, "Task_10", now)
    assert stopped.value.code == "engine_steps_exceeded"
    assert stopped.value.details["limit"] == 0
    assert counts(tight, instance_id) == before
    instance, seen = failure_seen_by(tight, instance_id, "kepala")
    assert instance.status == "running" and instance.failed_attempts == 1
    assert seen.reason == TOO_MANY_STEPS
    with unit_of_work(roomy) as session:
        complete_all(session, instance_id, "Task_10", now)
        session.commit()
    instance, seen = failure_seen_by(roomy, instance_id, "kepala")
    assert seen is None and instance.last_error is None
    for factory in (tight, roomy):
        factory.kw["bind"].dispose()


def test_opening_a_period_for_every_opd_is_not_a_loop(database_url, tmp_path, now):
    """Opening a period starts every OPD's subprocess: many steps, but each element of each
    process once, so even a repeat bound of 1 lets it through (a bound on the total would
    stop a kabupaten with many OPDs)."""
    url = isolated_database(database_url, "copies", tmp_path)
    instance_id = committed_run(make_factory(url), PLANNING, now)
    strict = make_factory(url, runtime=build_runtime(max_engine_steps=1))
    with unit_of_work(strict) as session:
        complete_all(session, instance_id, "Task_10", now)
        session.commit()
    with unit_of_work(strict) as session:
        assert len(open_tasks(session, instance_id, "Task_11")) == 3
    strict.kw["bind"].dispose()


def test_a_bound_hit_in_a_step_that_commits_anyway_records_nothing(database_url, tmp_path, now):
    """The failure is written only once the step's transaction rolls back."""
    factory = make_factory(isolated_database(database_url, "nofail", tmp_path),
                           runtime=build_runtime(max_loop_cardinality=2))
    instance_id = committed_run(factory, PLANNING[:-1], now)
    with unit_of_work(factory) as session:
        with pytest.raises(DiagramRunError):
            complete_all(session, instance_id, "Task_09", now)
        session.commit()
    assert failure_seen_by(factory, instance_id, "admin")[1] is None
    factory.kw["bind"].dispose()
