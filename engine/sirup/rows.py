"""A table's rows as packages: each row read field by field into a PackageRow, or refused
with every problem it has (line, reason code, message, the field and what it held).

Two rows for the same (tahun anggaran, Kode RUP) are refused from the second on: a file
that says two things about one package is a mistake to fix, not a choice to make for it.
A row without a year takes the one the importer chose, if any.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from engine.errors import N_
from engine.sirup import values
from engine.sirup.headers import normalise_label
from engine.sirup.limits import ImportLimits
from engine.sirup.reader import Table, read_table
from engine.sirup.values import ValueProblem

METHODS = ("Tender", "Tender Cepat", "Seleksi", "Pengadaan Langsung", "Penunjukan Langsung",
           "E-Purchasing", "Dikecualikan")
KINDS = ("Barang", "Pekerjaan Konstruksi", "Jasa Konsultansi", "Jasa Lainnya")
# each spelled as domain.md does, found whatever its case, spaces or punctuation
KNOWN_METHODS = {normalise_label(name): name for name in METHODS}
KNOWN_KINDS = {normalise_label(name): name for name in KINDS}
# Stored lengths (engine.models.packages): longer text is refused, never cut.
LENGTHS = {"nama_paket": 1000, "metode_pengadaan": 60, "jenis_pengadaan": 60,
           "kd_satker": 32, "nama_satker": 200, "status_pdn": 32, "status_ukm": 32}
VALUE_SHOWN = 80  # characters of a refused cell echoed back


@dataclass(slots=True)
class PackageRow:
    line: int
    tahun_anggaran: int
    kd_rup: str
    nama_paket: str
    pagu: Decimal
    metode_pengadaan: str | None
    jenis_pengadaan: str | None
    kd_satker: str | None
    nama_satker: str | None
    tgl_awal_pemilihan: date | None
    tgl_akhir_pemilihan: date | None
    status_pdn: str | None
    status_ukm: str | None
    sumber_dana: list[str]

    @property
    def key(self) -> tuple[int, str]:
        return self.tahun_anggaran, self.kd_rup


@dataclass(frozen=True, slots=True)
class Refusal:
    line: int
    code: str
    message: str
    field: str | None = None
    value: str | None = None


@dataclass
class ReadFile:
    format: str
    sha256: str
    rows: list[PackageRow] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


def read_packages(data: bytes, limits: ImportLimits, default_year: int | None = None) -> ReadFile:
    """Every row of the file read and checked; file-level problems raise (reader.py)."""
    table = read_table(data, limits)
    result = ReadFile(table.format, hashlib.sha256(data).hexdigest())
    first_line: dict[tuple[int, str], int] = {}
    for line, cells in table.rows:
        row = _read_row(table, line, cells, default_year, result.refusals)
        if row is None:
            continue
        if row.key in first_line:
            result.refusals.append(Refusal(
                line, "duplicate_in_file", N_("This package is already on an earlier line"),
                "kd_rup", f"{row.kd_rup} ({first_line[row.key]})"))
            continue
        first_line[row.key] = line
        result.rows.append(row)
    return result


def _read_row(table: Table, line: int, cells: tuple, default_year: int | None,
              refusals: list[Refusal]) -> PackageRow | None:
    reading = _Row(table, line, cells, refusals)
    year = reading.value("tahun_anggaran", values.read_year) or default_year
    row = PackageRow(
        line=line, tahun_anggaran=year, kd_rup=reading.value("kd_rup", values.read_kd_rup),
        nama_paket=reading.text("nama_paket", required=N_("Nama Paket is empty")),
        pagu=reading.value("pagu", values.read_pagu),
        metode_pengadaan=_canonical(reading.text("metode_pengadaan"), KNOWN_METHODS),
        jenis_pengadaan=_canonical(reading.text("jenis_pengadaan"), KNOWN_KINDS),
        kd_satker=reading.text("kd_satker"), nama_satker=reading.text("nama_satker"),
        tgl_awal_pemilihan=reading.value("tgl_awal_pemilihan", values.read_date),
        tgl_akhir_pemilihan=reading.value(
            "tgl_akhir_pemilihan", lambda v: values.read_date(v, month_end=True)),
        status_pdn=reading.text("status_pdn"), status_ukm=reading.text("status_ukm"),
        sumber_dana=reading.value("sumber_dana", values.read_sources) or [])
    if year is None and not reading.failed:
        reading.refuse("tahun_anggaran", ValueProblem(
            "missing_tahun_anggaran", N_("Tahun Anggaran is empty and no year was chosen")))
    if row.kd_satker is None and row.nama_satker is None and not reading.failed:
        reading.refuse("nama_satker", ValueProblem(
            "missing_satker", N_("Satuan Kerja and Kode Satker are both empty")))
    return None if reading.failed else row


class _Row:
    """One row's cells read field by field, each problem kept as a refusal."""

    def __init__(self, table: Table, line: int, cells: tuple, refusals: list[Refusal]):
        self.table, self.line, self.cells, self.refusals = table, line, cells, refusals
        self.refused: set[str] = set()

    @property
    def failed(self) -> bool:
        return bool(self.refused)

    def cell(self, name: str):
        index = self.table.columns.get(name)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def value(self, name: str, read):
        try:
            return read(self.cell(name))
        except ValueProblem as problem:
            self.refuse(name, problem)
            return None

    def text(self, name: str, required: str | None = None) -> str | None:
        found = self.value(name, lambda v: values.read_text(v, LENGTHS[name]))
        if found is None and required and name not in self.refused:
            self.refuse(name, ValueProblem(f"missing_{name}", required))
        return found

    def refuse(self, name: str, problem: ValueProblem) -> None:
        self.refused.add(name)
        shown = self.cell(name)
        self.refusals.append(Refusal(self.line, problem.code, problem.message, name,
                                     None if shown is None else str(shown)[:VALUE_SHOWN]))


def _canonical(text: str | None, known: dict[str, str]) -> str | None:
    """A known method or kind in the domain's spelling ('TENDER CEPAT' -> 'Tender Cepat'),
    anything else as written."""
    if text is None:
        return None
    return known.get(normalise_label(text), text)
