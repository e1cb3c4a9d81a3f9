"""Task drafts (Simpan draf): what someone typed into an open task's form, kept on the server.

A draft is stored as typed, not validated (it may be half filled), so that an upload, a
comment or a closed tab never loses it. Only someone who may act on the open task saves
one (an auditor or a reader of another lane never does), each person has their own, and
a task that closes (completed or cancelled) loses every draft of it, in the database: a
trigger on human_tasks deletes them in the UPDATE that closes it (migration 0011), so a
completion sends no DELETE of its own for the drafts that almost never exist.
Drafts are not part of the run's history, so they write no event and take no instance lock.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.errors import (
    InvalidInputError,
    PayloadTooLargeError,
)
from engine.models import HumanTask, User
from engine.models.drafts import TaskDraft
from engine.models.tasks import TASK_OPEN
from engine.services import access, tasks

MAX_DRAFT_BYTES = 256 * 1024


def may_save_draft(actor: User, task: HumanTask) -> bool:
    """An open task in the actor's lane and OPD that nobody else holds."""
    return (
        task.state == TASK_OPEN
        and tasks.can_act(actor, task)
        and task.claimed_by_id in (None, actor.id)
    )


def save_draft(
    session: Session, actor: User, task_id: int, data: dict, now: datetime
) -> TaskDraft:
    """Keep `data` as the actor's draft of the task, replacing their earlier one."""
    task = tasks.get_task_for(session, actor, task_id)
    tasks.ensure_may_add_to(actor, task)
    _check_size(data)
    draft = find_draft(session, actor, task.id)
    if draft is None:
        draft = _insert(session, actor, task, data, now)
    draft.data, draft.saved_at = data, now
    session.flush()
    return draft


def _check_size(data: dict) -> None:
    if not isinstance(data, dict):
        raise InvalidInputError("A draft must be a JSON object", code="draft_not_object")
    size = len(json.dumps(data, ensure_ascii=False, default=str).encode("utf-8"))
    if size > MAX_DRAFT_BYTES:
        raise PayloadTooLargeError(
            "The draft is too large to save",
            code="draft_too_large",
            details={"max_bytes": MAX_DRAFT_BYTES, "bytes": size},
        )


def _insert(session: Session, actor: User, task: HumanTask, data: dict, now: datetime):
    """A new row; when a second request of the same person won the race, reuse its row."""
    try:
        with session.begin_nested():
            draft = TaskDraft(task_id=task.id, user_id=actor.id, data=data, saved_at=now)
            session.add(draft)
            session.flush()
        return draft
    except IntegrityError:
        return find_draft(session, actor, task.id)


def find_draft(session: Session, actor: User, task_id: int) -> TaskDraft | None:
    """The actor's own draft of the task, if any (nobody reads another person's draft)."""
    return session.scalar(
        select(TaskDraft).where(TaskDraft.task_id == task_id, TaskDraft.user_id == actor.id)
    )


def load_draft(session: Session, actor: User, task_id: int) -> TaskDraft | None:
    """The actor's draft of a task they may see and act on; None when there is none."""
    task = tasks.get_task_for(session, actor, task_id)
    if not may_save_draft(actor, task):
        return None
    return find_draft(session, actor, task.id)


def discard_draft(session: Session, actor: User, task_id: int) -> bool:
    """Delete the actor's draft of a task they may see; True when there was one."""
    access.ensure_can_write(actor)
    task = tasks.get_task_for(session, actor, task_id)
    result = session.execute(
        delete(TaskDraft).where(TaskDraft.task_id == task.id, TaskDraft.user_id == actor.id)
    )
    return bool(result.rowcount)
