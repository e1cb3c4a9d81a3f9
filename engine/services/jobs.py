"""Background jobs (engine.models.jobs): write them with the change, run them in a worker.

Writing: `enqueue(session, kind, payload, run_at=..., key=...)` inside the caller's
transaction, so a job exists exactly when the change that needs it committed. A key makes
the job unique ("timer:42"); enqueuing the key again moves the job there is, and takes it
back from a worker that holds it (`locked_by` cleared), so that worker's final delete
(`WHERE locked_by = me`) cannot remove the new schedule.

Running (`run_due_jobs`): a short transaction takes up to `limit` due jobs for this worker
(lease `job_lease_seconds`; FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers never take
the same job). Each job then runs in a transaction of its own: its handler
(engine.services.jobkinds) and the job's removal commit together, so a worker killed in
the middle leaves no half-done work, and the job to be taken again once its lease ends.
A failure rolls the handler's work back and retries later (1, 2, 4 ... minutes, at most an
hour); after `max_attempts` the job becomes an incident (state failed) that an
administrator reads and retries (engine.services.incidents).

Lock order, everywhere: the job's subject first (an instance, FOR UPDATE), the job row
after it. A request completing a task locks its instance and then moves the instance's
timer job; a worker therefore never holds a job row's lock while it waits for an instance:
taking a job commits at once, running and failing read the job without locking it and
change it only after the handler (or the failure hook) has locked the subject.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from engine.db import RUNTIME_KEY, on_commit, unit_of_work, utcnow
from engine.models.jobs import JOB_FAILED, JOB_PENDING, Job
from engine.runtime import runtime_of
from engine.services.failures import describe_error
from engine.services.jobkinds import failure_hook_of, handler_of

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
ABANDONED = "the worker stopped during this job (its lease ran out) too many times"
NOTIFY_CHANNEL = "alur_jobs"
# Set after a commit that wrote a job due soon: a worker thread in this process wakes up.
WAKE = threading.Event()
SOON = timedelta(minutes=1)  # a job due sooner than this wakes the workers when written


def worker_name() -> str:
    """host:pid:thread, shown to administrators as a job's owner."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"[:100]


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
    if key is None or not _move(session, key, values):
        session.add(Job(key=key, state=JOB_PENDING, attempts=0, **values))
        session.flush()
    if values["run_at"] <= utcnow() + SOON:
        _wake_workers(session)


def ensure(session: Session, kind: str, key: str, run_at: datetime, payload=None) -> None:
    """The job of `key`, added unless there is one (whatever its state or time): recurring
    jobs are made this way when a worker starts, by several workers at once on PostgreSQL."""
    values = {
        "kind": kind, "key": key, "payload": payload or {}, "state": JOB_PENDING,
        "run_at": run_at, "attempts": 0, "created_at": utcnow(),
        "max_attempts": runtime_of(session).settings.job_max_attempts,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(Job).values(**values).on_conflict_do_nothing(index_elements=["key"]))


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


def _wake_workers(session: Session) -> None:
    """After commit: workers of other processes (PostgreSQL NOTIFY, sent by the commit
    itself) and a worker thread of this one (WAKE) look for due jobs at once."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
    on_commit(session, WAKE.set)


def cancel(session: Session, key: str) -> None:
    """Drop the job of `key`, if any (a timer that no longer waits)."""
    session.execute(delete(Job).where(Job.key == key).execution_options(synchronize_session=False))


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after each failed attempt, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def take_due(factory: sessionmaker[Session], worker: str, now: datetime, limit: int) -> list[int]:
    """Lease up to `limit` due jobs to `worker` in one short transaction; their ids, the
    earliest due first."""
    lease = timedelta(seconds=_settings(factory).job_lease_seconds)
    due = (
        select(Job.id)
        .where(Job.state == JOB_PENDING, Job.run_at <= now)
        .where((Job.locked_until.is_(None)) | (Job.locked_until < now))
        .order_by(Job.run_at, Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    with unit_of_work(factory) as session:
        rows = session.execute(
            update(Job)
            .where(Job.id.in_(due.scalar_subquery()))
            .values(locked_by=worker, locked_until=now + lease, attempts=Job.attempts + 1)
            .returning(Job.id, Job.run_at)
            .execution_options(synchronize_session=False)
        ).all()
        session.commit()
    return [row.id for row in sorted(rows, key=lambda row: (row.run_at, row.id))]


def run_job(
    factory: sessionmaker[Session], job_id: int, worker: str, clock: Callable[[], datetime]
) -> bool:
    """Run one leased job; True when it succeeded (and is gone, or was moved by its handler)."""
    with unit_of_work(factory) as session:
        row = _leased(session, job_id, worker)
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


def _leased(session: Session, job_id: int, worker: str):
    """The job as `worker` leased it (read without a lock: see the module's lock order)."""
    return session.execute(
        select(Job.kind, Job.payload, Job.attempts, Job.max_attempts).where(
            Job.id == job_id, Job.locked_by == worker, Job.state == JOB_PENDING
        )
    ).one_or_none()


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
    """Retry later, or after the last attempt make the job an incident. The job's kind may
    record the failure on its subject too (jobkinds.FAILURE_HOOKS: a timer on its
    instance), in the same transaction, the subject locked before the job row is touched."""
    text_ = error if isinstance(error, str) else describe_error(error)
    with unit_of_work(factory) as session:
        row = _leased(session, job_id, worker)
        if row is None:
            return
        final = row.attempts >= row.max_attempts
        next_try = None if final else now + backoff(row.attempts)
        hook = failure_hook_of(row.kind)
        if hook is not None:
            hook(session, dict(row.payload or {}), text_, now, next_try)
        values = {"last_error": text_[:4000], "last_error_at": now, "locked_by": None,
                  "locked_until": None}
        values.update({"state": JOB_FAILED} if final else {"run_at": next_try})
        changed = session.execute(
            update(Job).where(Job.id == job_id, Job.locked_by == worker).values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:  # taken back while we failed: the new schedule wins, nothing recorded
            return
        session.commit()
    if final:
        log.error("job %s (%s) is now an incident: %s", job_id, row.kind, text_)


def run_due_jobs(
    factory: sessionmaker[Session],
    clock: Callable[[], datetime],
    worker: str | None = None,
    limit: int = 1,
) -> int:
    """One pass: take due jobs `limit` at a time and run them one by one, until none is
    due; the number that succeeded. One at a time by default: a job leased in a batch
    would wait behind the others while another worker may be idle."""
    worker = worker or worker_name()
    succeeded = 0
    while True:
        ids = take_due(factory, worker, clock(), limit)
        succeeded += sum(run_job(factory, job_id, worker, clock) for job_id in ids)
        if len(ids) < limit:
            return succeeded


def next_run_at(session: Session, look_at: int = 50) -> datetime | None:
    """When a worker may next find a job to run: the earliest pending job's due time, or
    the end of its lease if another worker holds it (so nobody spins on a running job)."""
    rows = session.execute(
        select(Job.run_at, Job.locked_until)
        .where(Job.state == JOB_PENDING)
        .order_by(Job.run_at)
        .limit(look_at)
    ).all()
    times = [max(row.run_at, row.locked_until or row.run_at) for row in rows]
    return min(times, default=None)


def _settings(factory: sessionmaker[Session]):
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
