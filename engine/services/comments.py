"""Comments (catatan) on a task or on a run: questions and answers between its people.

Anyone who may read a task may comment on it, open or done, except a read-only person (an
auditor: engine.services.access); a PJ Kinerja cannot even find another OPD's task, so
cannot comment on it. Each comment is also an event in the run's log, so the audit trail
shows the conversation in order. Appending to the run's log moves its chain head on the
instance row, so a comment locks that row first, like any other write on the run: a
comment posted while a step completes waits for it instead of failing the row's version
check. A comment on the run itself (no task) is open to everyone who may read the run and
write; every reader of the run reads it, as they read the run's own events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInputError
from engine.events import EventType
from engine.forms.problems import AT_MOST_CHARS, Problem
from engine.models import Comment, HumanTask, User
from engine.services import access, audit
from engine.services.instances import get_instance_for, lock_instance
from engine.services.tasks import get_task_for, list_instance_tasks

MAX_LENGTH = 5000


def add_comment(session: Session, actor: User, task_id: int, body: str, now: datetime) -> Comment:
    access.ensure_can_write(actor)
    task = get_task_for(session, actor, task_id)
    text = _cleaned(body)
    lock_instance(session, task.instance_id)
    session.refresh(task)  # the task and its instance as they are now that the row is ours
    comment = Comment(
        instance_id=task.instance_id, task_id=task.id, author_id=actor.id, body=text, created_at=now
    )
    session.add(comment)
    session.flush()
    audit.record_task_event(
        session,
        task,
        EventType.COMMENT_ADDED,
        now,
        actor.id,
        {"comment_id": comment.id, "body": text},
    )
    return comment


def _cleaned(body: str) -> str:
    text = (body or "").strip() if isinstance(body, str) else ""
    if not text:
        raise InvalidInputError(
            "A comment cannot be empty",
            code="comment_empty",
            details={"body": ["This field is required"]},
        )
    if len(text) > MAX_LENGTH:
        raise InvalidInputError(
            "A comment is too long",
            code="comment_too_long",
            details={"body": [Problem(AT_MOST_CHARS, n=MAX_LENGTH)]},
        )
    return text


def list_comments(session: Session, actor: User, task_id: int) -> list[Comment]:
    """The task's comments, oldest first, if the actor may read the task."""
    task = get_task_for(session, actor, task_id)
    return list(
        session.scalars(
            select(Comment)
            .where(Comment.task_id == task.id)
            .order_by(Comment.created_at, Comment.id)
        )
    )


def list_run_comments(
    session: Session, actor: User, instance_id: int, periods: Iterable[int] | None = None
) -> dict[int, list[Comment]]:
    """The comments on every task of the run (of `periods`, when given) the actor may read,
    by task id, oldest first: one query for a run's evidence instead of one per task."""
    readable = {task.id for task in list_instance_tasks(session, actor, instance_id, periods)}
    if not readable:
        return {}
    found: dict[int, list[Comment]] = {}
    for comment in session.scalars(
        select(Comment)
        .where(Comment.instance_id == instance_id, Comment.task_id.in_(readable))
        .order_by(Comment.created_at, Comment.id)
    ):
        found.setdefault(comment.task_id, []).append(comment)
    return found


def add_run_comment(
    session: Session, actor: User, instance_id: int, body: str, now: datetime
) -> Comment:
    """A comment on the run as a whole (task_id None), logged on the run's chain."""
    access.ensure_can_write(actor)
    get_instance_for(session, actor, instance_id)
    text = _cleaned(body)
    instance = lock_instance(session, instance_id)
    comment = Comment(
        instance_id=instance.id, task_id=None, author_id=actor.id, body=text, created_at=now
    )
    session.add(comment)
    session.flush()
    audit.record_event(
        session,
        instance,
        EventType.COMMENT_ADDED,
        now,
        actor_id=actor.id,
        payload={"comment_id": comment.id, "body": text},
    )
    return comment


@dataclass(frozen=True)
class RunComment:
    """A comment with the task it belongs to (None: it is about the run itself)."""

    comment: Comment
    task: HumanTask | None


def list_instance_comments(session: Session, actor: User, instance_id: int) -> list[RunComment]:
    """Every comment of the run the actor may read, the run's own and its readable tasks',
    oldest first: what the run's page shows in one list."""
    tasks = {task.id: task for task in list_instance_tasks(session, actor, instance_id)}
    readable = Comment.task_id.is_(None)
    if tasks:
        readable = readable | Comment.task_id.in_(list(tasks))
    rows = session.scalars(
        select(Comment)
        .where(Comment.instance_id == instance_id, readable)
        .order_by(Comment.created_at, Comment.id)
    )
    return [RunComment(row, tasks.get(row.task_id) if row.task_id else None) for row in rows]
