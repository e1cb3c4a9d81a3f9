"""Deterministic re-execution: does the engine, fed the recorded inputs, make the log again?

An instance is rebuilt in memory from its deployed version (the specs its run used) and
the data its events carry: a fresh workflow with the start event's data at its time, then
every recorded task completion (its data, its time) and every pass of the timer worker
(at the time its first event was logged). After each step the rebuilt engine's events
(replaycheck_engine: what execution.persist would have logged) must be the recorded
events that follow, up to the next input. Within one step their order is not compared
(it is the order of a scan, not a decision), their facts are (replaycheck_views).

A recorded task is the rebuilt task it was matched with when its task_created event was
compared (element, OPD and period), so a completion finds the task it completed; claims,
comments and documents are no engine steps and are passed over. Diagram scripts never
run: the runtime's restricted evaluator decides every condition, as it did live.

The first difference ends the check: `first_mismatch_seq` names the recorded event where
the log and the engine part (or, when the engine goes on past the log's end, the seq the
next event would have had), `expected` and `actual` the two views. Nothing is written:
the caller's transaction may (and in the command does) only read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFoundError
from engine.events import EventType
from engine.models import Event, ProcessInstance
from engine.runtime import runtime_of
from engine.services import versions
from engine.services.replaycheck_engine import Produced, Rebuilt
from engine.services.replaycheck_views import (
    ENGINE_MADE,
    INSTANCE_STARTED,
    TASK_COMPLETED,
    best_candidate,
    describe,
    input_view,
    recorded_view,
)


@dataclass(frozen=True)
class ReplayCheck:
    """The outcome for one instance. `events_compared` counts the recorded events the
    replay drove the engine with or found the engine make, up to the first mismatch."""

    instance_id: int
    ok: bool
    events_compared: int
    first_mismatch_seq: int | None
    expected: dict | None
    actual: dict | None
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


class _Mismatch(Exception):  # noqa: N818 - a signal inside the walk, never seen outside
    def __init__(self, seq: int, expected: dict | None, actual: dict | None, message: str):
        super().__init__(message)
        self.seq, self.expected, self.actual, self.message = seq, expected, actual, message


def check_instance(session: Session, instance_id: int) -> ReplayCheck:
    """Replay one instance against its log (see the module's docstring)."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFoundError("Instance not found", code="instance_not_found")
    walk = _Walk(_rebuilt_for(session, instance))
    try:
        for row in _recorded(session, instance_id):
            walk.take(row)
        walk.finish()
    except _Mismatch as found:
        return ReplayCheck(
            instance_id, False, walk.compared, found.seq, found.expected, found.actual,
            f"event {found.seq}: {found.message}",
        )
    return ReplayCheck(
        instance_id, True, walk.compared, None, None, None,
        f"ok ({walk.compared} events compared)",
    )


def check_all(session: Session) -> Iterator[ReplayCheck]:
    """Every instance, oldest first."""
    for instance_id in instance_ids(session):
        yield check_instance(session, instance_id)


def instance_ids(session: Session) -> list[int]:
    return list(session.scalars(select(ProcessInstance.id).order_by(ProcessInstance.id)))


def _rebuilt_for(session: Session, instance: ProcessInstance) -> Rebuilt:
    version = instance.version
    return Rebuilt(
        runtime_of(session).bpmn,
        versions.specs_of(session, version),
        versions.content_of(session, version).rules,
    )


def _recorded(session: Session, instance_id: int):
    """The instance's events in seq order, only the columns the replay reads."""
    return session.execute(
        select(
            Event.seq, Event.type, Event.occurred_at, Event.task_id, Event.element_id,
            Event.payload,
        )
        .where(Event.instance_id == instance_id)
        .order_by(Event.seq)
    )


class _Walk:
    """The recorded events in order against the rebuilt engine's output."""

    def __init__(self, rebuilt: Rebuilt):
        self.rebuilt = rebuilt
        self.pending: list[Produced] = []  # produced by the last step, not yet matched
        self.tasks: dict[int, object] = {}  # recorded task id -> rebuilt spiff task
        self.compared = 0
        self.last_seq = 0

    def take(self, row) -> None:
        self.last_seq = row.seq
        if row.type == INSTANCE_STARTED:
            self._start(row)
        elif row.type == TASK_COMPLETED:
            self._complete(row)
        elif row.type in ENGINE_MADE:
            self._match(row)
        else:
            return  # claims, comments, documents: no engine step
        self.compared += 1

    def finish(self) -> None:
        if not self.rebuilt.started:
            raise _Mismatch(self.last_seq + 1, {"type": INSTANCE_STARTED}, None,
                            "log: no start of the run; engine: nothing to replay")
        if self.pending:
            extra = self.pending[0].view
            raise _Mismatch(self.last_seq + 1, None, extra,
                            f"log: nothing (it ends); engine: {describe(extra)}")

    # ---- inputs ---------------------------------------------------------------------------

    def _start(self, row) -> None:
        if self.rebuilt.started:
            raise _Mismatch(row.seq, input_view(row), None,
                            "log: the run started again; engine: it runs already")
        data = _payload(row).get("data")
        self.pending = self._step(row, lambda: self.rebuilt.start(
            data if isinstance(data, dict) else {}, row.occurred_at))

    def _complete(self, row) -> None:
        expected = input_view(row)
        self._no_pending(row, expected)
        spiff_task = self.tasks.get(row.task_id)
        if spiff_task is None:
            raise _Mismatch(row.seq, expected, None,
                            f"log: {describe(expected)}; engine: never opened that task")
        if self.rebuilt.ready(spiff_task) is None:
            raise _Mismatch(row.seq, expected, None,
                            f"log: {describe(expected)}; engine: not waiting for that task")
        data = _payload(row).get("data")
        self.pending = self._step(row, lambda: self.rebuilt.complete(
            spiff_task, data if isinstance(data, dict) else {}, row.occurred_at))

    def _step(self, row, run) -> list[Produced]:
        """One engine step; an engine that refuses it is a mismatch at the input."""
        try:
            return run()
        except Exception as error:  # noqa: BLE001 - whatever stops the engine is the finding
            raise _Mismatch(row.seq, input_view(row), None,
                            f"log: {describe(input_view(row))}; engine: could not go on "
                            f"({type(error).__name__}: {error})") from error

    def _no_pending(self, row, expected: dict) -> None:
        """Before the next input, everything the last step produced must have been logged."""
        if self.pending:
            extra = self.pending[0].view
            raise _Mismatch(row.seq, expected, extra,
                            f"log: {describe(expected)}; engine: first {describe(extra)}, "
                            "which the log does not have")

    # ---- engine-made events ---------------------------------------------------------------

    def _match(self, row) -> None:
        expected = recorded_view(row)
        if not self.rebuilt.started:
            raise _Mismatch(row.seq, expected, None,
                            f"log: {describe(expected)}; engine: the run has not started")
        if not self.pending:
            self.pending = self._worker_pass(row, expected)
        index = next((i for i, p in enumerate(self.pending) if p.view == expected), None)
        if index is None:
            actual = best_candidate(expected, self.pending)
            did = describe(actual) if actual else "nothing (it waits for people or time)"
            raise _Mismatch(row.seq, expected, actual, f"log: {describe(expected)}; engine: {did}")
        produced = self.pending.pop(index)
        if row.type == EventType.TASK_CREATED:
            self.tasks[row.task_id] = produced.spiff_task
            self.rebuilt.bind(produced, row.task_id)

    def _worker_pass(self, row, expected: dict) -> list[Produced]:
        """No step of a person explains this event: the timer worker ran at its time."""
        at: datetime = row.occurred_at
        try:
            return self.rebuilt.pass_time(at)
        except Exception as error:  # noqa: BLE001 - whatever stops the engine is the finding
            raise _Mismatch(row.seq, expected, None,
                            f"log: {describe(expected)}; engine: could not go on at "
                            f"{at.isoformat()} ({type(error).__name__}: {error})") from error


def _payload(row) -> dict:
    return row.payload if isinstance(row.payload, dict) else {}
