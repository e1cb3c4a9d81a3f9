"""Background jobs (engine.models.jobs): write them with the change, run them in a worker.

Writing: `enqueue(session, kind, payload, run_at=..., key=...)` inside the caller's
transaction, so a job exists exactly when the change that needs it committed. A key makes
the job unique ("timer:42"); enqueuing the key again moves the job there is, and takes it
back from a worker that holds it, so the worker's run cannot delete the new schedule.

Running (`run_due_jobs`): a short transaction takes up to `limit` due jobs for this worker
(lease `job_lease_seconds`; FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers never take
the same job). Each job then runs in a transaction of its own: its handler
(engine.services.jobkinds) and the job's removal commit together, so a worker killed in
the middle leaves no half-done work, and the job to be taken again once its lease ends.
A failure rolls the handler's work back and retries later (1, 2, 4 ... minutes, at most an
hour); after `max_attempts` the job becomes an incident (state failed) that an
administrator reads and retries (`retry_incident`).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.db import unit_of_work, utcnow
from engine.models.jobs import JOB_FAILED, JOB_PENDING, Job
from engine.runtime import runtime_of
from engine.services.failures import describe_error
from engine.services.jobkinds import handler_of

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
ABANDONED = "the worker stopped during this job (its lease ran out) too many times"


def worker_name() -> str:
    """host:pid, shown to administrators as a job's owner."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def enqueue(
    session: Session,
    kind: str,
    payload: dict | None = None,
    *,
    run_at: datetime | None = None,
    key: str | None = None,
    max_attempts: int | None = None,
) -> None:
    """Add a job to the caller's transaction (due now unless `run_at`); with `key`, move
    the job of that key instead when there is one (and take it back from its worker)."""
    values = {
        "kind": kind,
        "payload": payload or {},
        "run_at": run_at or utcnow(),
        "max_attempts": max_attempts or runtime_of(session).settings.job_max_attempts,
    }
    if key is not None and _move(session, key, values):
        return
    session.add(Job(key=key, state=JOB_PENDING, attempts=0, **values))
    session.flush()


def _move(session: Session, key: str, values: dict) -> bool:
    moved = session.execute(
        update(Job)
        .where(Job.key == key)
        .values(
            **values,
            state=JOB_PENDING,
            attempts=0,
            locked_by=None,
            locked_until=None,
            last_error=None,
            last_error_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount > 0


def cancel(session: Session, key: str) -> None:
    """Drop the job of `key`, if any (a timer that no longer waits)."""
    session.execute(delete(Job).where(Job.key == key).execution_options(synchronize_session=False))


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after each failed attempt, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def take_due(factory: sessionmaker[Session], worker: str, now: datetime, limit: int) -> list[int]:
    """Lease up to `limit` due jobs to `worker` in one short transaction; their ids."""
    lease = timedelta(seconds=_settings(factory).job_lease_seconds)
    due = (
        select(Job.id)
        .where(
            Job.state == JOB_PENDING,
            Job.run_at <= now,
            or_(Job.locked_until.is_(None), Job.locked_until < now),
        )
        .order_by(Job.run_at, Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    with unit_of_work(factory) as session:
        ids = list(
            session.scalars(
                update(Job)
                .where(Job.id.in_(due.scalar_subquery()))
                .values(locked_by=worker, locked_until=now + lease, attempts=Job.attempts + 1)
                .returning(Job.id)
                .execution_options(synchronize_session=False)
            )
        )
        session.commit()
    return sorted(ids)


def run_job(
    factory: sessionmaker[Session], job_id: int, worker: str, clock: Callable[[], datetime]
) -> bool:
    """Run one leased job; True when it succeeded (and is gone, or was moved by its handler)."""
    with unit_of_work(factory) as session:
        row = session.execute(
            select(Job.kind, Job.payload, Job.attempts, Job.max_attempts).where(
                Job.id == job_id, Job.locked_by == worker, Job.state == JOB_PENDING
            )
        ).one_or_none()
        if row is None:  # moved or taken back meanwhile: nothing of ours to do
            return False
        if row.attempts > row.max_attempts:
            error: BaseException | str = ABANDONED
        else:
            try:
                handler_of(row.kind)(session, dict(row.payload or {}), clock())
                _finish(session, job_id, worker)
                session.commit()
                return True
            except Exception as failure:  # noqa: BLE001 - recorded on the job, see the docstring
                log.exception("job %s (%s) failed", job_id, row.kind)
                error = failure
    record_failure(factory, job_id, worker, error, clock())
    return False


def _finish(session: Session, job_id: int, worker: str) -> None:
    """Remove the job, unless its key was enqueued again during the run (then it is no
    longer ours: the new schedule stays)."""
    session.execute(
        delete(Job)
        .where(Job.id == job_id, Job.locked_by == worker)
        .execution_options(synchronize_session=False)
    )


def record_failure(
    factory: sessionmaker[Session], job_id: int, worker: str, error, now: datetime
) -> None:
    """Retry later, or after the last attempt make the job an incident."""
    text = error if isinstance(error, str) else describe_error(error)
    with unit_of_work(factory) as session:
        job = session.scalars(
            select(Job).where(Job.id == job_id, Job.locked_by == worker).with_for_update()
        ).one_or_none()
        if job is None:
            return
        job.last_error, job.last_error_at = text[:4000], now
        job.locked_by = job.locked_until = None
        if job.attempts >= job.max_attempts:
            job.state = JOB_FAILED
            log.error("job %s (%s) is now an incident: %s", job.id, job.kind, text)
        else:
            job.run_at = now + backoff(job.attempts)
        session.commit()


def run_due_jobs(
    factory: sessionmaker[Session],
    clock: Callable[[], datetime],
    worker: str | None = None,
    limit: int = 50,
) -> int:
    """One pass: take due jobs and run them one by one; the number that succeeded."""
    worker = worker or worker_name()
    ids = take_due(factory, worker, clock(), limit)
    return sum(run_job(factory, job_id, worker, clock) for job_id in ids)


def next_run_at(session: Session) -> datetime | None:
    """When the earliest pending job is due (the worker sleeps until then at most)."""
    return session.scalar(select(func.min(Job.run_at)).where(Job.state == JOB_PENDING))


def _settings(factory: sessionmaker[Session]):
    from engine.db import RUNTIME_KEY

    return factory.kw["info"][RUNTIME_KEY].settings


def timer_key(instance_id: int) -> str:
    return f"timer:{instance_id}"


def schedule_timer(session: Session, instance_id: int, due_at: datetime | None) -> None:
    """Keep the instance's one timer job due at its earliest waiting timer (none: no job)."""
    if due_at is None:
        cancel(session, timer_key(instance_id))
    else:
        enqueue(session, "timer", {"instance_id": instance_id}, run_at=due_at,
                key=timer_key(instance_id))
