"""Recomputing open tasks' due dates after the holiday table changed: a preview of which
would move, and the explicit action that moves them (never a side effect of an edit).

A due date is what engine.services.deadlines.due_on_for gave when the task was opened:
its row's Waktu in working days from its creation day, or, for a task of a deadline
group, the due date of the task that opened the group. Recomputing asks due_on_for the
same question under today's calendar: for the task that starts the clock (the group's
latest opener before the task, else the task itself), as of the moment it was created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.events import EventType
from engine.models import HumanTask, User
from engine.models.tasks import TASK_OPEN
from engine.services import audit, deadlines, versions
from engine.services.adminusers import ensure_admin


@dataclass(frozen=True)
class Move:
    task: HumanTask
    before: date
    after: date | None


def preview_moves(session: Session, actor: User, now: datetime) -> list[Move]:
    """The open tasks whose due date the current calendar gives differently, by task."""
    ensure_admin(actor)
    return _moves(session, now)


def recompute_due_dates(session: Session, actor: User, now: datetime) -> list[Move]:
    """Move every open task's due date to what the current calendar gives; one event lists
    every move (none when nothing moved)."""
    ensure_admin(actor, writing=True)
    moves = _moves(session, now)
    for move in moves:
        move.task.due_on = move.after
    if moves:
        session.flush()
        audit.lock_global_chain(session)
        audit.record_event(session, None, EventType.DUE_DATES_RECOMPUTED, now, actor_id=actor.id,
                           payload={"tasks_moved": len(moves), "moves": [
                               {"task_id": m.task.id, "before": m.before.isoformat(),
                                "after": m.after.isoformat() if m.after else None}
                               for m in moves]})
    return moves


def _moves(session: Session, now: datetime) -> list[Move]:
    tasks = list(session.scalars(
        select(HumanTask).where(HumanTask.state == TASK_OPEN, HumanTask.due_on.is_not(None))
        .order_by(HumanTask.id)))
    if not tasks:
        return []
    first = min(task.created_at for task in tasks)
    calendar = deadlines.WorkingCalendar.load(session, now, since=first.date())
    moves = []
    for task in tasks:
        after = recomputed_due(session, task, calendar)
        if after is not None and after != task.due_on:
            moves.append(Move(task, task.due_on, after))
    return moves


def recomputed_due(session: Session, task: HumanTask,
                   calendar: deadlines.WorkingCalendar) -> date | None:
    """The due date due_on_for gives `task` under `calendar` (None: it has no Waktu)."""
    starter = _clock_starter(session, task) or task
    due = _due_as_created(session, starter, calendar)
    if due is None and starter is not task:
        due = _due_as_created(session, task, calendar)
    return due


def _due_as_created(session: Session, task: HumanTask,
                    calendar: deadlines.WorkingCalendar) -> date | None:
    # no group in the properties: the clock starts at this task, as it did for it
    return deadlines.due_on_for(session, task.instance, {}, _info(session, task), calendar,
                                task.created_at)


def _clock_starter(session: Session, task: HumanTask) -> HumanTask | None:
    """For a task that inherits its group's due date: the group's latest opener created
    before it, as deadlines._group_due found it when the task was opened."""
    info = _info(session, task)
    group = info.get("deadline_group")
    if not group or _opens_group(info):
        return None
    activities = versions.content_of(session, task.instance.version).activities
    openers = [element_id for element_id, entry in activities.items()
               if entry.get("deadline_group") == group and _opens_group(entry)]
    if not openers:
        return None
    return session.scalars(
        select(HumanTask).where(HumanTask.instance_id == task.instance_id,
                                HumanTask.element_id.in_(openers), HumanTask.id < task.id)
        .order_by(HumanTask.id.desc()).limit(1)).first()


def _info(session: Session, task: HumanTask) -> dict:
    return versions.content_of(session, task.instance.version).activities.get(task.element_id, {})


def _opens_group(info: dict) -> bool:
    return str(info.get("deadline_group_entry", "")).lower() == "true"
