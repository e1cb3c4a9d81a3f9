"""What someone has typed into a task's form but not yet sent (Simpan draf).

One draft per task and person: it comes back when that person opens the task again and
is deleted when the task closes (completed or cancelled: a trigger on human_tasks, migration
0011, does it in the same UPDATE), so nothing typed is lost to an upload, a comment or
a closed browser tab.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, utcnow


class TaskDraft(Base):
    __tablename__ = "task_drafts"
    __table_args__ = (UniqueConstraint("task_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("human_tasks.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    data: Mapped[dict] = mapped_column(default=dict)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
