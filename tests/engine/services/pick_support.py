"""What the tests of rows 10-14's picks share: SIRUP packages put in as the Tim's import
leaves them, and a row-10 answer picking one package."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from engine.models import Opd, Package
from engine.services import formlists
from tests.support import user

PICK_FIELD = "pemetaan.paket[0].paket_sirup"
OWN_PACKAGE = formlists.REFUSALS[formlists.PACKAGE_LIST]
PLANNED = formlists.REFUSALS[formlists.INDICATOR_LIST]


def add_package(session, now, opd_code, kd_rup, *, year=2026, nama="Paket", pagu="1000000",
                metode="Tender"):
    opd = session.scalars(select(Opd).where(Opd.code == opd_code)).one()
    package = Package(
        tahun_anggaran=year, kd_rup=kd_rup, nama_paket=nama, pagu=Decimal(pagu),
        metode_pengadaan=metode, jenis_pengadaan="Barang", kd_satker=None,
        nama_satker=opd.name, opd_id=opd.id, tgl_awal_pemilihan=None,
        tgl_akhir_pemilihan=None, status_pdn=None, status_ukm=None, sumber_dana=["APBD"],
        imported_at=now, imported_by_id=user(session, "tim1").id,
    )
    session.add(package)
    session.flush()
    return package


def picked(paket_sirup, **extra) -> dict:
    """A row-10 answer with one package picked from SIRUP (its fields filled by the server)."""
    row = {"paket_sirup": paket_sirup, "area_strategis": "AS1", "kode_indikator": "IKU-01",
           **extra}
    return {"pemetaan": {"paket": [row], "rencana_aksi_opd": "Percepatan tender"}}
