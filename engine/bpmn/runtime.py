"""Load, run and save one instance's workflow: the engine's only contact with SpiffWorkflow.

Specs are parsed once per deployed version and cached in the process. A loaded workflow
remembers when it was loaded (`mark`) so that the caller can ask which tasks changed
and the save can write back only the parts that changed. Completing a task follows the
verified path: `set_data(**data)`, `run()`, then `refresh_timers()` and
`do_engine_steps()`; diagram Python is never executed (the script engine refuses it).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import IntermediateCatchEvent
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import serializer
from engine.bpmn.cache import WorkflowCache
from engine.bpmn.expressions import RestrictedScriptEngine
from engine.bpmn.parser import build_specs, load_xml
from engine.bpmn.timers import due_of, install_clocked_timers
from engine.errors import InvalidInputError

_SPEC_CACHE: OrderedDict[str, tuple] = OrderedDict()
_SPEC_LOCK = threading.Lock()
_SPEC_CACHE_SIZE = 32


def specs_for(content_hash: str, read_xml: Callable[[], str], max_bytes: int) -> tuple:
    """Parse a version's BPMN once per process, keyed by its content hash (immutable).

    `read_xml` is called only on a miss, so a hit never loads the diagram text.
    """
    with _SPEC_LOCK:
        if content_hash in _SPEC_CACHE:
            _SPEC_CACHE.move_to_end(content_hash)
            return _SPEC_CACHE[content_hash]
    root = load_xml(read_xml().encode("utf-8"), max_bytes=max_bytes)
    spec, subprocess_specs = build_specs(root)
    install_clocked_timers([spec, *subprocess_specs.values()])
    with _SPEC_LOCK:
        _SPEC_CACHE[content_hash] = (spec, subprocess_specs)
        while len(_SPEC_CACHE) > _SPEC_CACHE_SIZE:
            _SPEC_CACHE.popitem(last=False)
    return spec, subprocess_specs


CACHE = WorkflowCache()


@dataclass
class StepRecord:
    """Something the engine did on its own that the audit log must show."""

    kind: str  # "gateway" | "timer" | "call_started" | "call_completed"
    task: object
    detail: dict = field(default_factory=dict)


@dataclass
class LiveWorkflow:
    workflow: BpmnWorkflow
    mark: float
    loaded_keys: set[str]
    steps: list[StepRecord] = field(default_factory=list)

    @property
    def script_engine(self) -> RestrictedScriptEngine:
        return self.workflow.script_engine

    def set_now(self, now: datetime) -> None:
        self.workflow.script_engine.now = now


def _mark() -> float:
    # last_state_change uses time.time(); step back a hair so equal stamps count as changed
    return time.time() - 1e-6


def start_workflow(spec, subprocess_specs, start_data: dict, now: datetime) -> LiveWorkflow:
    engine = RestrictedScriptEngine(now=now)
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=engine)
    live = LiveWorkflow(workflow, mark=0.0, loaded_keys=set())
    start = workflow.get_next_task(spec_name="Start")
    start.set_data(**start_data)
    with _engine_errors("The process could not start"):
        advance(live)
    return live


def reuse_workflow(live: LiveWorkflow, now: datetime) -> LiveWorkflow:
    """Start a new step on a cached workflow: fresh mark, the caller's clock."""
    live.mark, live.steps = _mark(), []
    live.set_now(now)
    return live


def load_workflow(parts: dict[str, str], spec, subprocess_specs, now: datetime) -> LiveWorkflow:
    engine = RestrictedScriptEngine(now=now)
    workflow = serializer.restore(parts, spec, subprocess_specs, engine)
    return LiveWorkflow(workflow, mark=_mark(), loaded_keys=set(parts))


def _record_step(live: LiveWorkflow) -> Callable:
    def did_complete(task) -> None:
        spec = task.task_spec
        if isinstance(spec, ExclusiveGateway):
            taken = [
                c.task_spec.bpmn_id for c in task.children if c.has_state(TaskState.DEFINITE_MASK)
            ]
            live.steps.append(StepRecord("gateway", task, {"taken": taken}))
        elif isinstance(spec, IntermediateCatchEvent) and due_of(task) is not None:
            live.steps.append(StepRecord("timer", task, {"due_at": due_of(task).isoformat()}))
        elif isinstance(spec, CallActivity):
            live.steps.append(StepRecord("call_completed", task))

    return did_complete


def advance(live: LiveWorkflow) -> None:
    """Fire due timers and run engine tasks until only people (or time) can go on."""
    live.workflow.refresh_timers()
    live.workflow.do_engine_steps(did_complete_task=_record_step(live))


@contextmanager
def _engine_errors(what: str):
    """A model that cannot go on (no gateway condition matched, ...) is the user's 400."""
    try:
        yield
    except WorkflowException as error:
        raise InvalidInputError(f"{what}: {error}", code="workflow_error") from error


def find_ready_task(live: LiveWorkflow, spiff_task_id: str):
    """The task if the workflow is waiting for it now, else None."""
    try:
        task = live.workflow.get_task_from_id(UUID(spiff_task_id))
    except (KeyError, ValueError, WorkflowException):
        return None
    return task if task is not None and task.has_state(TaskState.READY) else None


def complete_user_task(live: LiveWorkflow, task, data: dict) -> None:
    task.set_data(**data)
    with _engine_errors("The process could not continue"):
        task.run()
        advance(live)


def _all_workflows(live: LiveWorkflow) -> list:
    return [live.workflow, *live.workflow.subprocesses.values()]


def changed_tasks(live: LiveWorkflow) -> list:
    """Tasks whose state changed since the load: a flat scan, not a tree walk."""
    mark = live.mark
    return [
        t for wf in _all_workflows(live) for t in wf.tasks.values() if t.last_state_change >= mark
    ]


def changed_ready_user_tasks(changed: list) -> list:
    return [t for t in changed if t.state == TaskState.READY and t.task_spec.manual]


def changed_cancelled_user_tasks(changed: list) -> list:
    return [t for t in changed if t.state == TaskState.CANCELLED and t.task_spec.manual]


def started_call_activities(live: LiveWorkflow, changed: list) -> list:
    """Top-level call activities that began during this step (a new reporting period)."""
    return [
        t
        for t in changed
        if t.state == TaskState.STARTED
        and t.workflow is live.workflow
        and isinstance(t.task_spec, CallActivity)
    ]


def prune_completed_subprocesses(live: LiveWorkflow) -> int:
    """Drop finished subprocesses (a closed period, a finished OPD report) from the state.

    Their steps are already in the event log and the task table; keeping them would make
    every later load and save pay for the whole history.
    """
    workflow = live.workflow
    removed = 0
    for task_id in list(workflow.subprocesses):
        sub = workflow.subprocesses.get(task_id)
        if sub is None or not sub.completed:
            continue
        owner = workflow.get_task_from_id(task_id)
        if owner is not None and owner.has_state(TaskState.COMPLETED):
            workflow.delete_subprocess(owner)
            removed += 1
    return removed


def compact_history(live: LiveWorkflow, anchor) -> int:
    """Cut the finished history above `anchor` (a top-level task just started) from the tree.

    A looping process grows its task tree by a few tasks per period; SpiffWorkflow stops
    seeing READY tasks past depth 1000 and every save pays for the growth. Once a period
    starts, nothing before it is needed to run: the anchor carries a full copy of the data,
    and the event log and task table keep the history. The anchor is re-attached to the
    root; every task outside its subtree is dropped. Returns how many tasks were dropped.
    """
    workflow = live.workflow
    root = workflow.task_tree
    if anchor.workflow is not workflow or anchor.parent is root:
        return 0
    keep = {root.id} | {t.id for t in _subtree(anchor)}
    dropped = [task_id for task_id in workflow.tasks if task_id not in keep]
    for task_id in dropped:
        del workflow.tasks[task_id]
        workflow.subprocesses.pop(task_id, None)
    root._children = [anchor.id]
    anchor._parent = root.id
    if workflow.last_task is not None and workflow.last_task.id not in keep:
        workflow.last_task = anchor
    return len(dropped)


def _subtree(task) -> list:
    found, stack = [], [task]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(current.children)
    return found


def next_timer_due(live: LiveWorkflow) -> datetime | None:
    waiting = live.workflow.event_manager.tasks.values()
    dues = [due_of(t) for t in waiting if t.state == TaskState.WAITING]
    dues = [d for d in dues if d is not None]
    return min(dues) if dues else None


def save_parts(live: LiveWorkflow) -> tuple[list[serializer.Part], set[str]]:
    """The parts to write and the keys to delete, relative to what was loaded."""
    since = live.mark if live.loaded_keys else None
    changed = serializer.dump_changed(live.workflow, since)
    live_keys = serializer.live_part_keys(live.workflow)
    new_keys = live_keys - live.loaded_keys
    written = {p.key for p in changed}
    for key in new_keys - written:
        changed.append(_dump_key(live.workflow, key))
    return changed, live.loaded_keys - live_keys


def _dump_key(workflow: BpmnWorkflow, key: str) -> serializer.Part:
    if key == serializer.TOP_PART:
        return serializer.dump_top(workflow)
    return serializer.dump_subprocess(workflow, UUID(key))


def task_data(task) -> dict:
    return dict(task.data)


def is_completed(live: LiveWorkflow) -> bool:
    return live.workflow.completed
