"""The job table and its runner (engine.services.jobs): enqueue, move by key, cancel, lease,
backoff, incident, a lease that runs out, a key taken back from a running worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from engine.db import read_only, unit_of_work
from engine.models.jobs import Job
from engine.services import jobkinds, jobs, recurring
from tests.conftest import T0, isolated_database
from tests.job_support import job_of
from tests.support import make_factory

CALLS: list[tuple[str, dict]] = []
KINDS = {
    "test_ok": f"{__name__}:ok_handler",
    "test_fail": f"{__name__}:failing_handler",
    "test_again": f"{__name__}:rescheduling_handler",
    "test_taken_back": f"{__name__}:taken_back_handler",
}


def ok_handler(session, payload, now):
    CALLS.append(("ok", payload))


def failing_handler(session, payload, now):
    CALLS.append(("fail", payload))
    raise RuntimeError(f"boom {payload.get('n')}")


def rescheduling_handler(session, payload, now):
    jobs.enqueue(session, "test_again", payload, run_at=now + timedelta(hours=1), key="again")


def taken_back_handler(session, payload, now):
    """As a request does while this job runs: move the job of the key, committed elsewhere."""
    factory = session.info["test_factory"]
    with unit_of_work(factory) as other:
        jobs.enqueue(other, "test_taken_back", {"moved": True}, run_at=now + timedelta(days=1),
                     key="taken")
        other.commit()


@pytest.fixture(scope="module")
def factory(database_url, tmp_path_factory):
    made = make_factory(isolated_database(database_url, "jobs", tmp_path_factory.mktemp("j")))
    yield made
    made.kw["bind"].dispose()


@pytest.fixture(autouse=True)
def clean(factory, monkeypatch):
    for kind, target in KINDS.items():
        monkeypatch.setitem(jobkinds.HANDLERS, kind, target)
    with unit_of_work(factory) as session:
        session.execute(delete(Job))
        session.commit()
    CALLS.clear()


def add(factory, kind, payload=None, **options) -> None:
    with unit_of_work(factory) as session:
        jobs.enqueue(session, kind, payload, **options)
        session.commit()


def all_jobs(factory) -> list[Job]:
    with read_only(factory) as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def run(factory, now, worker="w1") -> int:
    return jobs.run_due_jobs(factory, lambda: now, worker)


def test_a_due_job_runs_once_and_is_gone(factory):
    add(factory, "test_ok", {"n": 1}, run_at=T0)
    add(factory, "test_ok", {"n": 2}, run_at=T0 + timedelta(minutes=5))
    assert run(factory, T0) == 1 and CALLS == [("ok", {"n": 1})]
    assert run(factory, T0) == 0  # gone; the other is not due
    assert [job.payload for job in all_jobs(factory)] == [{"n": 2}]
    assert run(factory, T0 + timedelta(minutes=5)) == 1 and all_jobs(factory) == []


def test_a_key_moves_the_one_job_and_cancel_drops_it(factory):
    add(factory, "test_ok", {"v": 1}, run_at=T0, key="k")
    add(factory, "test_ok", {"v": 2}, run_at=T0 + timedelta(hours=2), key="k")
    [job] = all_jobs(factory)
    assert job.payload == {"v": 2} and job.run_at == T0 + timedelta(hours=2)
    assert run(factory, T0 + timedelta(hours=1)) == 0
    with unit_of_work(factory) as session:
        jobs.cancel(session, "k")
        jobs.cancel(session, "no such key")
        session.commit()
    assert all_jobs(factory) == []


def test_failures_back_off_then_become_an_incident(factory):
    add(factory, "test_fail", {"n": 7}, run_at=T0, max_attempts=3)
    assert run(factory, T0) == 0
    job = job_of_kind(factory)
    assert (job.attempts, job.state, job.run_at) == (1, "pending", T0 + timedelta(minutes=1))
    assert job.last_error == "RuntimeError: boom 7" and job.last_error_at == T0
    assert job.locked_by is None and job.locked_until is None
    assert run(factory, T0 + timedelta(seconds=59)) == 0 and len(CALLS) == 1  # not yet
    moment = T0 + timedelta(minutes=1)
    assert run(factory, moment) == 0
    assert job_of_kind(factory).run_at == moment + timedelta(minutes=2)
    moment += timedelta(minutes=2)
    assert run(factory, moment) == 0
    job = job_of_kind(factory)
    assert (job.state, job.attempts, job.last_error_at) == ("failed", 3, moment)
    assert run(factory, moment + timedelta(days=1)) == 0 and len(CALLS) == 3  # no more tries


def job_of_kind(factory) -> Job:
    [job] = all_jobs(factory)
    return job


def test_an_unknown_kind_fails_like_any_error(factory):
    add(factory, "no_such_kind", run_at=T0, max_attempts=1)
    run(factory, T0)
    job = job_of_kind(factory)
    assert job.state == "failed" and "no handler for job kind 'no_such_kind'" in job.last_error


def test_a_lease_that_runs_out_lets_another_worker_take_the_job(factory):
    add(factory, "test_ok", {"n": 1}, run_at=T0)
    assert jobs.take_due(factory, "dead", T0, 10)  # leased, and its worker dies
    assert jobs.take_due(factory, "w2", T0 + timedelta(minutes=1), 10) == []  # lease holds
    with read_only(factory) as session:
        assert jobs.next_run_at(session) == T0 + timedelta(seconds=300)  # the lease's end
    after = T0 + timedelta(seconds=301)
    assert run(factory, after, "w2") == 1 and CALLS == [("ok", {"n": 1})]
    assert all_jobs(factory) == []


def test_a_job_abandoned_too_often_becomes_an_incident(factory):
    add(factory, "test_ok", run_at=T0, max_attempts=2)
    moment = T0
    for _ in range(2):  # two workers die in it
        assert jobs.take_due(factory, "dead", moment, 10)
        moment += timedelta(hours=1)
    assert run(factory, moment) == 0 and CALLS == []
    job = job_of_kind(factory)
    assert job.state == "failed" and job.last_error == jobs.ABANDONED


def test_two_workers_never_take_the_same_job(factory):
    for n in range(6):
        add(factory, "test_ok", {"n": n}, run_at=T0)
    first = jobs.take_due(factory, "w1", T0, 4)
    second = jobs.take_due(factory, "w2", T0, 4)
    assert len(first) == 4 and len(second) == 2 and not set(first) & set(second)
    assert not jobs.run_job(factory, first[0], "w2", lambda: T0)  # not w2's
    assert jobs.run_job(factory, first[0], "w1", lambda: T0)


def test_a_handler_that_reschedules_its_key_keeps_its_job(factory):
    add(factory, "test_again", {"n": 1}, run_at=T0, key="again")
    assert run(factory, T0) == 1
    job = job_of_kind(factory)
    assert job.run_at == T0 + timedelta(hours=1) and job.locked_by is None
    assert job.attempts == 0


def test_enqueue_takes_a_key_back_from_a_running_worker(factory, database_url):
    """A request moves the job while a worker runs it: the worker's delete (WHERE locked_by =
    it) leaves the new schedule. PostgreSQL only: on SQLite the worker's transaction holds
    the one write lock, so nothing else writes meanwhile."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time")
    add(factory, "test_taken_back", {"moved": False}, run_at=T0, key="taken")
    factory.kw["info"]["test_factory"] = factory
    try:
        assert run(factory, T0) == 1
    finally:
        del factory.kw["info"]["test_factory"]
    job = job_of_kind(factory)
    assert job.payload == {"moved": True} and job.run_at == T0 + timedelta(days=1)
    assert job.locked_by is None and job.state == "pending"


def test_a_request_moving_the_key_before_the_run_wins(factory):
    add(factory, "test_ok", {"v": 1}, run_at=T0, key="k")
    [job_id] = jobs.take_due(factory, "w1", T0, 10)
    add(factory, "test_ok", {"v": 2}, run_at=T0 + timedelta(hours=1), key="k")  # a request
    assert not jobs.run_job(factory, job_id, "w1", lambda: T0) and CALLS == []
    assert job_of(factory, "k").payload == {"v": 2}


def test_next_run_at_is_the_earliest_free_job(factory):
    with read_only(factory) as session:
        assert jobs.next_run_at(session) is None
    add(factory, "test_ok", run_at=T0 + timedelta(minutes=3))
    add(factory, "test_ok", run_at=T0 + timedelta(minutes=9))
    with read_only(factory) as session:
        assert jobs.next_run_at(session) == T0 + timedelta(minutes=3)


def test_recurring_jobs_are_added_once_and_reschedule_themselves(factory):
    for _ in range(2):  # two workers start
        with unit_of_work(factory) as session:
            recurring.ensure_recurring(session, T0)
            session.commit()
    assert sorted(job.key for job in all_jobs(factory)) == [
        "checkpoint", "prune_attempts", "storage:orphans"  # mail is off: no scan, no digest
    ]
    assert run(factory, T0) == 3
    by_key = {job.key: job for job in all_jobs(factory)}
    assert by_key["storage:orphans"].run_at == T0 + timedelta(hours=1)
    every = factory.kw["info"]["alur_runtime"].settings.checkpoint_interval_seconds
    assert by_key["checkpoint"].run_at == T0 + timedelta(seconds=every)
    assert by_key["prune_attempts"].run_at == T0 + timedelta(hours=1)
