"""The replay's folded steps as the history page reads them: events, activities, OPD work.

Names come from the version the run ran on (its activities, its diagram's names and
lanes), people and OPDs by their names; ids stay in their own fields, never in a label.
Every duration and lateness is engine.services.durations' (`pass_timing`), memoised per
opening day, end day and due date, since a long run repeats the same few combinations.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

from engine.errors import N_
from engine.events import EventType, find_event_type
from engine.services.deadlines import WorkingCalendar
from engine.services.durations import PassTiming, pass_timing
from engine.services.replay_fold import STATE_OPEN, CallPass, Fold, Row, Step, TaskPass

OTHER_EVENT = N_("Recorded event")
WITH_DATA = frozenset({EventType.INSTANCE_STARTED.value, EventType.TASK_COMPLETED.value})
DOCUMENT_ADDED = EventType.DOCUMENT_ADDED.value
COMMENT_ADDED = EventType.COMMENT_ADDED.value
TASK_ENDS = frozenset({EventType.TASK_COMPLETED.value, EventType.TASK_CANCELLED.value})


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def iso_day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


@functools.cache
def label_of(event_type: str) -> str:
    """The English msgid naming a kind of event (the API translates it)."""
    found = find_event_type(event_type)
    return found.label if found is not None else OTHER_EVENT


class Timing:
    """pass_timing against one calendar and one `now`, memoised by moments (a step makes
    many events at one moment) and by local days (a long run repeats the same few)."""

    def __init__(self, calendar: WorkingCalendar, now: datetime) -> None:
        self.calendar, self.now = calendar, now
        self._moments: dict[tuple, PassTiming] = {}
        self._days: dict[tuple, PassTiming] = {}

    def of(self, opened_at: datetime, ended_at: datetime | None, due_on: date | None):
        key = (opened_at, ended_at, due_on)
        found = self._moments.get(key)
        if found is None:
            found = self._moments[key] = self._by_days(opened_at, ended_at, due_on)
        return found

    def _by_days(self, opened_at: datetime, ended_at: datetime | None, due_on: date | None):
        local = self.calendar.local_date
        key = (local(opened_at), local(ended_at or self.now), due_on)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = pass_timing(self.calendar, opened_at, ended_at, due_on,
                                                  self.now)
        return found


class Names:
    """What the events name: each element's facts, people's and OPDs' names; element facts
    and ISO moments are worked out once each."""

    def __init__(self, activity_ids: tuple[str, ...], infos: Mapping[str, dict],
                 element_names: Mapping[str, str], lanes: Mapping[str, str],
                 people: Mapping[int, str], opds: Mapping[str, str]) -> None:
        self.activity_ids = activity_ids  # the version's activities, listed on the page
        self.infos = infos  # element id -> the version's activity facts
        self.element_names = element_names  # element id -> its name in the diagram
        self.lanes = lanes  # element id -> its lane's name
        self.people = people  # user id -> full name
        self.opds = opds  # OPD code -> name
        self._elements: dict[str | None, dict] = {}
        self._moments: dict[datetime, str] = {}

    def element(self, element_id: str | None) -> dict:
        found = self._elements.get(element_id)
        if found is None:
            info = self.infos.get(element_id or "") or {}
            found = self._elements[element_id] = {
                "element_name": info.get("name") or self.element_names.get(element_id or ""),
                "sop_step": info.get("sop_step"),
                "lane": info.get("lane") or self.lanes.get(element_id or ""),
                "role": info.get("role"),
            }
        return found

    def iso(self, moment: datetime) -> str:
        found = self._moments.get(moment)
        if found is None:
            found = self._moments[moment] = iso(moment)
        return found


def describe_event(row: Row, step: Step, names: Names, late: bool) -> dict:
    """One event as the timeline shows it, with what it changed."""
    payload, kind, task = row.payload, row.type, step.task
    element = names.element(row.element_id)
    return {
        "seq": row.seq, "type": kind, "label": label_of(kind),
        "occurred_at": names.iso(row.occurred_at),
        "actor": _actor(row.actor_id, names),
        "element_id": row.element_id, "element_name": element["element_name"],
        "sop_step": (task.sop_step if task else None) or element["sop_step"],
        "lane": element["lane"],
        "role": (task.role if task else None) or element["role"],
        "opd": step.opd, "opd_name": names.opds.get(step.opd) if step.opd else None,
        "period_no": step.period_no, "task_id": row.task_id,
        "submitted": payload.get("data") if kind in WITH_DATA else None,
        "documents": _documents(row) if kind == DOCUMENT_ADDED else [],
        "comment": payload.get("body") if kind == COMMENT_ADDED else None,
        "changes": step.changes, "tokens_added": step.added, "tokens_removed": step.removed,
        "flows_taken": step.flows, "late": late,
    }


def _actor(actor_id: int | None, names: Names) -> dict | None:
    if actor_id is None:
        return None
    return {"id": actor_id, "name": names.people.get(actor_id)}


def _documents(row: Row) -> list[dict]:
    payload = row.payload
    return [{"id": payload.get("document_id"), "filename": payload.get("filename"),
             "size": payload.get("size"), "sha256": payload.get("sha256")}]


def event_late(row: Row, step: Step, timing: Timing, still_open: bool) -> bool:
    """Red on the timeline: the event that ended a late pass, and the opening of a pass
    that is still open (at the end of the log) and already late."""
    task = step.task
    if task is None:
        return False
    if row.type in TASK_ENDS and task.ended_at is not None:
        return timing.of(task.opened_at, row.occurred_at, task.due_on).late
    if row.type == EventType.TASK_CREATED and still_open:
        return timing.of(task.opened_at, None, task.due_on).late
    return False


# ---- activities and the OPDs' work ---------------------------------------------------------


def task_pass(task: TaskPass, timing: Timing, names: Names) -> dict:
    timed = timing.of(task.opened_at, task.ended_at, task.due_on)
    return {"task_id": task.task_id, "period_no": task.period_no, "opd": task.opd,
            "opd_name": names.opds.get(task.opd) if task.opd else None,
            "opened_at": names.iso(task.opened_at),
            "ended_at": names.iso(task.ended_at) if task.ended_at else None,
            "due_on": iso_day(task.due_on), "days": timed.days, "late": timed.late,
            "days_late": timed.days_late, "state": task.state}


def call_pass(call: CallPass, timing: Timing, names: Names) -> dict:
    timed = timing.of(call.opened_at, call.ended_at, None)
    return {"task_id": None, "period_no": call.period_no, "opd": call.opd,
            "opd_name": names.opds.get(call.opd) if call.opd else None,
            "opened_at": iso(call.opened_at), "ended_at": iso(call.ended_at), "due_on": None,
            "days": timed.days, "late": False, "days_late": 0,
            "state": STATE_OPEN if call.ended_at is None else "completed"}


def activities_of(fold: Fold, names: Names, timing: Timing) -> dict:
    """Every activity of the version with each of its passes (none if never reached)."""
    details: dict[str, list[dict]] = {key: [] for key in names.activity_ids}
    for task in fold.tasks.values():
        details.setdefault(task.element_id, []).append(task_pass(task, timing, names))
    for call in [*fold.periods, *fold.calls.values()]:
        details.setdefault(call.element_id, []).append(call_pass(call, timing, names))
    return {element_id: _activity(element_id, passes, names)
            for element_id, passes in details.items()}


def _activity(element_id: str, passes: list[dict], names: Names) -> dict:
    info = names.infos.get(element_id) or {}
    return {
        "name": info.get("name") or names.element_names.get(element_id),
        "sop_step": info.get("sop_step"),
        "waktu": info.get("waktu_hari_kerja"),
        "passes": len(passes),
        "late_passes": sum(p["late"] for p in passes),
        "total_days": sum(p["days"] for p in passes),
        "passes_detail": passes,
    }


def opd_work_of(tasks: Iterable[TaskPass], names: Names, timing: Timing) -> list[dict]:
    """The per-OPD rows (tasks of an OPD), by period, row and OPD name."""
    rows = []
    for task in tasks:
        if task.opd is None:
            continue
        timed = timing.of(task.opened_at, task.ended_at, task.due_on)
        rows.append({
            "element_id": task.element_id, "sop_step": task.sop_step,
            "period_no": task.period_no, "opd": task.opd,
            "opd_name": names.opds.get(task.opd), "opened_at": names.iso(task.opened_at),
            "ended_at": names.iso(task.ended_at) if task.ended_at else None,
            "due_on": iso_day(task.due_on),
            "days": timed.days, "late": timed.late, "days_late": timed.days_late,
        })
    rows.sort(key=lambda r: (r["period_no"], _step_order(r["sop_step"]), r["opd_name"] or ""))
    return rows


def _step_order(sop_step: str | None) -> tuple:
    """'10' before '11' before '12' (numbers as numbers), anything else after."""
    text = sop_step or ""
    digits = "".join(ch for ch in text if ch.isdigit())
    return (int(digits) if digits else 10**6, text)
