"""Real worker processes (`flask alur worker`) on one PostgreSQL database: two at once fire
every due timer exactly once; a worker killed (SIGKILL) inside a job leaves nothing half
done, and another worker finishes the job once the lease has run out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update

from engine.db import read_only, unit_of_work
from engine.events import EventType
from engine.models import Event
from engine.models.jobs import Job
from engine.services import jobs, verification
from tests.conftest import PG_SKIP, PG_URL, T0, isolated_database
from tests.prod_support import script_environment
from tests.support import make_factory, open_tasks, start_waiting_on_period_timer

ROOT = Path(__file__).resolve().parent.parent
RECURRING_KEYS = {"checkpoint", "prune_attempts", "storage:orphans"}  # mail is off
FLASK = Path(sys.executable).parent / "flask"
RUNS = 8
LOCK_KEY = 815_001
OPDS = ("DISDIKBUD", "DINKES", "DPUPR")  # the sample circular's participants

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_SKIP)


@pytest.fixture()
def setup(tmp_path):
    url = isolated_database(PG_URL, "workers", tmp_path)
    factory = make_factory(url)
    env = script_environment(url, tmp_path, ALUR_TIMER_INTERVAL="0.5",
                             PYTHONPATH=str(ROOT), ALUR_JOB_KINDS=
                             "test_block=tests.worker_jobs:fire_then_wait")
    yield factory, env, tmp_path
    factory.kw["bind"].dispose()


def start_worker(env: dict, log: Path, **settings: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(FLASK), "--app", "webapp", "alur", "worker"], cwd=ROOT,
        env={**env, **settings}, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        worker.wait(timeout=15)


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def fired_per_run(factory, ids: list[int]) -> Counter:
    """TIMER_FIRED events by (run, OPD): each OPD's part of a run waits on its own timer."""
    with read_only(factory) as session:
        rows = session.execute(select(Event.instance_id, Event.payload).where(
            Event.type == EventType.TIMER_FIRED, Event.instance_id.in_(ids)))
        return Counter((instance_id, payload["opd"]) for instance_id, payload in rows)


def once_each(ids: list[int]) -> Counter:
    return Counter({(i, opd): 1 for i in ids for opd in OPDS})


def row12(factory, instance_id: int) -> int:
    with read_only(factory) as session:
        return len(open_tasks(session, instance_id, "Task_12"))


def chains_hold(factory, ids: list[int]) -> bool:
    with read_only(factory) as session:
        return all(verification.verify_instance(session, i).ok for i in ids)


def test_two_workers_fire_every_timer_exactly_once(setup):
    factory, env, folder = setup
    ids = [start_waiting_on_period_timer(factory, T0) for _ in range(RUNS)]  # all long due
    with unit_of_work(factory) as session:  # due once both workers are up: they race
        session.execute(update(Job).values(run_at=func.now() + timedelta(seconds=6)))
        session.commit()
    logs = [folder / f"worker{n}.log" for n in (1, 2)]
    workers = [start_worker(env, log) for log in logs]
    try:
        assert wait_for(lambda: all("started" in log.read_text() for log in logs), 30)
        assert wait_for(lambda: all(row12(factory, i) == 3 for i in ids)), "timers not fired"
        time.sleep(1.5)  # a second firing, were there one, would show by now
        assert all(w.poll() is None for w in workers)
    finally:
        for worker in workers:
            stop(worker)
    assert fired_per_run(factory, ids) == once_each(ids)
    assert all("ran " in log.read_text() for log in logs)  # both took part
    assert all(row12(factory, i) == 3 for i in ids) and chains_hold(factory, ids)
    with read_only(factory) as session:
        timer_jobs = session.scalar(select(func.count()).where(Job.kind == "timer"))
        assert timer_jobs == 0  # no timer waits any more


def test_a_worker_killed_inside_a_job_leaves_it_whole_for_another(setup):
    factory, env, folder = setup
    instance_id = start_waiting_on_period_timer(factory, T0)
    with unit_of_work(factory) as session:  # the run's timer goes through the blocking job
        session.execute(delete(Job).where(Job.key == jobs.timer_key(instance_id)))
        jobs.enqueue(session, "test_block", {"instance_id": instance_id, "lock": LOCK_KEY},
                     run_at=T0, key="blocking")
        session.commit()
    holder = factory.kw["bind"].connect()
    holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
    try:
        first = start_worker(env, folder / "killed.log", ALUR_JOB_LEASE="3")
        try:
            assert wait_for(lambda: waiting_on_lock(factory)), "the worker never got there"
            os.kill(first.pid, signal.SIGKILL)  # inside the job: the timer fired, uncommitted
            first.wait(timeout=15)
        finally:
            stop(first)
    finally:
        holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
        holder.close()
    assert row12(factory, instance_id) == 0 and fired_per_run(factory, [instance_id]) == {}
    with read_only(factory) as session:
        job = session.scalars(select(Job).where(Job.key == "blocking")).one()
        assert job.attempts == 1 and job.locked_by is not None  # leased, lease running
        lease_end = job.locked_until
    second = start_worker(env, folder / "second.log", ALUR_JOB_LEASE="3")
    try:
        assert wait_for(lambda: row12(factory, instance_id) == 3), "job never finished"
    finally:
        stop(second)
    assert jobs_now(factory) <= RECURRING_KEYS  # the blocking job is done
    assert fired_per_run(factory, [instance_id]) == once_each([instance_id])
    assert chains_hold(factory, [instance_id])
    assert lease_end - timedelta(seconds=3) < lease_end  # leased for ALUR_JOB_LEASE


def waiting_on_lock(factory) -> bool:
    with read_only(factory) as session:
        return bool(session.scalar(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")))


def jobs_now(factory) -> set[str]:
    with read_only(factory) as session:
        return set(session.scalars(select(Job.key)))


def test_once_runs_what_is_due_and_exits(setup):
    factory, env, folder = setup
    instance_id = start_waiting_on_period_timer(factory, T0)
    done = subprocess.run([str(FLASK), "--app", "webapp", "alur", "worker", "--once"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # the timer, the first checkpoint, the pruning, the storage sweep
    assert "jobs run: 4" in done.stdout
    assert row12(factory, instance_id) == 3
    assert jobs_now(factory) == RECURRING_KEYS  # next time's
