"""Fire due timers without anyone opening a page: the "timer" job (engine.services.jobs).

Every instance waiting on a timer has one job keyed "timer:<instance id>", due when the
instance's `next_due_at` says (execution._save_state keeps it so on every step). The
worker that leased the job runs `run_timer_job` in the job's transaction: it locks the
instance FOR UPDATE (no skipping: the lease already makes this worker the job's one owner;
a request holding the lock is waited for), fires what is due, and leaves the job matching
the instance's `next_due_at` again, whatever a request did meanwhile:

- a request that moved the timer before we locked the instance also moved the job, taking
  it back from us (engine.services.jobs.enqueue): we find the instance not due, schedule
  the job where it already is, and the runner's delete (WHERE locked_by = us) removes
  nothing;
- a request that comes after we locked waits for our commit, then moves the job itself.

A failed try is rolled back whole; `record_timer_failure` (the kind's failure hook) then
records it on the instance, so its page and the API say so, and pushes `next_due_at` to
the job's next try. After the job's last try the job is an incident (engine.services
.incidents): no next try until an administrator retries it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from engine.bpmn import runtime
from engine.bpmn.limits import LIMIT_REASONS
from engine.bpmn.timers import TIMER_INVALID
from engine.models import ProcessInstance, User
from engine.models.instances import STATUS_RUNNING
from engine.models.jobs import JOB_FAILED, Job
from engine.services import execution, jobs

log = logging.getLogger(__name__)

ERROR_TEXT_ROLE = "admin"


class TimerStuckError(RuntimeError):
    """The engine was asked to fire a due timer and left it due: trying again at once would
    only spin, so the job backs off and, if it persists, becomes an incident."""


def _locked_instance(session: Session, instance_id: int) -> ProcessInstance | None:
    return session.execute(
        select(ProcessInstance)
        .where(ProcessInstance.id == instance_id)
        .with_for_update(of=ProcessInstance)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _is_due(instance: ProcessInstance, now: datetime) -> bool:
    return (
        instance.status == STATUS_RUNNING
        and instance.next_due_at is not None
        and instance.next_due_at <= now
    )


def fire_instance_timers(session: Session, instance_id: int, now: datetime) -> int:
    """Advance one instance whose timer is due (locked FOR UPDATE, waiting for a request
    that holds it); returns the number of tasks it opened (0: gone or not due)."""
    instance = _locked_instance(session, instance_id)
    if instance is None or not _is_due(instance, now):
        return 0
    live = execution.load_live(session, instance, now, record_failures=False)
    runtime.advance(live)
    return len(execution.persist(session, instance, live, now, None))


def run_timer_job(session: Session, payload: dict, now: datetime) -> None:
    """The "timer" job: fire the instance if due, then make its job match its next timer."""
    instance_id = int(payload["instance_id"])
    opened = fire_instance_timers(session, instance_id, now)
    instance = session.get(ProcessInstance, instance_id)  # locked above, if it exists
    due = instance.next_due_at if instance and instance.status == STATUS_RUNNING else None
    if due is not None and due <= now:
        raise TimerStuckError(f"instance {instance_id}: timer still due at {due.isoformat()}")
    jobs.schedule_timer(session, instance_id, due)
    if opened:
        log.debug("instance %s: timer opened %d task(s)", instance_id, opened)


def record_timer_failure(
    session: Session, payload: dict, error: str, now: datetime, next_try_at: datetime | None
) -> None:
    """The timer kind's failure hook: the try that failed, on the instance (locked first),
    and its next try as its `next_due_at` (the job moves there too; none after the last)."""
    instance = _locked_instance(session, int(payload["instance_id"]))
    if instance is None:
        return
    instance.failed_attempts += 1
    instance.last_error, instance.last_error_at = error, now
    if next_try_at is not None:
        instance.next_due_at = next_try_at
    session.flush()


@dataclass(frozen=True)
class TimerFailure:
    """A run set aside, as one viewer may see it: how often and when its timers failed,
    when they are tried again (None: no more tries until an administrator retries), and
    the technical error text (None unless an admin)."""

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
    next_try = None if _timer_is_incident(instance) else instance.next_due_at
    return TimerFailure(
        failed_attempts=instance.failed_attempts,
        since=instance.last_error_at,
        next_try_at=next_try,
        message=instance.last_error if viewer.has_role(ERROR_TEXT_ROLE) else None,
        reason=REASONS.get(code),
    )


def _timer_is_incident(instance: ProcessInstance) -> bool:
    """Whether the instance's timer job gave up (read only for a run that failed)."""
    session = object_session(instance)
    if session is None or instance.next_due_at is None:
        return False
    state = session.scalar(select(Job.state).where(Job.key == jobs.timer_key(instance.id)))
    return state == JOB_FAILED
