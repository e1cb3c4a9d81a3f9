"""Run-time bounds on what a deployed diagram may make the engine do in one go.

Deploy refuses what it can see (engine.bpmn.bounds); these bounds catch what depends on
a run's data or slipped past the static checks: a multi-instance whose collection or
count (from data) is larger than `max_loop_cardinality`, and a request in which one
element of one running process completes more than `max_engine_steps` times (a loop). Either raises
DiagramRunError before the step's effects can be kept: the caller's transaction rolls
back and the workflow object, never put back in the cache, is thrown away.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import (
    ParallelMultiInstanceTask,
    SequentialMultiInstanceTask,
)

from engine.errors import N_, DiagramRunError

LOOP_TOO_LARGE = N_(
    "This step would start more parallel copies of a task than the system allows; nothing "
    "was saved. Ask the administrator to check the process diagram or the data."
)
LOOP_NOT_COUNTABLE = N_(
    "A repeated task of this process has no list of items or whole-number count to repeat "
    "over; nothing was saved. Ask the administrator to check the process diagram."
)
TOO_MANY_STEPS = N_(
    "The process ran more automatic steps than allowed without reaching a task or a wait; "
    "it was stopped and nothing was saved. Ask the administrator to check the process diagram."
)

LIMIT_REASONS = {
    "engine_steps_exceeded": TOO_MANY_STEPS,
    "loop_cardinality_exceeded": LOOP_TOO_LARGE,
    "loop_not_countable": LOOP_NOT_COUNTABLE,
}


@dataclass(frozen=True)
class Limits:
    """The settings' bounds (engine.config.Settings), as the BPMN layer reads them."""

    max_loop_cardinality: int = 200
    max_engine_steps: int = 100
    min_timer_cycle_seconds: int = 60
    max_timer_repetitions: int = 1000

    @classmethod
    def of(cls, source) -> Limits:
        """The bounds read off any object that has them by name (engine.config.Settings)."""
        return cls(**{name: getattr(source, name) for name in cls.__dataclass_fields__})


def limits_of(task) -> Limits:
    """The bounds of the runtime that built this task's workflow (its script engine)."""
    return getattr(task.workflow.script_engine, "limits", None) or Limits()


def element_details(spec) -> dict:
    """The element's id and name; a multi-instance's name is on the task it repeats."""
    name = spec.bpmn_name
    repeated = getattr(spec, "task_spec", None)
    if name is None and isinstance(repeated, str) and repeated in spec._wf_spec.task_specs:
        name = spec._wf_spec.task_specs[repeated].bpmn_name
    return {"element_id": spec.bpmn_id, "element_name": name}


class StepBudget:
    """Counts automatic steps (SpiffWorkflow's will_complete_task callback) per element of
    each running (sub)process, and stops the run when one element comes round more than
    `max_engine_steps` times in one request.

    A loop is the same element of the same process instance completing again and again,
    so that is what is bounded. A bound on the total would instead grow with the number
    of OPDs: opening a period for 200 OPDs completes some 800 steps, but each in an OPD's
    own subprocess, once.
    """

    def __init__(self, limits: Limits):
        self.limit = limits.max_engine_steps
        self.spent: Counter[tuple[int, str]] = Counter()

    def spend(self, task) -> None:
        spec = task.task_spec
        key = (id(task.workflow), spec.bpmn_id or spec.name)
        self.spent[key] += 1
        if self.spent[key] > self.limit:
            raise DiagramRunError(
                TOO_MANY_STEPS,
                code="engine_steps_exceeded",
                details={"limit": self.limit, **element_details(spec)},
            )


def planned_copies(spec, task) -> int:
    """How many copies a multi-instance is about to make, from its data or its count."""
    if spec.data_input is None:
        count = task.workflow.script_engine.evaluate(task, spec.cardinality)
        if not isinstance(count, int) or isinstance(count, bool):
            raise DiagramRunError(
                LOOP_NOT_COUNTABLE, code="loop_not_countable", details=element_details(spec)
            )
        return count
    items = spec.data_input.get(task) if spec.data_input.exists(task) else None
    if not isinstance(items, (list, tuple, Mapping)):
        raise DiagramRunError(
            LOOP_NOT_COUNTABLE, code="loop_not_countable", details=element_details(spec)
        )
    return len(items)


def check_copies(spec, task) -> None:
    count, limit = planned_copies(spec, task), limits_of(task).max_loop_cardinality
    if count > limit:
        raise DiagramRunError(
            LOOP_TOO_LARGE,
            code="loop_cardinality_exceeded",
            details={"count": count, "limit": limit, **element_details(spec)},
        )


class BoundedParallel:
    """Checks the number of copies before SpiffWorkflow makes them all at once."""

    def create_children(self, my_task):
        check_copies(self, my_task)
        return super().create_children(my_task)


class BoundedSequential:
    """Checks the number of copies before the first one (they then come one at a time)."""

    def add_next_child(self, my_task):
        if not my_task.internal_data.get("merged") and not list(self._instances(my_task)):
            check_copies(self, my_task)
        return super().add_next_child(my_task)


_BOUNDED: dict[type, type] = {}


def _bounded_class(cls: type) -> type:
    if cls not in _BOUNDED:
        mixin = BoundedParallel if issubclass(cls, ParallelMultiInstanceTask) else BoundedSequential
        _BOUNDED[cls] = type(f"Bounded{cls.__name__}", (mixin, cls), {})
    return _BOUNDED[cls]


def install_loop_bounds(specs) -> None:
    """Swap every multi-instance of freshly prepared specs for its bounded kind."""
    kinds = (ParallelMultiInstanceTask, SequentialMultiInstanceTask)
    for spec in specs:
        for task_spec in spec.task_specs.values():
            cls = type(task_spec)
            if isinstance(task_spec, kinds) and cls not in _BOUNDED.values():
                task_spec.__class__ = _bounded_class(cls)
