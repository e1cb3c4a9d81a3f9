"""Saved inbox filters: a person's named views of their Kotak Masuk, kept on the server.

`query` holds only the known fields of engine.services.tasks.TaskFilters (checked by
engine.services.savedfilters before a row is written). A filter shared with a role
(`shared_role`, set only by the Kepala UKPBJ) is read by every person of that role.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, utcnow
from engine.models.users import User


class SavedFilter(Base):
    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[dict]
    shared_role: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("roles.code"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship(lazy="joined")
