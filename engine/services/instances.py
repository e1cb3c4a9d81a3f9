"""Start, find and lock process instances (Pelaksanaan)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import forms
from engine.errors import NotFoundError, PermissionDeniedError
from engine.events import EventType
from engine.models import HumanTask, ProcessInstance, User
from engine.services import access, audit, deployments, execution, versions
from engine.services.taskviews import form_context

TITLE_LENGTH = 200


def start_instance(
    session: Session, actor: User, definition_key: str, data: dict, now: datetime
) -> ProcessInstance:
    """Start the latest version of a process; the start form's answers seed its data."""
    access.ensure_can_write(actor)
    version = deployments.latest_version(session, definition_key)
    content = versions.content_of(session, version)
    start = content.start
    if start.get("role") and not actor.has_role(start["role"]):
        raise PermissionDeniedError("You may not start this process", code="start_not_allowed")
    form = content.form(start.get("form_key"))
    cleaned = forms.validate_submission(form, data, context=form_context(session, form))
    instance = ProcessInstance(
        registration_no=f"tmp-{now.timestamp()}-{actor.id}",
        title=_title(cleaned, version),
        version=version,
        started_by_id=actor.id,
        started_at=now,
        updated_at=now,
        data=cleaned,
    )
    session.add(instance)
    session.flush()
    instance.registration_no = f"AK-{now.year}-{instance.id:05d}"
    audit.record_event(
        session,
        instance,
        EventType.INSTANCE_STARTED,
        now,
        actor_id=actor.id,
        element_id=start.get("element_id"),
        payload={"data": cleaned, "version": version.version, "definition": version.definition.key},
    )
    live = execution.start_live(session, instance, cleaned, now)
    execution.persist(session, instance, live, now, actor.id)
    session.flush()  # persist leaves the run's row to one flush: here, before anyone reloads it
    return instance


def _title(cleaned: dict, version) -> str:
    title = cleaned.get("judul") or version.definition.name
    year = cleaned.get("tahun_anggaran")
    if year and str(year) not in title:
        suffix = f" ({year})"
        title = title[: TITLE_LENGTH - len(suffix)] + suffix
    return title[:TITLE_LENGTH]


def can_view_instance(session: Session, actor: User, instance_id: int) -> bool:
    """The rule is engine.services.access's."""
    return access.can_view_instance(session, actor, instance_id)


def get_instance_for(session: Session, actor: User, instance_id: int) -> ProcessInstance:
    """The instance if the actor may see it; otherwise the same 404 as a missing one."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or not can_view_instance(session, actor, instance_id):
        raise NotFoundError("Instance not found", code="instance_not_found")
    return instance


def lock_instance(session: Session, instance_id: int) -> ProcessInstance:
    """Take the instance's row lock (FOR UPDATE on PostgreSQL; SQLite holds the write lock)."""
    instance = session.execute(
        select(ProcessInstance)
        .where(ProcessInstance.id == instance_id)
        .with_for_update(of=ProcessInstance)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if instance is None:
        raise NotFoundError("Instance not found", code="instance_not_found")
    return instance


def lock_instance_of_task(session: Session, task_id: int) -> ProcessInstance | None:
    """Lock the instance a task belongs to, found from the task's id in the same statement
    (one round trip instead of reading the task first); None when there is no such task.
    The task itself must be read after this, so that what is read is current."""
    owner = select(HumanTask.instance_id).where(HumanTask.id == task_id).scalar_subquery()
    return session.execute(
        select(ProcessInstance)
        .where(ProcessInstance.id == owner)
        .with_for_update(of=ProcessInstance)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def list_instances(
    session: Session, actor: User, *, page: int = 1, per_page: int = 20, status: str | None = None
) -> tuple[list[ProcessInstance], int]:
    query = select(ProcessInstance).where(access.visible_instances_clause(actor))
    if status:
        query = query.where(ProcessInstance.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(ProcessInstance.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return list(rows), total or 0
