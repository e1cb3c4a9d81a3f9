"""What replay-check compares: a recorded event's engine-made facts, and plain words for them.

A recorded event and an event the rebuilt engine produced are compared through the same
small view: its type, element and the facts the engine decides (a task's OPD and period, a
gateway's taken flows, a timer's OPD, a period's number and end). Deadlines are left out
(a holiday added later moves a due date without the engine doing anything else), and so
is everything people decide (who claimed, who commented, which documents).
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.events import EventType

# Events a person's action or the clock causes: the replay drives the engine with them.
INSTANCE_STARTED = EventType.INSTANCE_STARTED.value
TASK_COMPLETED = EventType.TASK_COMPLETED.value

# Events the engine makes on its own: each must come out of the rebuilt engine too.
ENGINE_MADE = frozenset(
    t.value
    for t in (
        EventType.TASK_CREATED,
        EventType.TASK_CANCELLED,
        EventType.GATEWAY_TAKEN,
        EventType.TIMER_FIRED,
        EventType.PERIOD_STARTED,
        EventType.PERIOD_COMPLETED,
        EventType.INSTANCE_ENDED,
    )
)

# The payload keys each engine-made type is compared on (besides type and element).
COMPARED_KEYS = {
    EventType.TASK_CREATED.value: ("opd", "period_no"),
    EventType.GATEWAY_TAKEN.value: ("taken",),
    EventType.TIMER_FIRED.value: ("opd",),
    EventType.PERIOD_STARTED.value: ("period_no", "akhir_periode"),
    EventType.PERIOD_COMPLETED.value: ("period_no",),
}


def recorded_view(row) -> dict:
    """The comparable facts of a recorded engine-made event (a row with type, element_id,
    task_id and payload). A payload edited into another shape still gives a view."""
    kind = row.type
    if kind == EventType.INSTANCE_ENDED.value:
        return {"type": kind}
    view = {"type": kind, "element_id": row.element_id}
    if kind == EventType.TASK_CANCELLED.value:
        view["task_id"] = row.task_id
    payload = row.payload if isinstance(row.payload, Mapping) else {}
    for key in COMPARED_KEYS.get(kind, ()):
        view[key] = payload.get(key)
    return view


def input_view(row) -> dict:
    """What names a recorded input (a start, a completion) in a report."""
    view = {"type": row.type, "element_id": row.element_id}
    if row.task_id is not None:
        view["task_id"] = row.task_id
    return view


def describe(view: Mapping | None) -> str:
    """One event's view in a line of plain English (for the command's output)."""
    if view is None:
        return "nothing"
    kind, element = view.get("type"), view.get("element_id")
    words = {
        EventType.TASK_CREATED.value: lambda: (
            f"task {element} opened (OPD {view.get('opd') or '-'}, "
            f"period {view.get('period_no')})"
        ),
        EventType.TASK_CANCELLED.value: lambda: (
            f"task {element} cancelled (task {view.get('task_id')})"
        ),
        EventType.GATEWAY_TAKEN.value: lambda: (
            f"gateway {element} took {_flows(view.get('taken'))}"
        ),
        EventType.TIMER_FIRED.value: lambda: (
            f"timer {element} fired (OPD {view.get('opd') or '-'})"
        ),
        EventType.PERIOD_STARTED.value: lambda: (
            f"period {view.get('period_no')} started at {element} "
            f"(ends {view.get('akhir_periode') or '-'})"
        ),
        EventType.PERIOD_COMPLETED.value: lambda: (
            f"period {view.get('period_no')} completed at {element}"
        ),
        EventType.INSTANCE_ENDED.value: lambda: "the run ended",
        TASK_COMPLETED: lambda: f"task {element} completed (task {view.get('task_id')})",
        INSTANCE_STARTED: lambda: "the run started",
    }
    found = words.get(kind)
    return found() if found else f"{kind} at {element or '-'}"


def _flows(taken) -> str:
    if not isinstance(taken, list) or not taken:
        return "no way out"
    return " and ".join(str(t) for t in taken)


def best_candidate(expected: Mapping, produced: list) -> dict | None:
    """Of the events the engine produced instead, the one most like `expected`: same type
    and element, else same type, else the first; None when it produced nothing."""
    views = [p.view for p in produced]
    for same in (
        lambda v: v.get("type") == expected.get("type")
        and v.get("element_id") == expected.get("element_id"),
        lambda v: v.get("type") == expected.get("type"),
    ):
        found = next((v for v in views if same(v)), None)
        if found is not None:
            return found
    return views[0] if views else None
