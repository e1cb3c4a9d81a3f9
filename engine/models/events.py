"""The append-only event log: every step of every instance, chained by SHA-256.

Each event stores the hash of the previous event of its instance (or of the global
chain for events without an instance, such as a refused deploy), so an auditor can
recompute the chain and see that no row was edited, removed or reordered.

`type` is an engine.events.EventType and `payload_version` the version of that type's
payload schema the payload was written in. Sequence numbers are unique per instance, and
among the events without an instance (the global chain) by a partial unique index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, utcnow


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_instance_seq", "instance_id", "seq", unique=True),
        Index(
            "ix_events_global_seq",
            "seq",
            unique=True,
            sqlite_where=text("instance_id IS NULL"),
            postgresql_where=text("instance_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE")
    )
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(40), index=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_tasks.id"))
    element_id: Mapped[str | None] = mapped_column(String(120))
    payload: Mapped[dict] = mapped_column(default=dict)
    payload_version: Mapped[int] = mapped_column(default=1, server_default="1")
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
