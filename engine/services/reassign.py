"""Disposisi: the Kepala UKPBJ (or an administrator) hands an open task to someone else.

The new assignee must be able to act on the task themselves: an active person who holds
the task's role and, for a role whose people belong to one OPD (a PJ Kinerja), the task's
OPD, and who is not read-only. The task becomes claimed by them, the run's log says who
gave it to whom and why (TASK_REASSIGNED), and they are told (engine.services
.notifications). Like every write on a run, the instance row is locked first and the task
re-read, so a disposition and a colleague's Kirim queue up instead of crossing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import N_, ConflictError, InvalidInputError, PermissionDeniedError
from engine.events import EventType
from engine.forms.problems import AT_MOST_CHARS, Problem
from engine.models import HumanTask, User, UserRole
from engine.models.tasks import TASK_COMPLETED, TASK_OPEN
from engine.models.users import OPD_ROLES
from engine.services import access, audit, notifications
from engine.services.instances import lock_instance
from engine.services.tasks import get_task_for

MAX_REASON = 500
MAX_USERNAME = 64


def can_reassign(actor: User, task: HumanTask) -> bool:
    """Whether the task page offers this person the Disposisi form."""
    return task.state == TASK_OPEN and access.can_reassign(actor)


def list_eligible(session: Session, actor: User, task_id: int) -> list[User]:
    """Who may receive the task, by name: active people of its role (and OPD, for a role
    of one OPD), never the person who holds it now nor a read-only person."""
    task = get_task_for(session, actor, task_id)
    _ensure_reassigner(actor)
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == task.role, User.is_active.is_(True))
        .order_by(User.full_name, User.id)
    )
    if task.opd_id is not None or task.role in OPD_ROLES:
        query = query.where(User.opd_id == task.opd_id)
    people = session.scalars(query).unique()
    return [
        person
        for person in people
        if person.id != task.claimed_by_id and not access.is_read_only(person)
    ]


def reassign_task(
    session: Session, actor: User, task_id: int, to_username: str, reason: str, now: datetime
) -> HumanTask:
    """Give the open task to `to_username`, with a reason; refused whole, or done whole."""
    access.ensure_can_write(actor)
    task = get_task_for(session, actor, task_id)
    _ensure_reassigner(actor)
    text = _cleaned_reason(reason)
    lock_instance(session, task.instance_id)
    session.refresh(task)
    _ensure_open(task)
    target = _eligible_target(session, task, to_username)
    before = task.claimed_by.username if task.claimed_by is not None else None
    task.claimed_by_id, task.claimed_at, task.claimed_by = target.id, now, target
    audit.record_task_event(
        session,
        task,
        EventType.TASK_REASSIGNED,
        now,
        actor.id,
        {
            "to_user_id": target.id,
            "to_username": target.username,
            "from_username": before,
            "reason": text,
        },
    )
    notifications.task_reassigned(session, task, target, actor, text, now)
    return task


def _ensure_reassigner(actor: User) -> None:
    if not access.can_reassign(actor):
        raise PermissionDeniedError(
            N_("Only the Kepala UKPBJ or an administrator may reassign a task"),
            code="reassign_not_allowed",
        )


def _ensure_open(task: HumanTask) -> None:
    if task.state == TASK_COMPLETED:
        raise ConflictError(
            N_("This task has already been completed"), code="task_already_completed"
        )
    if task.state != TASK_OPEN:
        raise ConflictError(N_("This task is no longer open"), code="task_not_open")


def _cleaned_reason(reason: str) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInputError(
            N_("Give a reason for the reassignment"),
            code="reassign_reason_required",
            details={"reason": ["This field is required"]},
        )
    if len(text) > MAX_REASON:
        raise InvalidInputError(
            N_("The reason is too long"),
            code="reassign_reason_too_long",
            details={"reason": [Problem(AT_MOST_CHARS, n=MAX_REASON)]},
        )
    return text


def _refused(message: str, code: str) -> InvalidInputError:
    return InvalidInputError(message, code=code, details={"to": [message]})


def _eligible_target(session: Session, task: HumanTask, username: str) -> User:
    """The person named, if they may take the task; else a refusal that says why."""
    name = username.strip() if isinstance(username, str) else ""
    target = (
        session.scalars(select(User).where(User.username == name)).first()
        if 0 < len(name) <= MAX_USERNAME
        else None
    )
    if target is None:
        raise _refused(N_("There is no such person"), "assignee_unknown")
    if not target.is_active:
        raise _refused(N_("This person's account is deactivated"), "assignee_inactive")
    if task.role not in target.roles or access.is_read_only(target):
        raise _refused(N_("This person does not work in the task's lane"), "assignee_wrong_role")
    if (task.opd_id is not None or task.role in OPD_ROLES) and target.opd_id != task.opd_id:
        raise _refused(N_("This person belongs to another OPD"), "assignee_wrong_opd")
    if target.id == task.claimed_by_id:
        raise _refused(N_("This person already holds the task"), "assignee_already_holds")
    return target
