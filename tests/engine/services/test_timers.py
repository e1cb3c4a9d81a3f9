"""The timer jobs: one failing instance is set aside (its job retried with backoff, the
failure shown on the instance), the others still fire; after the last try, an incident."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from engine.db import make_session_factory, read_only, unit_of_work
from engine.models import HumanTask, InstanceState, ProcessInstance, User
from engine.models.jobs import Job
from engine.runtime import build_runtime
from engine.services import jobkinds, jobs, timers, verification
from engine.services.instances import lock_instance
from tests.conftest import T0, isolated_database
from tests.job_support import run_jobs, timer_job
from tests.support import (
    complete_all,
    make_factory,
    open_tasks,
    start_waiting_on_period_timer,
)

HEALTHY = 3


@pytest.fixture(scope="module")
def factory(database_url, tmp_path_factory):
    made = make_factory(isolated_database(database_url, "timers", tmp_path_factory.mktemp("t")))
    yield made
    made.kw["bind"].dispose()


@pytest.fixture(autouse=True)
def no_jobs_left(factory):
    """Each test's runs are its own; the timer jobs of earlier tests' runs are dropped."""
    with unit_of_work(factory) as session:
        session.execute(delete(Job))
        session.commit()


def break_state(factory, instance_id: int) -> str:
    """Damage the stored state the way a bug would (unreadable JSON); returns the original."""
    with unit_of_work(factory) as session:
        row = session.scalars(
            select(InstanceState).where(
                InstanceState.instance_id == instance_id, InstanceState.part_key == "top"
            )
        ).one()
        original, row.state = row.state, "{not json"
        session.commit()
        return original


def instance_row(factory, instance_id: int) -> ProcessInstance:
    with read_only(factory) as session:
        return session.get(ProcessInstance, instance_id)


def row12_count(factory, instance_id: int) -> int:
    with read_only(factory) as session:
        return len(open_tasks(session, instance_id, "Task_12"))


def test_a_failing_instance_is_set_aside_and_the_others_fire(factory):
    broken = start_waiting_on_period_timer(factory, T0)  # the oldest due: first in the pass
    healthy = [
        start_waiting_on_period_timer(factory, T0 + timedelta(minutes=i + 1))
        for i in range(HEALTHY)
    ]
    original = break_state(factory, broken)
    later = instance_row(factory, broken).next_due_at + timedelta(hours=1)
    worker = make_session_factory(factory.kw["bind"], runtime=build_runtime())  # its own process

    assert run_jobs(worker, later) == HEALTHY
    assert all(row12_count(factory, i) == 3 for i in healthy)
    aside = instance_row(factory, broken)
    assert aside.failed_attempts == 1 and aside.last_error_at == later
    assert aside.last_error.startswith("JSONDecodeError")
    assert aside.next_due_at == later + timedelta(minutes=1)
    assert aside.status == "running" and row12_count(factory, broken) == 0
    assert timer_job(factory, broken).run_at == aside.next_due_at  # the job matches
    assert all(timer_job(factory, i) is None for i in healthy)  # no timer waits: no job

    assert run_jobs(worker, later + timedelta(seconds=30)) == 0  # not yet
    assert run_jobs(worker, later + timedelta(minutes=1)) == 0  # fails again
    again = instance_row(factory, broken)
    assert again.failed_attempts == 2
    assert again.next_due_at == later + timedelta(minutes=1) + timedelta(minutes=2)
    job = timer_job(factory, broken)
    assert job.attempts == 2 and job.state == "pending" and job.locked_by is None
    assert job.run_at == again.next_due_at and job.last_error.startswith("JSONDecodeError")

    with unit_of_work(factory) as session:  # someone repairs the state
        session.execute(
            update(InstanceState)
            .where(InstanceState.instance_id == broken, InstanceState.part_key == "top")
            .values(state=original)
        )
        session.commit()
    assert run_jobs(worker, later + timedelta(minutes=5)) == 1
    repaired = instance_row(factory, broken)
    assert repaired.failed_attempts == 0
    assert repaired.last_error is None and repaired.last_error_at is None
    assert repaired.next_due_at is None and row12_count(factory, broken) == 3
    assert timer_job(factory, broken) is None


def test_retries_back_off_up_to_an_hour():
    delays = [jobs.backoff(n) for n in range(1, 10)]
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert delays[-1] == timedelta(hours=1) and delays == sorted(delays)


# ---- a timer and a request on the same instance at the same moment ------------------------

FIRED = threading.Event()


def slow_timer_job(session, payload, now):
    """The timer job, holding the instance's lock a while after firing (test kind)."""
    timers.run_timer_job(session, payload, now)
    FIRED.set()
    time.sleep(1.0)


def request_moves_timer(factory, instance_id: int, due) -> None:
    """What a request does to a run's timer (execution._save_state): under the instance's
    lock, a new next_due_at and the timer job moved there, committed."""
    with unit_of_work(factory) as session:
        instance = lock_instance(session, instance_id)
        instance.next_due_at = due
        jobs.schedule_timer(session, instance_id, due)
        session.commit()


def lease_timer(factory, instance_id: int, now) -> int:
    [job_id] = jobs.take_due(factory, "w1", now, 10)
    assert job_id == timer_job(factory, instance_id).id
    return job_id


def test_a_request_that_moved_the_timer_first_wins(factory):
    instance_id = start_waiting_on_period_timer(factory, T0)
    later = instance_row(factory, instance_id).next_due_at + timedelta(hours=1)
    job_id = lease_timer(factory, instance_id, later)
    moved_to = later + timedelta(days=3)
    request_moves_timer(factory, instance_id, moved_to)  # commits before the worker runs
    assert not jobs.run_job(factory, job_id, "w1", lambda: later)  # taken back: not ours
    assert row12_count(factory, instance_id) == 0
    job = timer_job(factory, instance_id)
    assert job.run_at == moved_to == instance_row(factory, instance_id).next_due_at
    assert job.locked_by is None and job.attempts == 0


@pytest.fixture()
def pg_factory(factory, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("two writers at once: PostgreSQL (SQLite has one writer at a time)")
    return factory


def test_a_request_holding_the_instance_makes_the_worker_wait_then_the_timer_is_not_due(
    pg_factory,
):
    factory = pg_factory
    instance_id = start_waiting_on_period_timer(factory, T0)
    later = instance_row(factory, instance_id).next_due_at + timedelta(hours=1)
    job_id = lease_timer(factory, instance_id, later)
    moved_to = later + timedelta(days=3)
    results = []
    with unit_of_work(factory) as request:  # the request locks the instance first
        instance = lock_instance(request, instance_id)
        worker = threading.Thread(target=lambda: results.append(
            jobs.run_job(factory, job_id, "w1", lambda: later)))
        worker.start()
        time.sleep(0.5)
        assert worker.is_alive()  # waiting for the instance, holding no job row lock
        instance.next_due_at = moved_to
        jobs.schedule_timer(request, instance_id, moved_to)  # no deadlock: job row is free
        request.commit()
    worker.join(timeout=30)
    assert results == [True] and row12_count(factory, instance_id) == 0  # not due: no fire
    job = timer_job(factory, instance_id)
    assert job.run_at == moved_to == instance_row(factory, instance_id).next_due_at
    assert job.locked_by is None and job.state == "pending"


def test_a_request_after_the_worker_locked_the_instance_waits_and_its_move_stays(
    pg_factory, monkeypatch,
):
    factory = pg_factory
    monkeypatch.setitem(jobkinds.HANDLERS, "timer", f"{__name__}:slow_timer_job")
    FIRED.clear()
    instance_id = start_waiting_on_period_timer(factory, T0)
    later = instance_row(factory, instance_id).next_due_at + timedelta(hours=1)
    job_id = lease_timer(factory, instance_id, later)
    worker = threading.Thread(target=jobs.run_job, args=(factory, job_id, "w1", lambda: later))
    worker.start()
    assert FIRED.wait(30)  # fired, the instance still locked by the worker
    moved_to = later + timedelta(days=3)
    started = time.monotonic()
    request_moves_timer(factory, instance_id, moved_to)  # waits for the worker's commit
    assert time.monotonic() - started > 0.3
    worker.join(timeout=30)
    assert row12_count(factory, instance_id) == 3  # fired once
    job = timer_job(factory, instance_id)
    assert job is not None and job.run_at == moved_to
    assert instance_row(factory, instance_id).next_due_at == moved_to
    with read_only(factory) as session:
        assert verification.verify_instance(session, instance_id).ok


def test_after_the_last_try_the_timer_is_an_incident_and_the_run_says_no_next_try(factory):
    instance_id = start_waiting_on_period_timer(factory, T0)
    break_state(factory, instance_id)
    moment = instance_row(factory, instance_id).next_due_at
    worker = make_session_factory(factory.kw["bind"], runtime=build_runtime(job_max_attempts=2))
    with unit_of_work(worker) as session:  # the job was written with the default: 2 now
        session.execute(update(Job).values(max_attempts=2))
        session.commit()
    for _ in range(2):
        assert run_jobs(worker, moment) == 0
        moment = timer_job(factory, instance_id).run_at
    job = timer_job(factory, instance_id)
    assert job.state == "failed" and job.attempts == 2
    with read_only(factory) as session:
        instance = session.get(ProcessInstance, instance_id)
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        failure = timers.timer_failure_of(instance, admin)
    assert failure.failed_attempts == 2 and failure.next_try_at is None
    assert failure.message.startswith("JSONDecodeError")


def test_a_step_that_goes_through_takes_the_run_out_of_its_incident(factory):
    """An incident on a run's timer is over once a person's step on the run goes through:
    the timer job follows the run again (pending, due at the run's next timer)."""
    from engine.services import tasks as task_service
    from tests.job_support import fail_timer
    from tests.support import actor_for, answers, run_planning, start_sop

    with unit_of_work(factory) as session:
        instance = start_sop(session, T0)
        run_planning(session, instance.id, T0)
        complete_all(session, instance.id, "Task_10", T0)
        first, *others = open_tasks(session, instance.id, "Task_11")
        for task in others:
            task_service.complete_task(
                session, actor_for(session, task), task.id, answers(task.form_key), T0
            )
        session.commit()
        instance_id, last_id = instance.id, first.id
    with unit_of_work(factory) as session:
        session.execute(update(Job).where(Job.key == jobs.timer_key(instance_id))
                        .values(max_attempts=1))
        session.commit()
    fail_timer(factory, instance_id, RuntimeError("mail server gone"), T0)
    assert timer_job(factory, instance_id).state == "failed"
    with unit_of_work(factory) as session:
        task = session.get(HumanTask, last_id)
        task_service.complete_task(
            session, actor_for(session, task), task.id, answers(task.form_key), T0
        )
        session.commit()
    job, row = timer_job(factory, instance_id), instance_row(factory, instance_id)
    assert row.failed_attempts == 0 and row.last_error is None
    assert job.state == "pending" and job.attempts == 0 and job.run_at == row.next_due_at
