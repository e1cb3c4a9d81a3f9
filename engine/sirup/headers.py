"""Column labels to field names: as the SIRUP site shows them ("Kode RUP", "Satuan Kerja",
"Metode Pemilihan", ...) or as its API names them (`kd_rup`, `nama_satker`, ...), in any
order, whatever their case, spaces or punctuation ("PAGU (Rp)" is `pagu`).

Columns we do not know are ignored. Two columns for one field are refused rather than one
of them chosen silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from engine.errors import N_, InvalidInputError

# field -> the labels it is known by, as the site, its exports and its API write them
ALIASES: dict[str, tuple[str, ...]] = {
    "kd_rup": ("Kode RUP", "kd_rup", "Kode Paket RUP", "ID RUP"),
    "nama_paket": ("Nama Paket", "nama_paket", "Paket"),
    "pagu": ("Pagu", "pagu", "Pagu (Rp)", "Pagu Paket", "Total Pagu", "Pagu Anggaran"),
    "metode_pengadaan": ("Metode Pemilihan", "Metode Pengadaan", "metode_pengadaan",
                         "metode_pemilihan"),
    "jenis_pengadaan": ("Jenis Pengadaan", "jenis_pengadaan"),
    "nama_satker": ("Satuan Kerja", "Nama Satker", "nama_satker", "Nama Satuan Kerja", "Satker"),
    "kd_satker": ("Kode Satker", "kd_satker", "Kode Satuan Kerja"),
    "tahun_anggaran": ("Tahun Anggaran", "tahun_anggaran", "Tahun", "TA"),
    "tgl_awal_pemilihan": ("Tanggal Awal Pemilihan", "tgl_awal_pemilihan",
                           "Awal Pemilihan", "Tgl Awal Pemilihan"),
    "tgl_akhir_pemilihan": ("Tanggal Akhir Pemilihan", "tgl_akhir_pemilihan",
                            "Akhir Pemilihan", "Tgl Akhir Pemilihan"),
    "status_pdn": ("Status PDN", "status_pdn", "PDN"),
    "status_ukm": ("Status UKM", "status_ukm", "UKM", "Status UMK"),
    "sumber_dana": ("Sumber Dana", "sumber_dana"),
}
# How each required field is named in messages (the site's label).
REQUIRED = {"kd_rup": "Kode RUP", "nama_paket": "Nama Paket", "pagu": "Pagu"}
SATKER_FIELDS = ("nama_satker", "kd_satker")
SATKER_LABEL = "Satuan Kerja / Kode Satker"
MISSING_MESSAGE = N_("The file lacks required columns (Kode RUP, Nama Paket, Pagu, and "
                     "Satuan Kerja or Kode Satker): see which below")
HEADER_SEARCH_ROWS = 10  # an export may carry a title and blank lines above its header
NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_label(label) -> str:
    """'Kode RUP', 'KODE_RUP' and ' kode-rup ' are one label: 'koderup'."""
    return NOT_ALNUM.sub("", str(label or "").lower())


LABELS: dict[str, str] = {normalise_label(alias): field
                          for field, aliases in ALIASES.items() for alias in aliases}


def find_header(rows: Sequence[Sequence]) -> int:
    """The index (among the first rows given) of the header row: the first that names Kode
    RUP, else the first row that is not blank (its missing columns are then reported)."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(LABELS.get(normalise_label(cell)) == "kd_rup" for cell in row):
            return index
    return next((i for i, row in enumerate(rows) if any(_filled(c) for c in row)), 0)


def map_columns(labels: Sequence) -> dict[str, int]:
    """field -> column index; refuses a missing required column and a field given twice."""
    columns: dict[str, int] = {}
    twice: dict[str, list[str]] = {}
    for index, label in enumerate(labels):
        field = LABELS.get(normalise_label(label))
        if field is None:
            continue
        if field in columns:
            twice.setdefault(field, [str(labels[columns[field]])]).append(str(label))
            continue
        columns[field] = index
    if twice:
        raise InvalidInputError(N_("Two columns of the file hold the same field: keep one"),
                                code="duplicate_column", details={"columns": twice})
    _check_required(columns)
    return columns


def _check_required(columns: dict[str, int]) -> None:
    missing = [label for field, label in REQUIRED.items() if field not in columns]
    if not any(field in columns for field in SATKER_FIELDS):
        missing.append(SATKER_LABEL)
    if missing:
        raise InvalidInputError(MISSING_MESSAGE, code="missing_columns",
                                details={"missing": missing})


def _filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""
