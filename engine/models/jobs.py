"""Background jobs: one table for everything done outside a request (Camunda's job-executor
shape): due timers, mail, digests, checkpoints, storage clean-up.

A job is written in the same transaction as the change that needs it, so it exists exactly
when the change does. A worker takes due jobs by setting `locked_by`/`locked_until` (on
PostgreSQL with FOR UPDATE SKIP LOCKED, so workers never take the same one), runs each in a
transaction of its own and deletes it in that transaction. A worker that dies leaves its
lock to expire; a job that keeps failing becomes an incident (`state = failed`) for the
administrators to read and retry.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, utcnow

JOB_PENDING = "pending"
JOB_FAILED = "failed"  # an incident: retried no more until an administrator says so


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "state", "run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    # at most one job per key ("timer:42"): scheduling again moves the one there is
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    payload: Mapped[dict] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default=JOB_PENDING)
    run_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
