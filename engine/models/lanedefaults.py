"""Lane name -> role defaults an administrator edits (`/admin/lajur`).

A deploy takes a lane's role from the lane itself when the diagram gives one, else from
this table, else from bpmn/lane-roles.toml (engine.services.lanedefaults.overlay).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, utcnow


class LaneRoleDefault(Base):
    __tablename__ = "lane_role_defaults"

    id: Mapped[int] = mapped_column(primary_key=True)
    lane: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(32), ForeignKey("roles.code"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
