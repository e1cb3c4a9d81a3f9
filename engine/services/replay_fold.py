"""Fold a run's event log, event by event, into where the run stood after each one.

The log is the source of truth: nothing here reads the task table or the workflow. Each
event moves the fold's state (tokens, process and OPD data, flow counts, passes of every
activity) and returns a `Step` saying what it changed; engine.services.replay turns the
steps into the history page's data. The fold is plain Python over rows already read, so
`history_until(k)` folds events 1..k without a query per event.

- Tokens: a task is a token from task_created until its task_completed or task_cancelled;
  when a task completes and the diagram's next element is a timer event (the OPD report's
  row 12 waits on the period's end), that timer holds a token for the task's OPD (or the
  process) until a timer_fired of that element and OPD.
- Data: the start form's answers are the process's data; each completed task's answers
  are merged into the process's data, or into its OPD's when the task belongs to one.
- Flows: see engine.services.replay_graph for which event proves which flow taken.
- Passes: every task opened is one pass of its element; a period call activity counts its
  periods, and an OPD report's call activity (a call that is no period) one pass per
  period and OPD whose tasks it ran.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from engine.events import EventType
from engine.services.replay_graph import FlowGraph

STATE_OPEN = "open"
STATE_COMPLETED = "completed"
STATE_CANCELLED = "cancelled"
NO_OPD = "-"


class Row(NamedTuple):
    """The columns of one event the replay reads (a tuple: a long log makes many)."""

    seq: int
    type: str
    occurred_at: datetime
    actor_id: int | None
    task_id: int | None
    element_id: str | None
    payload: dict


@dataclass
class TaskPass:
    """One task: one pass of its element."""

    task_id: int
    element_id: str | None
    opd: str | None
    period_no: int
    role: str | None
    sop_step: str | None
    opened_at: datetime
    due_on: date | None
    ended_at: datetime | None = None
    state: str = STATE_OPEN


@dataclass
class CallPass:
    """One pass of a call activity: a period, or one OPD's report in one period."""

    element_id: str
    period_no: int
    opd: str | None
    opened_at: datetime
    ended_at: datetime | None = None
    open: set[str] = field(default_factory=set)  # token keys still alive inside it


class Step:
    """What one event did (a plain class with slots: a long log makes many)."""

    __slots__ = ("period_no", "opd", "task", "changes", "added", "removed", "flows")

    def __init__(self, period_no: int) -> None:
        self.period_no = period_no
        self.opd: str | None = None
        self.task: TaskPass | None = None
        self.changes: list[dict] = []
        self.added: list[dict] = []
        self.removed: list[str] = []
        self.flows: list[str] = []


@dataclass(frozen=True)
class Shape:
    """What the fold needs of the diagram: its flow graph, which element a timer follows,
    and which (non-period) call activity runs each element's process."""

    graph: FlowGraph
    timer_after: Mapping[str, str]
    callers: Mapping[str, str]  # element id -> the call activity (not a period) around it


def task_key(task_id: int) -> str:
    return f"task:{task_id}"


def timer_key(element_id: str, opd: str | None) -> str:
    return f"timer:{element_id}:{opd or NO_OPD}"


class Fold:
    """The run's state after the events applied so far."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.process: dict[str, Any] = {}
        self.opd: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict] = {}
        self.tasks: dict[int, TaskPass] = {}
        self.open_count: Counter[str] = Counter()
        self.flows: Counter[str] = Counter()
        self.passes: Counter[str] = Counter()
        self.period_no = 0
        self.periods: list[CallPass] = []
        self.calls: dict[tuple[str, int, str | None], CallPass] = {}

    def apply(self, row: Row) -> Step:
        step = Step(period_no=self.period_no)
        task = self.tasks.get(row.task_id) if row.task_id is not None else None
        if task is not None:
            step.task, step.opd, step.period_no = task, task.opd, task.period_no
        handler = HANDLERS.get(row.type)
        if handler is not None:
            handler(self, row, step)
        for flow in step.flows:
            self.flows[flow] += 1
        return step

    def data(self) -> dict:
        return {"process": dict(self.process),
                "opd": {code: dict(values) for code, values in self.opd.items()}}

    # ---- tokens -------------------------------------------------------------------------

    def add_token(self, step: Step, token: dict, at: datetime) -> None:
        self.tokens[token["key"]] = token
        step.added.append(token)
        group = self._group_of(token["element_id"], step.period_no, token["opd"])
        if group is not None:
            group.open.add(token["key"])
            group.ended_at = None

    def remove_token(self, step: Step, key: str, element_id: str | None, at: datetime) -> None:
        if self.tokens.pop(key, None) is None:
            return
        step.removed.append(key)
        group = self._group_of(element_id, step.period_no, step.opd)
        if group is not None:
            group.open.discard(key)
            if not group.open:
                group.ended_at = at

    def _group_of(self, element_id: str | None, period_no: int, opd: str | None):
        call = self.shape.callers.get(element_id or "")
        return self.calls.get((call, period_no, opd)) if call else None

    def open_call_pass(self, element_id: str | None, period_no: int, opd: str | None,
                       at: datetime) -> None:
        """The first task of a period and OPD inside a call activity starts its pass."""
        call = self.shape.callers.get(element_id or "")
        if call is None or (call, period_no, opd) in self.calls:
            return
        self.calls[(call, period_no, opd)] = CallPass(call, period_no, opd, at)
        self.passes[call] += 1

    # ---- data ---------------------------------------------------------------------------

    def merge(self, step: Step, values: Mapping, scope: str | None) -> None:
        target = self.process if scope is None else self.opd.setdefault(scope, {})
        for key, after in values.items():
            before = target.get(key)
            if _differs(before, after):
                step.changes.append({"scope": scope, "key": key, "before": before,
                                     "after": after})
            target[key] = after


def _differs(before: Any, after: Any) -> bool:
    """A change is a different value, or the same number as another type (1 and True)."""
    return before != after or type(before) is not type(after)


def _token(kind: str, key: str, element_id: str | None, opd: str | None,
           task_id: int | None) -> dict:
    return {"key": key, "kind": kind, "element_id": element_id, "opd": opd, "task_id": task_id}


def _as_date(value: Any) -> date | None:
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


# ---- one handler per kind of event ---------------------------------------------------------


def _instance_started(fold: Fold, row: Row, step: Step) -> None:
    fold.merge(step, row.payload.get("data") or {}, None)
    step.flows.extend(fold.shape.graph.departures.get(row.element_id or "", ()))


def _task_created(fold: Fold, row: Row, step: Step) -> None:
    payload, element_id = row.payload, row.element_id
    task = TaskPass(row.task_id, element_id, payload.get("opd"), payload.get("period_no", 0),
                    payload.get("role"), payload.get("sop_step"), row.occurred_at,
                    _as_date(payload.get("due_on")))
    fold.tasks[row.task_id] = task
    step.task, step.opd, step.period_no = task, task.opd, task.period_no
    fold.passes[element_id] += 1
    fold.open_call_pass(element_id, task.period_no, task.opd, row.occurred_at)
    graph = fold.shape.graph
    if element_id not in graph.batched or fold.open_count[element_id] == 0:
        step.flows.extend(graph.arrivals.get(element_id or "", ()))
    fold.open_count[element_id] += 1
    fold.add_token(step, _token("task", task_key(row.task_id), element_id, task.opd,
                                row.task_id), row.occurred_at)


def _task_ended(fold: Fold, row: Row, step: Step, state: str) -> bool:
    """Close the task's pass; False when the log never opened it (nothing to close)."""
    task = step.task
    if task is None or task.state != STATE_OPEN:
        return False
    task.state, task.ended_at = state, row.occurred_at
    fold.open_count[task.element_id] -= 1
    fold.remove_token(step, task_key(task.task_id), task.element_id, row.occurred_at)
    return True


def _task_completed(fold: Fold, row: Row, step: Step) -> None:
    fold.merge(step, row.payload.get("data") or {}, step.opd)
    if not _task_ended(fold, row, step, STATE_COMPLETED):
        return
    element_id, graph = step.task.element_id, fold.shape.graph
    if element_id not in graph.batched or fold.open_count[element_id] == 0:
        step.flows.extend(graph.departures.get(element_id or "", ()))
    timer = fold.shape.timer_after.get(element_id or "")
    if timer is not None:
        token = _token("timer", timer_key(timer, step.opd), timer, step.opd, None)
        fold.add_token(step, token, row.occurred_at)


def _task_cancelled(fold: Fold, row: Row, step: Step) -> None:
    _task_ended(fold, row, step, STATE_CANCELLED)


def _gateway_taken(fold: Fold, row: Row, step: Step) -> None:
    choices = fold.shape.graph.choices
    for target in row.payload.get("taken") or ():
        flow = choices.get((row.element_id, target))
        if flow is not None:
            step.flows.append(flow)


def _timer_fired(fold: Fold, row: Row, step: Step) -> None:
    step.opd = row.payload.get("opd")
    fold.remove_token(step, timer_key(row.element_id, step.opd), row.element_id,
                      row.occurred_at)
    step.flows.extend(fold.shape.graph.departures.get(row.element_id or "", ()))


def _period_started(fold: Fold, row: Row, step: Step) -> None:
    fold.period_no = step.period_no = row.payload.get("period_no", fold.period_no + 1)
    fold.periods.append(CallPass(row.element_id, fold.period_no, None, row.occurred_at))
    fold.passes[row.element_id] += 1
    graph = fold.shape.graph
    step.flows.extend(graph.arrivals.get(row.element_id or "", ()))
    step.flows.extend(graph.call_starts.get(row.element_id or "", ()))


def _period_completed(fold: Fold, row: Row, step: Step) -> None:
    step.period_no = row.payload.get("period_no", step.period_no)
    for period in reversed(fold.periods):
        if period.element_id == row.element_id and period.period_no == step.period_no:
            period.ended_at = row.occurred_at
            break
    step.flows.extend(fold.shape.graph.departures.get(row.element_id or "", ()))


HANDLERS = {
    EventType.INSTANCE_STARTED.value: _instance_started,
    EventType.TASK_CREATED.value: _task_created,
    EventType.TASK_COMPLETED.value: _task_completed,
    EventType.TASK_CANCELLED.value: _task_cancelled,
    EventType.GATEWAY_TAKEN.value: _gateway_taken,
    EventType.TIMER_FIRED.value: _timer_fired,
    EventType.PERIOD_STARTED.value: _period_started,
    EventType.PERIOD_COMPLETED.value: _period_completed,
}
