"""The background worker's loop: run due jobs (engine.services.jobs), then sleep until the
next job is due or `interval` passes, whichever is first.

On PostgreSQL several workers run at once (jobs are leased with FOR UPDATE SKIP LOCKED),
and each LISTENs on the jobs channel: a transaction that writes a job due soon NOTIFYs at
its commit, so a worker wakes at once instead of at the end of its sleep. On SQLite the
one worker is a thread (`make run`) or a process of its own; a job written in its process
wakes it through engine.services.jobs.WAKE. Errors are logged, never fatal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from engine.db import read_only, unit_of_work
from engine.services import jobs, recurring

log = logging.getLogger(__name__)

NAP = 0.25  # seconds: how often a sleeping worker looks at its stop event


def _now() -> datetime:
    return datetime.now(UTC)


def run_worker_loop(factory, interval: float, stop: threading.Event | None = None) -> None:
    """Loop until `stop` is set (forever without one): run what is due, sleep, again."""
    stop = stop or threading.Event()
    worker = jobs.worker_name()
    waiter = _waiter_for(factory)
    log.info("worker %s started; looks at least every %.1f s", worker, interval)
    _ensure_recurring(factory)
    try:
        while not stop.is_set():
            run_pass(factory, worker)
            waiter(_seconds_to_next(factory, interval), stop)
    finally:
        getattr(waiter, "close", lambda: None)()


def run_pass(factory, worker: str | None = None) -> int:
    """Every job due now, one transaction each; the number that succeeded (never raises)."""
    try:
        done = jobs.run_due_jobs(factory, _now, worker)
        if done:
            log.info("ran %d job(s)", done)
        return done
    except Exception:  # noqa: BLE001 - the loop must survive a lost database, for instance
        log.exception("job pass failed")
        return 0


def run_once(factory) -> int:
    """`flask alur worker --once` (from cron, say): the recurring jobs made if missing,
    then one pass."""
    _ensure_recurring(factory)
    return run_pass(factory)


def _ensure_recurring(factory) -> None:
    try:
        with unit_of_work(factory) as session:
            recurring.ensure_recurring(session, _now())
            session.commit()
    except Exception:  # noqa: BLE001 - the next start tries again; timers still run
        log.exception("adding the recurring jobs failed")


def _seconds_to_next(factory, interval: float) -> float:
    """Until the next job is due, at most `interval` (a job written elsewhere without a
    wake-up is found then), at least nothing."""
    try:
        with read_only(factory) as session:
            due = jobs.next_run_at(session)
    except Exception:  # noqa: BLE001 - as run_pass
        log.exception("reading the next job's time failed")
        return interval
    if due is None:
        return interval
    return max(0.0, min(interval, (due - _now()).total_seconds()))


def _waiter_for(factory) -> Callable[[float, threading.Event], None]:
    engine = factory.kw["bind"]
    if engine.dialect.name == "postgresql":
        return PgListener(engine.url)
    return _wait_in_process


def _wait_in_process(seconds: float, stop: threading.Event) -> None:
    """Sleep `seconds`, or less when stopped or when a job due soon was committed here."""
    end = time.monotonic() + seconds
    while not stop.is_set():
        left = end - time.monotonic()
        if left <= 0 or jobs.WAKE.wait(min(left, NAP)):
            break
    jobs.WAKE.clear()


class PgListener:
    """Sleeps on a connection of its own that LISTENs on the jobs channel (autocommit); if
    the connection fails it sleeps plainly and reconnects on the next wait."""

    def __init__(self, url) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn = None

    def __call__(self, seconds: float, stop: threading.Event) -> None:
        end = time.monotonic() + seconds
        while not stop.is_set():
            left = end - time.monotonic()
            if left <= 0 or self._notified(min(left, NAP)):
                return

    def _notified(self, seconds: float) -> bool:
        try:
            conn = self._connection()
            return any(True for _ in conn.notifies(timeout=seconds, stop_after=1))
        except Exception:  # noqa: BLE001 - a lost connection: sleep, reconnect next time
            log.warning("listening for jobs failed; polling", exc_info=True)
            self.close()
            time.sleep(seconds)
            return False

    def _connection(self):
        if self._conn is None:
            import psycopg

            self._conn = psycopg.connect(self._conninfo, autocommit=True)
            self._conn.execute(f"LISTEN {jobs.NOTIFY_CHANNEL}")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
