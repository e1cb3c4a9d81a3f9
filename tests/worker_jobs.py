"""A job kind for tests that run real worker processes (tests/test_workers.py), registered
in the child through ALUR_JOB_KINDS="test_block=tests.worker_jobs:fire_then_wait": it fires
a run's timer, then waits on a PostgreSQL advisory lock the test holds, so the test can
kill the worker in the middle of the job's transaction."""

from __future__ import annotations

from sqlalchemy import text

from engine.services import timers


def fire_then_wait(session, payload, now):
    timers.fire_instance_timers(session, int(payload["instance_id"]), now)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(payload["lock"])})
