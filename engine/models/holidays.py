"""Non-working days (libur nasional, cuti bersama, libur daerah) and replacement working
days (hari kerja pengganti: a weekend day that is worked), editable by an admin.

A package holiday an admin removes stays as a row of kind `dihapus` (source manual), so a
re-seed from the `holidays` package does not bring it back; no calendar reads such a row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, utcnow

SOURCE_PACKAGE = "package"
SOURCE_MANUAL = "manual"

KIND_NATIONAL = "libur_nasional"
KIND_JOINT_LEAVE = "cuti_bersama"
KIND_REGIONAL = "libur_daerah"
KIND_REPLACEMENT_WORKDAY = "hari_kerja_pengganti"
KIND_REMOVED = "dihapus"
# Kinds an admin may give a day, in the order the page offers them.
KINDS = (KIND_NATIONAL, KIND_JOINT_LEAVE, KIND_REGIONAL, KIND_REPLACEMENT_WORKDAY)
# Kinds on which nobody works: every other kind is no holiday for the calendar.
CLOSED_KINDS = frozenset({KIND_NATIONAL, KIND_JOINT_LEAVE, KIND_REGIONAL})


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
