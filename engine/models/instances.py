"""Process instances (Pelaksanaan) and their live workflow state.

The workflow state is split into parts (the top workflow and one row per live
subprocess), so a completion rewrites only the parts it changed; `row_version` is the
compare-and-set column that turns a concurrent stale write into a conflict.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, utcnow
from engine.models.definitions import DefinitionVersion

STATUS_RUNNING = "running"
STATUS_COMPLETED = "completed"


class ProcessInstance(Base):
    __tablename__ = "process_instances"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_no: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    version_id: Mapped[int] = mapped_column(ForeignKey("definition_versions.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=STATUS_RUNNING, index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    period_no: Mapped[int] = mapped_column(default=0)
    data: Mapped[dict] = mapped_column(default=dict)
    event_count: Mapped[int] = mapped_column(default=0)
    last_event_hash: Mapped[str | None] = mapped_column(String(64))
    state_token: Mapped[str | None] = mapped_column(String(32))
    # The head (event_count, last_event_hash) signed with the server key (engine.signing),
    # hex, and the id of the key that signed it: rewriting the chain with its head needs it.
    head_signature: Mapped[str | None] = mapped_column(String(200))
    head_key_id: Mapped[str | None] = mapped_column(String(32))
    row_version: Mapped[int] = mapped_column(default=1)
    # A timer pass that failed on this instance: how many times in a row, the last error and
    # when; the worker pushes `next_due_at` back and goes on with the other instances.
    failed_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]

    version: Mapped[DefinitionVersion] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": row_version}


class InstanceState(Base):
    __tablename__ = "instance_states"
    __table_args__ = (UniqueConstraint("instance_id", "part_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    part_key: Mapped[str] = mapped_column(String(40))
    parent_key: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(Text)
    # The layout and SpiffWorkflow serializer version the part was written with.
    format_version: Mapped[str] = mapped_column(
        String(40), server_default="alur-parts-1+spiff-1.5"
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
