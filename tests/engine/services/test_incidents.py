"""Incidents (engine.services.incidents): administrators list failed jobs, count waiting
ones and retry an incident, which is recorded on the global chain."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import NotFoundError, PermissionDeniedError
from engine.events import EventType
from engine.models import Event
from engine.models.jobs import Job
from engine.services import incidents, jobs
from tests.support import start_sop, user


def failed_job(session, kind: str, payload: dict, now, key: str | None = None) -> Job:
    job = Job(kind=kind, key=key, payload=payload, state="failed", run_at=now, attempts=5,
              max_attempts=5, last_error="RuntimeError: boom", last_error_at=now)
    session.add(job)
    session.flush()
    return job


def test_only_administrators_read_and_retry(session, now):
    job = failed_job(session, "mail", {}, now)
    for username in ("tim1", "kepala", "auditor"):
        with pytest.raises(PermissionDeniedError):
            incidents.list_incidents(session, user(session, username))
        with pytest.raises(PermissionDeniedError):
            incidents.count_jobs(session, user(session, username), now)
        with pytest.raises(PermissionDeniedError):
            incidents.retry_incident(session, user(session, username), job.id, now)
    assert session.get(Job, job.id).state == "failed"


def test_incidents_name_their_kind_and_their_run(session, now):
    instance = start_sop(session, now)
    failed_job(session, "timer", {"instance_id": instance.id}, now,
               key=jobs.timer_key(instance.id))
    failed_job(session, "somebody_elses_kind", {}, now + timedelta(minutes=1))
    jobs.enqueue(session, "mail", {}, run_at=now - timedelta(minutes=5))  # overdue
    jobs.enqueue(session, "mail", {}, run_at=now + timedelta(minutes=5))  # waiting
    admin = user(session, "admin")
    found = incidents.list_incidents(session, admin)
    assert [i.kind for i in found] == ["somebody_elses_kind", "timer"]  # newest first
    other, timer = found
    assert other.label == incidents.OTHER_KIND and other.instance_id is None
    assert timer.label == "Scheduled step of a run" and timer.instance_id == instance.id
    assert timer.instance_title == instance.title and timer.attempts == 5
    assert timer.last_error == "RuntimeError: boom"
    counts = incidents.count_jobs(session, admin, now)
    assert (counts.pending, counts.overdue, counts.failed) == (2, 1, 2)


def test_a_retry_makes_the_job_due_now_and_is_recorded(session, now):
    instance = start_sop(session, now)
    job = failed_job(session, "timer", {"instance_id": instance.id}, now - timedelta(hours=1),
                     key=jobs.timer_key(instance.id))
    admin = user(session, "admin")
    retried = incidents.retry_incident(session, admin, job.id, now)
    assert retried.state == "pending" and retried.attempts == 0 and retried.run_at == now
    row = session.get(Job, job.id)
    assert (row.state, row.attempts, row.run_at, row.locked_by) == ("pending", 0, now, None)
    assert instance.next_due_at == now  # the run's page says: next try now
    event = session.scalars(
        select(Event).where(Event.type == EventType.JOB_RETRIED).order_by(Event.id.desc())
    ).first()
    assert event.instance_id is None and event.actor_id == admin.id
    assert event.payload == {"job_id": job.id, "kind": "timer"}
    with pytest.raises(NotFoundError):  # no longer an incident
        incidents.retry_incident(session, admin, job.id, now)
    with pytest.raises(NotFoundError):
        incidents.retry_incident(session, admin, 987654, now)
