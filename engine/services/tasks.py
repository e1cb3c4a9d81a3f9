"""The staff's work: list, claim, release and complete human tasks.

Every function checks the actor against the task's lane role and, for a task that belongs
to an OPD (its lane declares the OPD variable, engine.sop), the actor's OPD. A task the
actor may not see is reported exactly like a missing one, so a forged id reveals nothing.
Writes lock the instance row first, so two people acting on the same instance queue up;
the loser of a race gets a ConflictError.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from engine import forms
from engine.bpmn import runtime
from engine.errors import ConflictError, NotFoundError, PermissionDeniedError
from engine.events import EventType
from engine.models import HumanTask, Opd, ProcessInstance, User
from engine.models.tasks import TASK_COMPLETED, TASK_OPEN
from engine.services import access, audit, execution, versions
from engine.services.instances import (
    can_view_instance,
    get_instance_for,
    lock_instance_of_task,
)
from engine.services.taskviews import form_context

SCOPES = ("mine", "group", "all")
LATEST_BATCH = 20  # completed tasks read at a time, newest first, to find a visible one
SORTS = {
    "due_on": (HumanTask.due_on, HumanTask.id),
    "created_at": (HumanTask.created_at, HumanTask.id),
    "-created_at": (HumanTask.created_at.desc(), HumanTask.id.desc()),
}


@dataclass(frozen=True)
class TaskFilters:
    scope: str = "all"
    state: str = TASK_OPEN
    sop_step: str | None = None
    instance_id: int | None = None
    opd_code: str | None = None
    sort: str = "due_on"
    page: int = 1
    per_page: int = 20


def can_act(actor: User, task: HumanTask) -> bool:
    """In the actor's lane and OPD, and not read-only: the rule is engine.services.access's."""
    return access.can_act(actor, task)


def can_view(actor: User, task: HumanTask) -> bool:
    """Overseers, the task's own lane and OPD, and shared steps: engine.services.access."""
    return access.can_view_task(actor, task)


def _actionable(actor: User):
    """SQL condition: tasks in the actor's lanes, of no OPD or of the actor's OPD."""
    if not actor.roles:
        return HumanTask.id.is_(None)
    own_opd = HumanTask.opd_id.is_(None)
    if actor.opd_id is not None:
        own_opd = or_(own_opd, HumanTask.opd_id == actor.opd_id)
    return HumanTask.role.in_(actor.roles) & own_opd


def list_tasks(session: Session, actor: User, filters: TaskFilters) -> tuple[list[HumanTask], int]:
    """The actor's tasks: `mine` (claimed by me), `group` (the lane's others: free to take,
    or held by a colleague, shown so the group sees who works on what), or `all` of both."""
    query = select(HumanTask).where(_actionable(actor))
    if filters.state:
        query = query.where(HumanTask.state == filters.state)
    if filters.scope == "mine":
        query = query.where(HumanTask.claimed_by_id == actor.id)
    elif filters.scope == "group":
        query = query.where(
            or_(HumanTask.claimed_by_id.is_(None), HumanTask.claimed_by_id != actor.id)
        )
    query = _narrow(query, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = SORTS.get(filters.sort, SORTS["due_on"])
    # The page is chosen on the task rows alone (an index scan and a top-N sort of narrow
    # rows); only its rows are then joined to their run, OPD and holder for display. Sorting
    # every candidate joined first costs more the longer the backlog.
    page = (
        query.with_only_columns(HumanTask.id)
        .order_by(*order)
        .offset((filters.page - 1) * filters.per_page)
        .limit(filters.per_page)
        .subquery()
    )
    rows = session.scalars(select(HumanTask).join(page, HumanTask.id == page.c.id).order_by(*order))
    return list(rows), total


def _narrow(query, filters: TaskFilters):
    if filters.sop_step:
        query = query.where(HumanTask.sop_step == filters.sop_step)
    if filters.instance_id:
        query = query.where(HumanTask.instance_id == filters.instance_id)
    if filters.opd_code:
        query = query.join(Opd, HumanTask.opd_id == Opd.id).where(Opd.code == filters.opd_code)
    return query


def get_task_for(session: Session, actor: User, task_id: int) -> HumanTask:
    task = session.get(HumanTask, task_id)
    _ensure_visible(session, actor, task)
    return task


def _ensure_visible(session: Session, actor: User, task: HumanTask | None) -> None:
    """The same 404 for a missing task as for one the actor may not see."""
    if task is None or not can_view(actor, task) or not _may_view_run(session, actor, task):
        raise NotFoundError("Task not found", code="task_not_found")


def _may_view_run(session: Session, actor: User, task: HumanTask) -> bool:
    """can_view_instance for the task's run, without its query when the task itself is of
    the actor's OPD (then the actor's OPD has a task in the run, which is the rule)."""
    if task.opd_id is not None and task.opd_id == actor.opd_id:
        return True
    return can_view_instance(session, actor, task.instance_id)


def list_instance_tasks(
    session: Session, actor: User, instance_id: int, periods: Iterable[int] | None = None
) -> list[HumanTask]:
    """Every task of a run the actor may read, open and done, by period then creation; only
    those of `periods` when given (a page about one period need not read the others)."""
    get_instance_for(session, actor, instance_id)
    query = select(HumanTask).where(HumanTask.instance_id == instance_id)
    if periods is not None:
        query = query.where(HumanTask.period_no.in_(set(periods)))
    rows = session.scalars(query.order_by(HumanTask.period_no, HumanTask.id))
    return access.visible_tasks(actor, rows)


def open_instance_tasks(session: Session, actor: User, instance_id: int) -> list[HumanTask]:
    """The run's open tasks the actor may read: an index probe, whatever the history."""
    get_instance_for(session, actor, instance_id)
    rows = session.scalars(
        select(HumanTask)
        .where(HumanTask.instance_id == instance_id, HumanTask.state == TASK_OPEN)
        .order_by(HumanTask.period_no, HumanTask.id)
    )
    return access.visible_tasks(actor, rows)


def last_completed_task(session: Session, actor: User, instance_id: int) -> HumanTask | None:
    """The run's most recently completed task the actor may read, read newest first and
    only as far as the first visible one (for a PJ, usually their own just sent)."""
    get_instance_for(session, actor, instance_id)
    newest_first = (
        select(HumanTask)
        .where(HumanTask.instance_id == instance_id, HumanTask.state == TASK_COMPLETED)
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc())
    )
    offset = 0
    while batch := list(session.scalars(newest_first.offset(offset).limit(LATEST_BATCH))):
        found = next((row for row in batch if access.can_view_task(actor, row)), None)
        if found is not None:
            return found
        offset += LATEST_BATCH
    return None


def ensure_may_add_to(actor: User, task: HumanTask) -> None:
    """An open task in the actor's lane and OPD that nobody else holds: where documents and
    drafts may be added (the caller has the current task, under the instance lock if it
    writes to the run's log)."""
    access.ensure_can_write(actor)
    if not can_act(actor, task):
        raise PermissionDeniedError("This task is not in your lane or OPD", code="not_your_task")
    if task.state != TASK_OPEN:
        raise ConflictError("This task is no longer open", code="task_not_open")
    if task.claimed_by_id not in (None, actor.id):
        raise ConflictError("Someone else has claimed this task", code="task_already_claimed")


def _locked_task(session: Session, actor: User, task_id: int) -> HumanTask:
    """Lock the task's instance, then read the task once, after the lock, so its state is
    current (every change to a task is made under its instance's lock).

    Claim, release and complete all come through here: a read-only person is refused first.
    """
    access.ensure_can_write(actor)
    instance = lock_instance_of_task(session, task_id)
    if instance is None:
        raise NotFoundError("Task not found", code="task_not_found")
    task = _current_task(session, instance, task_id)
    _ensure_visible(session, actor, task)
    if not can_act(actor, task):
        raise PermissionDeniedError("This task is not in your lane or OPD", code="not_your_task")
    if task.state == TASK_COMPLETED:
        raise ConflictError("This task has already been completed", code="task_already_completed")
    if task.state != TASK_OPEN:
        raise ConflictError("This task is no longer open", code="task_not_open")
    return task


def _current_task(session: Session, instance: ProcessInstance, task_id: int) -> HumanTask | None:
    """The task row as it stands (read after the instance lock), with nothing joined: its
    instance is the one the lock just loaded (set here, as the session holds it only
    weakly), and its OPD and holder are in the session already in the usual case (the
    actor's own), so touching them costs no query.

    A copy read earlier in the request is expired rather than the query told to
    `populate_existing`, which would carry over to those lazy loads and query each."""
    earlier = session.identity_map.get(identity_key(HumanTask, task_id))
    if earlier is not None:
        session.expire(earlier)
    task = session.scalars(
        select(HumanTask)
        .where(HumanTask.id == task_id)
        .options(
            lazyload(HumanTask.instance),
            lazyload(HumanTask.opd),
            lazyload(HumanTask.claimed_by),
        )
    ).one_or_none()
    if task is not None:
        set_committed_value(task, "instance", instance)
    return task


def claim_task(session: Session, actor: User, task_id: int, now: datetime) -> HumanTask:
    task = _locked_task(session, actor, task_id)
    if task.claimed_by_id == actor.id:
        return task
    if task.claimed_by_id is not None:
        raise ConflictError(
            "Someone else has already claimed this task",
            code="task_already_claimed",
            details={"claimed_by": task.claimed_by.full_name},
        )
    _claim(session, actor, task, now)
    return task


def _claim(session: Session, actor: User, task: HumanTask, now: datetime) -> None:
    task.claimed_by_id, task.claimed_at = actor.id, now
    task.claimed_by = actor
    audit.record_task_event(session, task, EventType.TASK_CLAIMED, now, actor.id)


def unclaim_task(session: Session, actor: User, task_id: int, now: datetime) -> HumanTask:
    task = _locked_task(session, actor, task_id)
    if task.claimed_by_id != actor.id:
        raise ConflictError("You have not claimed this task", code="task_not_claimed_by_you")
    task.claimed_by_id, task.claimed_at, task.claimed_by = None, None, None
    audit.record_task_event(session, task, EventType.TASK_UNCLAIMED, now, actor.id)
    return task


def complete_task(
    session: Session, actor: User, task_id: int, data: dict, now: datetime
) -> HumanTask:
    """Validate the form, run the engine one step, and record everything that followed."""
    task = _locked_task(session, actor, task_id)
    if task.claimed_by_id not in (None, actor.id):
        raise ConflictError("Someone else has claimed this task", code="task_already_claimed")
    form = versions.content_of(session, task.instance.version).form(task.form_key)
    context = form_context(session, form, task=task, now=now)  # options, period bounds
    cleaned = forms.validate_submission(form, data, context=context)
    live = execution.load_live(session, task.instance, now)
    spiff_task = runtime.find_ready_task(live, task.spiff_task_id)
    if spiff_task is None:
        raise ConflictError("The process is not waiting for this task", code="task_not_ready")
    # Everything below only writes (persist flushes itself where a read needs the writes):
    # the task, its events and the instance go out in one flush, the instance in one UPDATE.
    with session.no_autoflush:
        if task.claimed_by_id is None:
            _claim(session, actor, task, now)
        runtime.complete_user_task(live, spiff_task, cleaned)
        task.state, task.completed_by_id, task.completed_at, task.data = (
            TASK_COMPLETED,
            actor.id,
            now,
            cleaned,
        )
        audit.record_task_event(
            session,
            task,
            EventType.TASK_COMPLETED,
            now,
            actor.id,
            {"sop_step": task.sop_step, "form_key": task.form_key, "data": cleaned},
        )
        execution.persist(session, task.instance, live, now, actor.id)
    # the task's drafts go with the UPDATE that closes it (a trigger, migration 0011)
    # the one flush, here rather than at commit: a caller that reloads the run or the task
    # (refresh, populate_existing) must find what this step wrote, not lose it
    session.flush()
    return task
