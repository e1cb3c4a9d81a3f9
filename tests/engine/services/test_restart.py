"""A run survives a restart: a workflow loaded from the database behaves as the one saved.

The whole SOP (a revision at row 6, three OPDs, periods closed with (a), (b) and (c)) is
driven twice on one database, step by step, each step in its own committed transaction:

- warm: one runtime for the whole run, so every step after the first finds its workflow
  in the in-process cache (as one long-lived process would);
- cold: a new runtime for every step (specs parsed anew, no cache), so every step loads
  the workflow from its stored parts, as after a restart or on another worker.

After every step both runs must show the same task tree and data (restored in yet another
fresh runtime), the same task rows and the same instance; and the warm run's cached
workflow must equal what a fresh load of its stored state gives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.db import make_session_factory, read_only, unit_of_work
from engine.models import Event, HumanTask, ProcessInstance
from engine.models.instances import STATUS_COMPLETED
from engine.runtime import build_runtime
from engine.services import execution, tasks, timers
from tests.conftest import T0, isolated_database
from tests.support import (
    PJ_FOR_OPD,
    actor_for,
    answers,
    assert_replays,
    make_factory,
    start_sop,
)

OPDS = ("DISDIKBUD", "DINKES", "DPUPR")


@dataclass
class Run:
    """One drive of the SOP: its instance and what was seen after each step."""

    factory_for_step: object  # () -> sessionmaker
    instance_id: int | None = None
    seen: list = field(default_factory=list)


def canonical_tree(workflow) -> dict:
    """The task tree and data without ids or timestamps: what must survive a reload."""
    ids = _positions(workflow)

    def node(task) -> dict:
        sub = workflow.subprocesses.get(task.id)
        return {
            "spec": task.task_spec.name,
            "state": task.state,
            "data": _plain(task.data, ids),
            "internal": _plain(task.internal_data, ids),
            "sub": tree(sub) if sub is not None else None,
            "children": [node(child) for child in task.children],
        }

    def tree(wf) -> dict:
        return {
            "root": node(wf.task_tree),
            "data": _plain(wf.data, ids),
            "completed": wf.completed,
            "last_task": ids.get(str(wf.last_task.id)) if wf.last_task else None,
        }

    return tree(workflow)


def _positions(workflow) -> dict[str, str]:
    """Each task id -> its position in a depth-first walk (the same in both runs)."""
    found: dict[str, str] = {}

    def walk(wf, prefix: str) -> None:
        stack = [(wf.task_tree, prefix + "0")]
        while stack:
            task, path = stack.pop()
            found[str(task.id)] = path
            sub = workflow.subprocesses.get(task.id)
            if sub is not None:
                walk(sub, path + "/")
            stack.extend((c, f"{path}.{i}") for i, c in enumerate(task.children))

    walk(workflow, "")
    return found


def _plain(value, ids: dict[str, str]):
    """JSON-plain data with task ids replaced by their positions."""
    text = json.dumps(value, sort_keys=True, default=str)
    for task_id, path in ids.items():
        text = text.replace(task_id, f"task@{path}")
    return json.loads(text)


def observe(run: Run, factory) -> dict:
    """What a step left behind, restored in a runtime of its own without a workflow cache."""
    with read_only(factory) as session:
        instance = session.get(ProcessInstance, run.instance_id)
        stored = execution.load_stored(session, instance, T0)
        rows = session.scalars(
            select(HumanTask).where(HumanTask.instance_id == run.instance_id).order_by(HumanTask.id)
        ).all()
        events = session.scalars(
            select(Event.type).where(Event.instance_id == run.instance_id).order_by(Event.seq)
        ).all()
        return {
            "tree": canonical_tree(stored.workflow),
            "tasks": [_task_row(row) for row in rows],
            "instance": (instance.status, instance.period_no, instance.next_due_at),
            "events": list(events),
        }


def _task_row(row: HumanTask) -> tuple:
    return (
        row.element_id,
        row.state,
        row.opd.code if row.opd else None,
        row.period_no,
        row.due_on,
        row.sop_step,
        json.dumps([row.data, row.prefill, row.context], sort_keys=True, default=str),
    )


def cached_equals_stored(run: Run, runtime, factory) -> bool:
    """The warm run's cached workflow against a fresh load of the same stored state."""
    with read_only(factory) as session:
        instance = session.get(ProcessInstance, run.instance_id)
        live = runtime.workflows.take(run.instance_id, instance.state_token)
        assert live is not None, "the warm run's workflow is not in its cache"
        runtime.workflows.put(run.instance_id, instance.state_token, live)
        stored = execution.load_stored(session, instance, T0)
    return canonical_tree(live.workflow) == canonical_tree(stored.workflow)


# ---- the scenario: each step is one committed transaction -----------------------------


def start(session, run: Run, now):
    run.instance_id = start_sop(session, now).id


def complete_one(element_id: str, opd: str | None = None, **overrides):
    def step(session, run: Run, now):
        rows = session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == run.instance_id,
                HumanTask.element_id == element_id,
                HumanTask.state == "open",
            )
        ).all()
        task = next(t for t in rows if opd is None or t.opd.code == opd)
        data = answers(task.form_key, **overrides)
        tasks.complete_task(session, actor_for(session, task), task.id, data, now)

    step.__name__ = f"complete {element_id} {opd or ''}".strip()
    return step


def fire_timers(session, run: Run, now):
    assert timers.fire_instance_timers(session, run.instance_id, now) == len(OPDS)


def period(decision: str, next_end: str | None) -> list:
    overrides = {"keputusan_periode": decision, "akhir_periode": next_end}
    if decision == "a":
        overrides["rekomendasi_disetujui"] = "Perkuat reviu HPS"
    return [
        *(complete_one("Task_11", opd) for opd in OPDS),
        "timer",
        *(complete_one("Task_12", opd) for opd in OPDS),
        *(complete_one(f"Task_{row}") for row in (13, 14, 15, 16)),
        complete_one("Task_17", **overrides),
    ]


def scenario() -> list:
    planning = [complete_one(f"Task_0{row}") for row in range(1, 6)]
    return [
        start,
        *planning,
        complete_one(
            "Task_06", keputusan_rencana="perbaiki", catatan_perbaikan="Target terlalu rendah"
        ),
        *planning,
        complete_one("Task_06"),
        complete_one("Task_07", opd_peserta=list(OPDS)),
        complete_one("Task_08"),
        complete_one("Task_09"),
        *(complete_one("Task_10", opd) for opd in OPDS),
        *period("a", "2026-02-27"),
        complete_one("Task_17a"),
        *period("b", "2026-03-31"),
        *period("c", None),
        complete_one("Task_17c"),
    ]


def do_step(run: Run, step, now):
    """Run one step in its own committed transaction; a timer step moves the clock."""
    factory = run.factory_for_step()
    if step == "timer":
        with read_only(factory) as session:
            due = session.get(ProcessInstance, run.instance_id).next_due_at
        now = due + timedelta(hours=1)
        step = fire_timers
    with unit_of_work(factory) as session:
        step(session, run, now)
        session.commit()
    return now


@pytest.fixture(scope="module")
def restart_engine(database_url, tmp_path_factory):
    url = isolated_database(database_url, "restart", tmp_path_factory.mktemp("restart"))
    factory = make_factory(url)
    engine = factory.kw["bind"]
    yield engine
    engine.dispose()


def test_cold_loads_behave_exactly_as_the_warm_run(restart_engine):
    warm_runtime = build_runtime()
    warm_factory = make_session_factory(restart_engine, runtime=warm_runtime)
    warm = Run(lambda: warm_factory)
    cold = Run(
        lambda: make_session_factory(restart_engine, runtime=build_runtime(workflow_cache_size=0))
    )
    observer = make_session_factory(restart_engine, runtime=build_runtime(workflow_cache_size=0))
    warm_now = cold_now = T0
    for number, step in enumerate(scenario()):
        name = getattr(step, "__name__", step)
        warm_now = do_step(warm, step, warm_now)
        cold_now = do_step(cold, step, cold_now)
        assert warm_now == cold_now
        warm_seen, cold_seen = observe(warm, observer), observe(cold, observer)
        assert warm_seen == cold_seen, f"step {number} ({name}) differs after a cold load"
        assert cached_equals_stored(warm, warm_runtime, observer), f"step {number} ({name})"
    assert warm_seen["instance"][0] == STATUS_COMPLETED
    assert warm_seen["events"].count("period_started") == 3
    assert_replays(observer, warm.instance_id)
    assert_replays(observer, cold.instance_id)


def test_completing_the_multi_instance_in_another_process_opens_the_next_row(restart_engine):
    """The reported failure: row 10's children created in one process, completed in
    another; row 10 closed but row 11 never opened (merge_child was not connected)."""
    first = make_session_factory(restart_engine, runtime=build_runtime())
    run = Run(lambda: first)
    now = T0
    for step in scenario():
        if getattr(step, "__name__", "").startswith("complete Task_10"):
            break
        now = do_step(run, step, now)
    with read_only(first) as session:
        open_rows = session.scalars(
            select(HumanTask.element_id).where(
                HumanTask.instance_id == run.instance_id, HumanTask.state == "open"
            )
        ).all()
    assert sorted(open_rows) == ["Task_10"] * len(OPDS)
    run.factory_for_step = lambda: make_session_factory(restart_engine, runtime=build_runtime())
    for opd in OPDS:
        now = do_step(run, complete_one("Task_10", opd), now)
    with read_only(first) as session:
        rows = session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == run.instance_id, HumanTask.state == "open"
            )
        ).all()
        assert sorted((t.element_id, t.opd.code) for t in rows) == sorted(
            ("Task_11", opd) for opd in OPDS
        )
        assert {PJ_FOR_OPD[t.opd.code] for t in rows} == {PJ_FOR_OPD[o] for o in OPDS}
    assert_replays(first, run.instance_id)
