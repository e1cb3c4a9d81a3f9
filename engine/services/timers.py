"""Fire due timers without anyone opening a page.

Each instance stores the due time of its earliest waiting timer (`next_due_at`, indexed),
so finding due work is one indexed read. Each due instance is handled in its own
transaction; on PostgreSQL rows are taken with FOR UPDATE SKIP LOCKED, so several
workers never fire the same timer twice. An instance that fails is set aside: its error
is recorded on it (visible on its page and in the API), its next try is pushed back a
little more each time, and the pass goes on with the other instances.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.bpmn import runtime
from engine.bpmn.limits import LIMIT_REASONS
from engine.bpmn.timers import TIMER_INVALID
from engine.db import read_only, unit_of_work
from engine.models import ProcessInstance, User
from engine.models.instances import STATUS_RUNNING
from engine.services import execution
from engine.services.failures import describe_error
from engine.services.instances import lock_instance

log = logging.getLogger(__name__)

ERROR_TEXT_ROLE = "admin"
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)


def due_instance_ids(session: Session, now: datetime, limit: int = 100) -> list[int]:
    return list(
        session.scalars(
            select(ProcessInstance.id)
            .where(ProcessInstance.status == STATUS_RUNNING, ProcessInstance.next_due_at <= now)
            .order_by(ProcessInstance.next_due_at)
            .limit(limit)
        )
    )


def fire_instance_timers(session: Session, instance_id: int, now: datetime) -> int:
    """Advance one instance whose timer is due; returns the number of tasks it opened."""
    query = (
        select(ProcessInstance)
        .where(ProcessInstance.id == instance_id, ProcessInstance.next_due_at <= now)
        .with_for_update(skip_locked=True, of=ProcessInstance)
        .execution_options(populate_existing=True)
    )
    instance = session.execute(query).scalar_one_or_none()
    if instance is None:  # another worker took it, or it is no longer due
        return 0
    live = execution.load_live(session, instance, now, record_failures=False)
    runtime.advance(live)
    return len(execution.persist(session, instance, live, now, None))


def retry_delay(failed_attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after each failure in a row, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(failed_attempts - 1, 0), LONGEST_RETRY)


def set_instance_aside(session: Session, instance_id: int, error: BaseException, now: datetime):
    """Record why a timer pass failed on an instance and when to try it again."""
    instance = lock_instance(session, instance_id)
    instance.failed_attempts += 1
    instance.last_error = describe_error(error)
    instance.last_error_at = now
    instance.next_due_at = now + retry_delay(instance.failed_attempts)
    return instance


@dataclass(frozen=True)
class TimerFailure:
    """A run set aside, as one viewer may see it: how often and when its timers failed,
    when they are tried again, and the technical error text (None unless an admin)."""

    failed_attempts: int
    since: datetime | None  # the last failed try
    next_try_at: datetime | None
    message: str | None
    reason: str | None = None  # an English msgid every viewer may read, when one applies


# Failures that a diagram's bounds caused (engine.bpmn.limits, engine.bpmn.timers): their
# cause can be said to everyone without internals; the technical text stays with admins.
REASONS = {**LIMIT_REASONS, "timer_invalid": TIMER_INVALID}


def timer_failure_of(instance: ProcessInstance, viewer: User) -> TimerFailure | None:
    """The run's failure for `viewer`; None while its steps run fine. The error text names
    exceptions and internal ids, so only administrators read it, on pages and the API; a
    failure caused by the diagram's bounds also says why, in plain words, to everyone."""
    if not instance.failed_attempts and not instance.last_error:
        return None
    code = (instance.last_error or "").split(":", 1)[0]
    return TimerFailure(
        failed_attempts=instance.failed_attempts,
        since=instance.last_error_at,
        next_try_at=instance.next_due_at,
        message=instance.last_error if viewer.has_role(ERROR_TEXT_ROLE) else None,
        reason=REASONS.get(code),
    )


def fire_due_timers(factory: sessionmaker[Session], now: datetime | Callable[[], datetime]) -> int:
    """One pass of the worker: every due instance, one transaction each."""
    clock = now if callable(now) else (lambda: now)
    with read_only(factory) as session:
        ids = due_instance_ids(session, clock())
    return sum(_fire_or_set_aside(factory, instance_id, clock) for instance_id in ids)


def _fire_or_set_aside(factory, instance_id: int, clock: Callable[[], datetime]) -> int:
    """The worker's boundary, like a web request's: whatever goes wrong with one instance
    (a diagram that cannot go on, a bug, a lost database race) is rolled back, logged and
    recorded on it, and must not stop the timers of the instances behind it."""
    try:
        with unit_of_work(factory) as session:
            opened = fire_instance_timers(session, instance_id, clock())
            session.commit()
            return opened
    except Exception as error:  # noqa: BLE001 - see the docstring
        log.exception("timers of instance %s failed; set aside", instance_id)
        with unit_of_work(factory) as session:
            set_instance_aside(session, instance_id, error, clock())
            session.commit()
        return 0
