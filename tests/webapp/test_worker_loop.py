"""The worker's loop (webapp.worker, through webapp.cli.run_worker_loop): it sleeps until the
next job is due rather than a whole interval, wakes at once when a job due now is
committed (in its process, or on PostgreSQL from any), and stops promptly when asked."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from engine.db import make_session_factory, unit_of_work
from engine.models.jobs import Job
from engine.runtime import build_runtime
from engine.services import jobkinds, jobs
from tests.conftest import isolated_database
from tests.support import make_factory
from webapp.cli import run_worker_loop

RAN: dict[str, float] = {}
LONG = 30.0  # the loop's interval: no test here may wait for it


def stamp(session, payload, now):
    RAN[payload["name"]] = time.monotonic()


@pytest.fixture(scope="module")
def factory(database_url, tmp_path_factory):
    made = make_factory(isolated_database(database_url, "loop", tmp_path_factory.mktemp("l")))
    yield made
    made.kw["bind"].dispose()


@pytest.fixture()
def loop(factory, monkeypatch):
    """A worker loop in a thread, with a runtime of its own (as its own process would)."""
    monkeypatch.setitem(jobkinds.HANDLERS, "test_stamp", f"{__name__}:stamp")
    with unit_of_work(factory) as session:
        session.execute(delete(Job))
        session.commit()
    RAN.clear()
    worker = make_session_factory(factory.kw["bind"], runtime=build_runtime())
    stop = threading.Event()
    thread = threading.Thread(target=run_worker_loop, args=(worker, LONG, stop))
    thread.start()
    time.sleep(1.0)  # started, ran the recurring jobs, now asleep
    yield
    started = time.monotonic()
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive() and time.monotonic() - started < 2  # stops promptly


def add(factory, name: str, run_at: datetime) -> float:
    with unit_of_work(factory) as session:
        jobs.enqueue(session, "test_stamp", {"name": name}, run_at=run_at)
        session.commit()
    return time.monotonic()


def wait_for(name: str, timeout: float = 10) -> float | None:
    deadline = time.monotonic() + timeout
    while name not in RAN and time.monotonic() < deadline:
        time.sleep(0.02)
    return RAN.get(name)


def test_a_job_due_now_wakes_the_sleeping_worker(factory, loop):
    written = add(factory, "now", datetime.now(UTC))
    ran = wait_for("now")
    assert ran is not None and ran - written < 1.0


def test_the_worker_sleeps_only_until_the_next_job_is_due(factory, loop):
    due = datetime.now(UTC) + timedelta(seconds=2)
    written = add(factory, "soon", due)  # wakes the worker, which then sleeps until it is due
    ran = wait_for("soon")
    assert ran is not None and 1.8 < ran - written < 3.0
