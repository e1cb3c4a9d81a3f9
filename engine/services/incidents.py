"""Incidents: background jobs that failed their last try (engine.services.jobs), for the
administrators to read and retry, and how many jobs wait.

Administrators only (access.ensure_admin, before anything is read). A retry makes the job
pending and due now with its tries counted afresh, and records JOB_RETRIED on the global
chain, who and which job; a retried timer also moves its instance's `next_due_at` to now,
so the run's page says when the next try is. Lock order as everywhere (engine.services
.jobs): the instance first, the job row last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.errors import N_, ConflictError, NotFoundError
from engine.events import EventType
from engine.models import ProcessInstance, User
from engine.models.instances import STATUS_RUNNING
from engine.models.jobs import JOB_FAILED, JOB_PENDING, Job
from engine.services import access, audit

OVERDUE_AFTER = timedelta(minutes=1)  # due longer ago than this and not run: overdue
SHOWN = 200
# What each kind of job is called on the pages (English msgids; pages translate them).
KIND_LABELS = {
    "timer": N_("Scheduled step of a run"),
    "checkpoint": N_("Signed checkpoint of the histories"),
    "prune_attempts": N_("Forgetting old sign-in attempts"),
    "mail": N_("Sending an e-mail"),
    "digest": N_("Daily summary e-mail"),
    "orphans": N_("Removing unused uploaded files"),
}
OTHER_KIND = N_("Other background work")


@dataclass(frozen=True)
class Incident:
    """A failed job as administrators read it; `instance_*` name the run it concerns."""

    id: int
    kind: str
    label: str  # English msgid
    attempts: int
    last_error: str | None
    last_error_at: datetime | None
    run_at: datetime
    created_at: datetime
    state: str
    instance_id: int | None = None
    instance_title: str | None = None
    instance_registration_no: str | None = None


@dataclass(frozen=True)
class JobCounts:
    pending: int  # waiting to run, due or not
    overdue: int  # pending and due for longer than OVERDUE_AFTER
    failed: int  # incidents


def label_of(kind: str) -> str:
    return KIND_LABELS.get(kind, OTHER_KIND)


def list_incidents(session: Session, actor: User, limit: int = SHOWN) -> list[Incident]:
    """The failed jobs, the most recent failure first."""
    access.ensure_admin(actor)
    rows = session.scalars(
        select(Job).where(Job.state == JOB_FAILED)
        .order_by(Job.last_error_at.desc(), Job.id.desc()).limit(limit)
    ).all()
    runs = _runs_of(session, rows)
    return [_incident(job, runs.get(_instance_id(job))) for job in rows]


def count_jobs(session: Session, actor: User, now: datetime) -> JobCounts:
    access.ensure_admin(actor)
    pending = Job.state == JOB_PENDING
    return JobCounts(
        pending=session.scalar(select(func.count()).where(pending)) or 0,
        overdue=session.scalar(
            select(func.count()).where(pending, Job.run_at < now - OVERDUE_AFTER)) or 0,
        failed=session.scalar(select(func.count()).where(Job.state == JOB_FAILED)) or 0,
    )


def retry_incident(session: Session, actor: User, job_id: int, now: datetime) -> Incident:
    """Make a failed job due now, its tries counted afresh; NotFoundError if no incident
    has this id, ConflictError if it stopped being one meanwhile."""
    access.ensure_admin(actor)
    job = session.scalars(select(Job).where(Job.id == job_id, Job.state == JOB_FAILED)).first()
    if job is None:
        raise NotFoundError("No failed background job has this number", code="incident_not_found")
    run = _lock_run(session, job, now)
    audit.record_event(session, None, EventType.JOB_RETRIED, now, actor_id=actor.id,
                       payload={"job_id": job.id, "kind": job.kind})
    retried = session.execute(
        update(Job).where(Job.id == job_id, Job.state == JOB_FAILED)
        .values(state=JOB_PENDING, run_at=now, attempts=0, locked_by=None, locked_until=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not retried:
        raise ConflictError("This job was changed meanwhile; reload the page",
                            code="incident_changed")
    session.refresh(job)
    return _incident(job, run)


def _lock_run(session: Session, job: Job, now: datetime) -> ProcessInstance | None:
    """A timer's instance, locked before the job row, its next try now."""
    instance_id = _instance_id(job)
    if instance_id is None:
        return None
    instance = session.scalars(
        select(ProcessInstance).where(ProcessInstance.id == instance_id)
        .with_for_update(of=ProcessInstance).execution_options(populate_existing=True)
    ).one_or_none()
    if instance is not None and instance.status == STATUS_RUNNING:
        instance.next_due_at = now
        session.flush()
    return instance


def _instance_id(job: Job) -> int | None:
    value = (job.payload or {}).get("instance_id") if job.kind == "timer" else None
    return value if isinstance(value, int) else None


def _runs_of(session: Session, rows: list[Job]) -> dict[int, ProcessInstance]:
    ids = {i for i in map(_instance_id, rows) if i is not None}
    if not ids:
        return {}
    found = session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids)))
    return {instance.id: instance for instance in found}


def _incident(job: Job, run: ProcessInstance | None) -> Incident:
    return Incident(
        id=job.id, kind=job.kind, label=label_of(job.kind), attempts=job.attempts,
        last_error=job.last_error, last_error_at=job.last_error_at, run_at=job.run_at,
        created_at=job.created_at, state=job.state,
        instance_id=run.id if run else None,
        instance_title=run.title if run else None,
        instance_registration_no=run.registration_no if run else None,
    )
