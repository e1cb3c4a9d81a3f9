"""Fire due timers without anyone opening a page.

Each instance stores the due time of its earliest waiting timer (`next_due_at`, indexed),
so finding due work is one indexed query. Each due instance is handled in its own
transaction; on PostgreSQL rows are taken with FOR UPDATE SKIP LOCKED, so several
workers never fire the same timer twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.bpmn import runtime
from engine.db import unit_of_work
from engine.models import ProcessInstance
from engine.models.instances import STATUS_RUNNING
from engine.services import execution

log = logging.getLogger(__name__)


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
    live = execution.load_live(session, instance, now)
    runtime.advance(live)
    return len(execution.persist(session, instance, live, now, None))


def fire_due_timers(factory: sessionmaker[Session], now: datetime | Callable[[], datetime]) -> int:
    """One pass of the worker: every due instance, one transaction each."""
    clock = now if callable(now) else (lambda: now)
    with unit_of_work(factory) as session:
        ids = due_instance_ids(session, clock())
    opened = 0
    for instance_id in ids:
        with unit_of_work(factory) as session:
            opened += fire_instance_timers(session, instance_id, clock())
    return opened
