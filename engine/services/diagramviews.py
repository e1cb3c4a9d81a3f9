"""Where one run stands, as its diagram shows it: per element, per OPD, and the timer waited on.

The instance page draws the deployed diagram (three pools for the SOP: the yearly process,
one reporting period, one OPD's report) and marks it with this view. A looping process
re-enters its period call activity each period, so adding up every task ever made would
read "4/4" on a step that is open right now: elements of a called process count only the
current period's tasks, and elements of the main process their latest round. An OPD's
report is a multi-instance call activity: it counts OPDs (done / all), each with a row.

Only tasks the viewer may read count (engine.services.tasks.list_instance_tasks applies
the visibility rule), so a PJ Kinerja sees their own OPD's row and never another's. The
waiting timer is found from the diagram and the task table, not by loading the workflow:
an OPD whose last task is done and is followed by a timer event waits on that timer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.outlines import Outline, read_outline
from engine.events import EventType
from engine.models import DefinitionVersion, Event, HumanTask, ProcessInstance, User
from engine.models.instances import STATUS_RUNNING
from engine.models.tasks import TASK_COMPLETED, TASK_OPEN
from engine.runtime import runtime_of
from engine.services import tasks, versions

STATE_OPEN = "open"
STATE_DONE = "done"
STATE_WAITING = "waiting"


# ---- the diagram's outline (parsed once per deployed version) ------------------------------


def outline_of(session: Session, version: DefinitionVersion) -> Outline:
    """The version's outline, parsed once per process (a deployed version never changes)."""
    rt = runtime_of(session)
    return rt.versions.get_or_make(
        ("diagram-outline", version.content_hash),
        lambda: read_outline(versions.diagram_of(version).encode(), version.definition.key,
                             max_bytes=rt.settings.max_bpmn_bytes),
    )


# ---- the view -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    done: int = 0
    open: int = 0
    total: int = 0
    state: str | None = None  # STATE_OPEN, STATE_DONE, STATE_WAITING or None (not reached)

    def to_dict(self) -> dict:
        return {"done": self.done, "open": self.open, "total": self.total, "state": self.state}


@dataclass(frozen=True)
class OpdRow:
    """One OPD's report in the current period: where it is and what it waits for."""

    opd_code: str
    opd_name: str
    state: str
    task: HumanTask  # the open task, else the last one done
    timer_id: str | None = None  # the timer event it waits on
    waiting_until: date | None = None


@dataclass(frozen=True)
class TimerWait:
    element_id: str
    name: str
    until: date | None
    opd_count: int


@dataclass(frozen=True)
class ProcessView:
    process_id: str
    name: str
    participant_id: str | None
    state: str | None
    is_main: bool


@dataclass(frozen=True)
class DiagramView:
    period_no: int
    in_period: bool
    period_end: date | None
    elements: dict[str, Counts]
    position: tuple[str, ...]
    processes: tuple[ProcessView, ...]
    calls: dict[str, str | None] = field(default_factory=dict)  # call id -> called pool
    period_call: str | None = None
    opd_call: str | None = None
    opd_rows: tuple[OpdRow, ...] = ()
    waits: tuple[TimerWait, ...] = field(default=())

    @property
    def opds_done(self) -> int:
        return sum(row.state == STATE_DONE for row in self.opd_rows)


def describe_diagram(session: Session, actor: User, instance_id: int) -> DiagramView:
    """The run's diagram state for `actor`: counts per element, OPD rows, timer waits."""
    rows = [t for t in tasks.list_instance_tasks(session, actor, instance_id)
            if t.state in (TASK_OPEN, TASK_COMPLETED)]
    instance = session.get(ProcessInstance, instance_id)
    outline = outline_of(session, instance.version)
    in_period, period_end = _period_state(session, instance, outline)
    current = [t for t in rows if t.period_no == instance.period_no
               and outline.process_of.get(t.element_id) != outline.main_process_id]
    elements = _task_counts(outline, rows, instance.period_no)
    days = _timer_days(session, instance, outline, period_end)
    opd_call, opd_rows = _opd_rows(outline, current, in_period, days)
    waits = _waits(outline, opd_rows)
    elements.update(_call_counts(outline, opd_call, opd_rows, current))
    elements.update({w.element_id: Counts(0, w.opd_count, w.opd_count, STATE_WAITING)
                     for w in waits})
    return DiagramView(
        period_no=instance.period_no, in_period=in_period, period_end=period_end,
        elements=elements,
        position=tuple(sorted(k for k, c in elements.items() if c.state in (STATE_OPEN,
                                                                            STATE_WAITING))),
        processes=_process_views(outline, elements),
        calls=_called_participants(outline),
        period_call=next(iter(sorted(_rules(session, instance).period_activities)), None),
        opd_call=opd_call, opd_rows=opd_rows, waits=waits,
    )


def _period_state(session, instance, outline) -> tuple[bool, date | None]:
    """Whether the run is inside a period now, and the day that period ends (when known)."""
    last = session.scalars(
        select(Event)
        .where(Event.instance_id == instance.id,
               Event.type.in_((EventType.PERIOD_STARTED, EventType.PERIOD_COMPLETED)))
        .order_by(Event.seq.desc()).limit(1)
    ).first()
    if last is None or last.type != EventType.PERIOD_STARTED:
        return False, None
    return instance.status == STATUS_RUNNING, _as_day(last.payload.get("akhir_periode"))


def _timer_days(session, instance, outline: Outline, period_end) -> dict[str, date | None]:
    """The day each timer event fires: a timer on the period's end variable (the SOP's
    row 12) fires on the period's last day; any other on the run's next due timer."""
    ends = set(_rules(session, instance).period_end_variables.values())
    fallback = _next_due_day(session, instance)
    return {timer: period_end if expression in ends and period_end else fallback
            for timer, expression in outline.timers.items()}


def _as_day(value) -> date | None:
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _next_due_day(session, instance) -> date | None:
    """The waiting timer's day from the instance's next due time, when no failure moved it."""
    if instance.next_due_at is None or instance.failed_attempts:
        return None
    return _local(instance.next_due_at, session).date()


def _local(moment: datetime, session) -> datetime:
    return moment.astimezone(runtime_of(session).settings.zone)


def _task_counts(outline: Outline, rows: Iterable[HumanTask], period_no: int) -> dict:
    """Per user-task element: a called process's element counts the current period only,
    a main-process element its latest round (the period in which it last had tasks)."""
    by_element: dict[str, list[HumanTask]] = defaultdict(list)
    for row in rows:
        by_element[row.element_id].append(row)
    counts = {}
    for element_id, group in by_element.items():
        if outline.process_of.get(element_id) == outline.main_process_id:
            latest = max(t.period_no for t in group)
            group = [t for t in group if t.period_no == latest]
        else:
            group = [t for t in group if t.period_no == period_no]
        if group:
            counts[element_id] = _counts_of(group)
    return counts


def _counts_of(group: list[HumanTask]) -> Counts:
    done = sum(t.state == TASK_COMPLETED for t in group)
    opened = len(group) - done
    return Counts(done, opened, len(group), STATE_OPEN if opened else STATE_DONE)


def _opd_rows(outline, current, in_period, days) -> tuple[str | None, tuple]:
    """The multi-instance call activity whose called process holds per-OPD tasks this
    period, and one row per OPD (those the viewer may see), by OPD name."""
    for call_id in sorted(outline.multi_calls):
        called = outline.calls[call_id]
        mine = [t for t in current if t.opd is not None
                and outline.process_of.get(t.element_id) == called]
        if mine:
            by_opd: dict[str, list[HumanTask]] = defaultdict(list)
            for task in mine:
                by_opd[task.opd.code].append(task)
            rows = [_opd_row(outline, group, in_period, days) for group in by_opd.values()]
            return call_id, tuple(sorted(rows, key=lambda r: r.opd_name))
    return None, ()


def _opd_row(outline, group: list[HumanTask], in_period: bool, days: dict) -> OpdRow:
    opd = group[0].opd
    opened = [t for t in group if t.state == TASK_OPEN]
    if opened:
        return OpdRow(opd.code, opd.name, STATE_OPEN, opened[0])
    last = max(group, key=lambda t: t.id)
    timer = outline.timer_after.get(last.element_id)
    if in_period and timer is not None:
        return OpdRow(opd.code, opd.name, STATE_WAITING, last, timer, days.get(timer))
    return OpdRow(opd.code, opd.name, STATE_DONE, last)


def _waits(outline: Outline, opd_rows) -> tuple[TimerWait, ...]:
    """Timer events some OPD waits on now, with the day they fire and how many OPDs wait."""
    found: dict[tuple[str, date | None], int] = defaultdict(int)
    for row in opd_rows:
        if row.state == STATE_WAITING:
            found[(row.timer_id, row.waiting_until)] += 1
    return tuple(TimerWait(timer, outline.names.get(timer, ""), until, n)
                 for (timer, until), n in sorted(found.items()))


def _call_counts(outline, opd_call, opd_rows, current) -> dict:
    """Call activities: the OPD report counts OPDs (done / all); another call counts the
    current period's tasks of its process and is open while they, or a call inside it, are."""
    found = {}
    if opd_call is not None:
        done = sum(r.state == STATE_DONE for r in opd_rows)
        state = STATE_DONE if done == len(opd_rows) else STATE_OPEN
        found[opd_call] = Counts(done, len(opd_rows) - done, len(opd_rows), state)
    for call_id in outline.calls:
        _call_of(outline, call_id, current, found, set())
    return {k: v for k, v in found.items() if v is not None}


def _call_of(outline, call_id: str, current, found: dict, seen: set) -> Counts | None:
    """A call's counts (memoised in `found`); None when its process has nothing yet."""
    if call_id in found or call_id in seen:
        return found.get(call_id)
    seen.add(call_id)
    called = outline.calls[call_id]
    inner = [t for t in current if outline.process_of.get(t.element_id) == called]
    nested = [_call_of(outline, c, current, found, seen) for c in outline.calls
              if outline.process_of.get(c) == called]
    nested = [c for c in nested if c is not None]
    if not inner and not nested:
        found[call_id] = None
        return None
    done = sum(t.state == TASK_COMPLETED for t in inner)
    busy = done < len(inner) or any(c.state == STATE_OPEN for c in nested)
    found[call_id] = Counts(done, len(inner) - done, len(inner),
                            STATE_OPEN if busy else STATE_DONE)
    return found[call_id]


def _process_views(outline: Outline, elements: dict[str, Counts]) -> tuple[ProcessView, ...]:
    """Each pool with its state: open when an element in it is open or waiting."""
    views = []
    for process in outline.processes:
        states = {c.state for k, c in elements.items()
                  if outline.process_of.get(k) == process.process_id}
        state = (STATE_OPEN if states & {STATE_OPEN, STATE_WAITING}
                 else STATE_DONE if STATE_DONE in states else None)
        views.append(ProcessView(process.process_id, process.name, process.participant_id,
                                 state, process.process_id == outline.main_process_id))
    return tuple(views)


def _called_participants(outline: Outline) -> dict[str, str | None]:
    """Each call activity's called pool (participant), where the viewer drills down to."""
    pools = {p.process_id: p.participant_id for p in outline.processes}
    return {call_id: pools.get(called) for call_id, called in outline.calls.items()}


def _rules(session: Session, instance: ProcessInstance):
    return versions.content_of(session, instance.version).rules
