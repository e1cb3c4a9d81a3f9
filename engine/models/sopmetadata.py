"""The SOP-AP header of a process (Permenpan RB 35/2012): what the signed SOP document says
about itself beside its flowchart.

One row per definition, not per version: the header (Nomor SOP, its dates, who approved
it, Dasar Hukum, ...) is the organisation's, edited by the process owner, while the
flowchart comes from whichever deployed version the document is made of. Lists are JSON
arrays of lines; an empty value is stored empty, never filled in with a guess.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, utcnow


class SopMetadata(Base):
    __tablename__ = "sop_metadata"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id"), unique=True)
    letterhead: Mapped[list] = mapped_column(default=list)  # kop: the unit's name and address
    number: Mapped[str] = mapped_column(String(120), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    made_on: Mapped[date | None]
    revised_on: Mapped[date | None]
    effective_on: Mapped[date | None]
    approver_position: Mapped[str] = mapped_column(String(200), default="")
    approver_name: Mapped[str] = mapped_column(String(200), default="")
    approver_nip: Mapped[str] = mapped_column(String(18), default="")
    legal_bases: Mapped[list] = mapped_column(default=list)
    qualifications: Mapped[list] = mapped_column(default=list)
    related_sops: Mapped[list] = mapped_column(default=list)
    equipment: Mapped[list] = mapped_column(default=list)
    warning: Mapped[str] = mapped_column(Text, default="")
    records: Mapped[list] = mapped_column(default=list)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
