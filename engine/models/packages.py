"""Procurement packages (paket pengadaan) imported from SIRUP, one row per budget year and
Kode RUP: a later import of the same year updates the row in place (engine.services.packages).

`opd_id` is the OPD (satuan kerja) the import matched by name; `kd_satker` and
`nama_satker` keep what the file said. `sumber_dana` is the list of funding sources the
file named (domain.md keeps per-package budget records apart; a file carries only their
names). Status PDN / UKM are kept as SIRUP writes them ("PDN", "Non PDN", "UKM", ...).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base
from engine.models.opds import Opd


class Package(Base):
    __tablename__ = "packages"
    __table_args__ = (
        UniqueConstraint("tahun_anggaran", "kd_rup"),
        Index("ix_packages_tahun_anggaran_opd_id", "tahun_anggaran", "opd_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tahun_anggaran: Mapped[int]
    kd_rup: Mapped[str] = mapped_column(String(20))
    nama_paket: Mapped[str] = mapped_column(String(1000))
    pagu: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    metode_pengadaan: Mapped[str | None] = mapped_column(String(60))
    jenis_pengadaan: Mapped[str | None] = mapped_column(String(60))
    kd_satker: Mapped[str | None] = mapped_column(String(32))
    nama_satker: Mapped[str | None] = mapped_column(String(200))
    opd_id: Mapped[int] = mapped_column(ForeignKey("opds.id"))
    tgl_awal_pemilihan: Mapped[date | None]
    tgl_akhir_pemilihan: Mapped[date | None]
    status_pdn: Mapped[str | None] = mapped_column(String(32))
    status_ukm: Mapped[str | None] = mapped_column(String(32))
    sumber_dana: Mapped[list]
    imported_at: Mapped[datetime]
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    opd: Mapped[Opd] = relationship(lazy="joined")
