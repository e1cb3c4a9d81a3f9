"""The indicator catalogue (Indikator Kinerja) offered when planning at rows 2 and 3."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class Indicator(Base):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    strategic_area: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40))
    formula: Mapped[str] = mapped_column(Text)
    polarity: Mapped[str] = mapped_column(String(16))
    frequency: Mapped[str] = mapped_column(String(16))
    data_nature: Mapped[str] = mapped_column(String(16), default="periodik")
    data_source: Mapped[str] = mapped_column(String(200), default="")
    cap_percent: Mapped[int] = mapped_column(default=120)
