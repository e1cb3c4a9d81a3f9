"""Load, run and save one instance's workflow: the engine's contact with SpiffWorkflow.

`BpmnRuntime` is a thin engine in the manner of spiff-example-cli's BpmnEngine: it owns
the parser's limits, the deployment's time zone and a cache of parsed specs, and starts
or restores workflows. The functions below act on one `LiveWorkflow`. Completing a task
follows the verified path: `set_data(**data)`, `run()`, then `refresh_timers()` and
`do_engine_steps()`; diagram Python is never executed (the script engine refuses it).

A LiveWorkflow remembers, per stored part, the state and `last_state_change` of every
task as it was loaded or last saved. A task changed if either differs: identity, never
order, so a clock that is ahead or stepped back on any host cannot make an old task look
new (or a new one old).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import (
    BoundaryEvent,
    IntermediateCatchEvent,
)
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import serializer
from engine.bpmn.expressions import RestrictedScriptEngine
from engine.bpmn.limits import Limits, StepBudget, install_loop_bounds
from engine.bpmn.parser import build_specs, load_xml
from engine.bpmn.timers import due_of, install_clocked_timers
from engine.caches import LruCache
from engine.errors import DiagramRunError, InvalidInputError

Seen = dict[str, dict[UUID, tuple[int, float]]]


@dataclass(frozen=True)
class Specs:
    """A deployed version's parsed process and the processes it calls, ready to run."""

    process: object
    subprocesses: dict


@dataclass
class StepRecord:
    """Something the engine did on its own that the audit log must show."""

    kind: str  # "gateway" | "timer" | "call_completed"
    task: object
    detail: dict = field(default_factory=dict)


@dataclass
class LiveWorkflow:
    """A workflow in memory and what was stored of it. `on_run_error` is told when a step
    hits one of the settings' bounds (engine.bpmn.limits), before the error goes up: the
    services use it to record the failure on the instance once the step is rolled back."""

    workflow: BpmnWorkflow
    seen: Seen
    steps: list[StepRecord] = field(default_factory=list)
    on_run_error: Callable[[DiagramRunError], None] | None = None

    @property
    def loaded_keys(self) -> set[str]:
        return set(self.seen)

    def set_now(self, now: datetime) -> None:
        self.workflow.script_engine.now = now


class BpmnRuntime:
    """Parser limits, time zone and parsed specs for one process (web worker, timer worker)."""

    def __init__(
        self,
        *,
        zone: ZoneInfo,
        max_bpmn_bytes: int,
        spec_cache_size: int = 32,
        limits: object = None,
    ):
        """`limits` is anything with the bounds' names (the Settings), else the defaults."""
        self.zone = zone
        self.max_bpmn_bytes = max_bpmn_bytes
        self.limits = Limits.of(limits) if limits is not None else Limits()
        self._specs: LruCache[Specs] = LruCache(spec_cache_size)

    def specs_for(self, content_hash: str, read_xml: Callable[[], str]) -> Specs:
        """A version's specs, parsed once per process and keyed by its (immutable) hash.

        `read_xml` is called only on a miss, so a hit never loads the diagram text.
        """
        return self._specs.get_or_make(content_hash, lambda: self.parse_specs(read_xml()))

    def parse_specs(self, xml: str) -> Specs:
        root = load_xml(xml.encode("utf-8"), max_bytes=self.max_bpmn_bytes)
        spec, subprocess_specs = build_specs(root)
        process = serializer.prepare_spec(spec)
        called = {name: serializer.prepare_spec(sub) for name, sub in subprocess_specs.items()}
        install_clocked_timers([process, *called.values()])
        install_loop_bounds([process, *called.values()])
        return Specs(process, called)

    def script_engine(self, now: datetime) -> RestrictedScriptEngine:
        return RestrictedScriptEngine(zone=self.zone, now=now, limits=self.limits)

    def start(
        self,
        specs: Specs,
        start_data: dict,
        now: datetime,
        on_run_error: Callable[[DiagramRunError], None] | None = None,
    ) -> LiveWorkflow:
        workflow = BpmnWorkflow(
            specs.process, specs.subprocesses, script_engine=self.script_engine(now)
        )
        live = LiveWorkflow(workflow, seen={}, on_run_error=on_run_error)
        start = workflow.get_next_task(spec_name="Start")
        start.set_data(**start_data)
        with _engine_errors("The process could not start"):
            advance(live)
        return live

    def load(self, parts: Mapping[str, str], specs: Specs, now: datetime) -> LiveWorkflow:
        """A workflow restored from its stored parts (formats already checked)."""
        workflow = serializer.restore(
            parts, specs.process, specs.subprocesses, self.script_engine(now)
        )
        return LiveWorkflow(workflow, seen=snapshot(workflow))


def reuse_workflow(live: LiveWorkflow, now: datetime) -> LiveWorkflow:
    """Start a new step on a cached workflow: the caller's clock, no steps recorded yet."""
    live.steps = []
    live.set_now(now)
    return live


def snapshot(workflow: BpmnWorkflow) -> Seen:
    """Per part, each task's state and last state change: what "unchanged" compares with."""
    return {
        key: {task_id: (t.state, t.last_state_change) for task_id, t in tasks.items()}
        for key, tasks in serializer.part_tasks(workflow).items()
    }


def _record_step(live: LiveWorkflow) -> Callable:
    def did_complete(task) -> None:
        spec = task.task_spec
        if isinstance(spec, ExclusiveGateway):
            taken = [
                _element_of(c) for c in task.children if c.has_state(TaskState.DEFINITE_MASK)
            ]
            live.steps.append(StepRecord("gateway", task, {"taken": taken}))
        elif isinstance(spec, IntermediateCatchEvent) and due_of(task) is not None:
            live.steps.append(StepRecord("timer", task, {"due_at": due_of(task).isoformat()}))
        elif isinstance(spec, CallActivity):
            live.steps.append(StepRecord("call_completed", task))

    return did_complete


def _element_of(task) -> str | None:
    """The BPMN element a task stands for; an activity with boundary events is reached
    through SpiffWorkflow's own split task, which is no element of the diagram."""
    while task.task_spec.bpmn_id is None and task.children:
        task = next(
            (c for c in task.children if not isinstance(c.task_spec, BoundaryEvent)),
            task.children[0],
        )
    return task.task_spec.bpmn_id


def advance(live: LiveWorkflow) -> None:
    """Fire due timers and run engine tasks until only people (or time) can go on.

    SpiffWorkflow's do_engine_steps runs until nothing automatic is left, without a bound;
    a budget counts each automatic step (its will_complete_task callback) per element and
    stops the run when one comes round more than `max_engine_steps` times, so a loop with
    no wait in it cannot hold a request.
    """
    budget = StepBudget(live.workflow.script_engine.limits)
    with _engine_errors("The process could not continue", live):
        live.workflow.refresh_timers()
        live.workflow.do_engine_steps(
            will_complete_task=budget.spend, did_complete_task=_record_step(live)
        )


@contextmanager
def _engine_errors(what: str, live: LiveWorkflow | None = None):
    """A model that cannot go on (no gateway condition matched, ...) is the user's 400; a
    bound of the settings that was hit is told to `live.on_run_error` on its way up."""
    try:
        yield
    except WorkflowException as error:
        raise InvalidInputError(f"{what}: {error}", code="workflow_error") from error
    except DiagramRunError as error:
        if live is not None and live.on_run_error is not None:
            live.on_run_error(error)
        raise


def find_ready_task(live: LiveWorkflow, spiff_task_id: str):
    """The task if the workflow is waiting for it now, else None."""
    try:
        task = live.workflow.get_task_from_id(UUID(spiff_task_id))
    except (KeyError, ValueError, WorkflowException):
        return None
    return task if task is not None and task.has_state(TaskState.READY) else None


def complete_user_task(live: LiveWorkflow, task, data: dict) -> None:
    task.set_data(**data)
    with _engine_errors("The process could not continue", live):
        task.run()
    advance(live)


def _is_changed(task, seen: dict[UUID, tuple[int, float]] | None) -> bool:
    return seen is None or seen.get(task.id) != (task.state, task.last_state_change)


def changed_tasks(live: LiveWorkflow) -> list:
    """Tasks whose state changed since the load (or the last save): a flat scan."""
    return [
        task
        for key, tasks in serializer.part_tasks(live.workflow).items()
        for task in tasks.values()
        if _is_changed(task, live.seen.get(key))
    ]


def changed_ready_user_tasks(changed: list) -> list:
    return [t for t in changed if t.state == TaskState.READY and t.task_spec.manual]


def changed_cancelled_user_tasks(changed: list) -> list:
    return [t for t in changed if t.state == TaskState.CANCELLED and t.task_spec.manual]


def started_call_activities(live: LiveWorkflow, changed: list, names: set[str]) -> list:
    """Top-level call activities among `names` that began during this step."""
    return [
        t
        for t in changed
        if t.state == TaskState.STARTED
        and t.workflow is live.workflow
        and isinstance(t.task_spec, CallActivity)
        and t.task_spec.bpmn_id in names
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


@dataclass(frozen=True)
class Compaction:
    """What `compact_history` did: tasks dropped, or the unfinished ones that stopped it."""

    dropped: int = 0
    blocked_by: tuple[str, ...] = ()


def compact_history(live: LiveWorkflow, anchor) -> Compaction:
    """Cut the finished history above `anchor` (a top-level task just started) from the tree.

    A looping process grows its task tree by a few tasks per period; SpiffWorkflow stops
    seeing READY tasks past depth 1000 and every save pays for the growth. Once a period
    starts, nothing before it is needed to run: the anchor carries a full copy of the data,
    and the event log and task table keep the history. The anchor (with its boundary
    events, when it has any) is re-attached to the root and every task outside it is
    dropped, but only if each of those is finished: a live task beside the period (a
    parallel branch, an event waiting elsewhere) blocks the cut, which is then skipped.
    SpiffWorkflow has no API for this, so it is the one place that rewrites the tree.
    """
    workflow = live.workflow
    root = workflow.task_tree
    top = anchor.parent if isinstance(anchor.parent.task_spec, BoundaryEventSplit) else anchor
    if top.workflow is not workflow or top.parent is root:
        return Compaction()
    keep = {root.id} | {t.id for t in _subtree(top)}
    dropped = [task for task_id, task in workflow.tasks.items() if task_id not in keep]
    blocked = tuple(t.task_spec.bpmn_id or t.task_spec.name for t in dropped if _is_live(t))
    if blocked:
        return Compaction(blocked_by=blocked)
    for task in dropped:
        del workflow.tasks[task.id]
        workflow.subprocesses.pop(task.id, None)
    root._children = [top.id]
    top._parent = root.id
    if workflow.last_task is not None and workflow.last_task.id not in keep:
        workflow.last_task = anchor
    return Compaction(dropped=len(dropped))


def _is_live(task) -> bool:
    """Waiting, ready or running: not finished, nor a prediction of a branch not taken."""
    return task.has_state(TaskState.DEFINITE_MASK)


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
    """The parts to write and the keys to delete, relative to what was loaded or saved.

    A part is written when it is new, when its set of tasks changed, or when any of its
    tasks changed state; afterwards the live workflow counts as saved.
    """
    parts = serializer.part_tasks(live.workflow)
    written = [
        serializer.dump_part(live.workflow, key)
        for key, tasks in parts.items()
        if _is_part_changed(tasks, live.seen.get(key))
    ]
    removed = set(live.seen) - set(parts)
    return written, removed


def mark_saved(live: LiveWorkflow) -> None:
    live.seen = snapshot(live.workflow)


def _is_part_changed(tasks: dict, seen: dict | None) -> bool:
    if seen is None or len(tasks) != len(seen):
        return True
    return any(_is_changed(task, seen) for task in tasks.values())


def task_data(task) -> dict:
    return dict(task.data)


def is_completed(live: LiveWorkflow) -> bool:
    return live.workflow.completed
