"""A run whose scheduled step failed: what the pages and the API say about it, and to whom.

The timer worker (engine.services.timers) sets such a run aside: it counts the failed
tries, keeps the last error and when it happened, and pushes the next try back. Everyone
who may see the run is told that its scheduled step could not be run and when it will be
tried again; the error text itself is technical (exception names, internal ids), so only
administrators read it, on the page and in the API alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.models import ProcessInstance, User

ERROR_TEXT_ROLE = "admin"


@dataclass(frozen=True)
class TimerFailure:
    failed_attempts: int
    since: datetime | None  # the last failed try
    next_try_at: datetime | None
    message: str | None  # the technical text; None unless the viewer may read it


def can_read_error_text(user: User) -> bool:
    return user.has_role(ERROR_TEXT_ROLE)


def timer_failure_of(instance: ProcessInstance, viewer: User) -> TimerFailure | None:
    """The run's failure as `viewer` may see it; None while its timers run fine."""
    if not instance.failed_attempts and not instance.last_error:
        return None
    return TimerFailure(
        failed_attempts=instance.failed_attempts,
        since=instance.last_error_at,
        next_try_at=instance.next_due_at,
        message=instance.last_error if can_read_error_text(viewer) else None,
    )
