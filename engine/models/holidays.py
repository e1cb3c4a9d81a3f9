"""Non-working days (libur nasional, cuti bersama, libur daerah), editable by an admin."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, utcnow

SOURCE_PACKAGE = "package"
SOURCE_MANUAL = "manual"


class Holiday(Base):
    __tablename__ = "holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    on: Mapped[date] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    legal_basis: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(16), default=SOURCE_PACKAGE)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
