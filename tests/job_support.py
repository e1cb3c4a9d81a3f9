"""Helpers for tests of background jobs: run them as a worker would, fail a timer's try
through the real failure path, read the jobs table."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from engine.db import read_only, unit_of_work
from engine.models.jobs import Job
from engine.services import jobs

TEST_WORKER = "test-worker"


def run_jobs(factory, now: datetime) -> int:
    """One worker pass at `now` (a fixed clock): the number of jobs that succeeded."""
    return jobs.run_due_jobs(factory, lambda: now, TEST_WORKER)


def job_of(factory, key: str) -> Job | None:
    with read_only(factory) as session:
        return session.scalars(select(Job).where(Job.key == key)).one_or_none()


def timer_job(factory, instance_id: int) -> Job | None:
    return job_of(factory, jobs.timer_key(instance_id))


def fail_timer(factory, instance_id: int, error: BaseException, now: datetime) -> None:
    """What a worker's failed try at the run's timer leaves, committed: the timer job (made
    due now if the run waits on none) is leased as the worker does, then its failure is
    recorded by engine.services.jobs.record_failure, exactly as after a failing handler."""
    key = jobs.timer_key(instance_id)
    with unit_of_work(factory) as session:
        if session.scalar(select(Job.id).where(Job.key == key)) is None:
            jobs.schedule_timer(session, instance_id, now)
        job_id = session.execute(
            update(Job).where(Job.key == key)
            .values(locked_by=TEST_WORKER, locked_until=now + timedelta(minutes=5),
                    attempts=Job.attempts + 1)
            .returning(Job.id)
        ).scalar_one()
        session.commit()
    jobs.record_failure(factory, job_id, TEST_WORKER, error, now)
