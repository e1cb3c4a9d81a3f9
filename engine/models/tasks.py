"""The human-task table: one row per user task, open or done.

The inbox and the API read this table, never the workflow state, so listing tasks
costs an indexed query whatever the size of an instance's history.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, utcnow
from engine.models.instances import ProcessInstance
from engine.models.opds import Opd
from engine.models.users import User

TASK_OPEN = "open"
TASK_COMPLETED = "completed"
TASK_CANCELLED = "cancelled"


class HumanTask(Base):
    __tablename__ = "human_tasks"
    __table_args__ = (
        UniqueConstraint("instance_id", "spiff_task_id"),
        Index("ix_human_tasks_inbox", "state", "role", "opd_id", "due_on"),
        Index("ix_human_tasks_assignee", "state", "claimed_by_id", "due_on"),
        # "does this PJ's OPD take part in this run?" (instance visibility) stays an index probe
        Index("ix_human_tasks_instance_opd", "instance_id", "opd_id"),
        # a run's open tasks and its latest completed one (what comes next) without reading
        # its history
        Index("ix_human_tasks_instance_state", "instance_id", "state", "completed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    documentation: Mapped[str] = mapped_column(Text, default="")
    lane: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("opds.id"))
    form_key: Mapped[str] = mapped_column(String(120))
    sop_step: Mapped[str | None] = mapped_column(String(16))
    period_no: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(16), default=TASK_OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_on: Mapped[date | None]
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None]
    prefill: Mapped[dict | None]
    context: Mapped[dict | None]
    data: Mapped[dict | None]

    instance: Mapped[ProcessInstance] = relationship(lazy="joined")
    opd: Mapped[Opd | None] = relationship(lazy="joined")
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id], lazy="joined")
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
