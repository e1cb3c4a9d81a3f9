"""SIRUP package files made in the tests (never committed as binaries): rows of packages
written as CSV, XLSX or JSON, with the site's headers or the API's names."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook

SITE_HEADERS = {
    "kd_rup": "Kode RUP", "nama_paket": "Nama Paket", "pagu": "Pagu",
    "metode_pengadaan": "Metode Pemilihan", "jenis_pengadaan": "Jenis Pengadaan",
    "nama_satker": "Satuan Kerja", "kd_satker": "Kode Satker",
    "tahun_anggaran": "Tahun Anggaran", "tgl_awal_pemilihan": "Tanggal Awal Pemilihan",
    "tgl_akhir_pemilihan": "Tanggal Akhir Pemilihan", "status_pdn": "Status PDN",
    "status_ukm": "Status UKM", "sumber_dana": "Sumber Dana",
}
FIELDS = tuple(SITE_HEADERS)


def package(kd_rup: str = "51000001", **values) -> dict:
    """One package as the site shows it (the Dinas Kesehatan's, for 2026)."""
    return {"kd_rup": kd_rup, "nama_paket": "Pengadaan Alat Kesehatan Puskesmas",
            "pagu": "Rp1.250.000.000,00", "metode_pengadaan": "Tender",
            "jenis_pengadaan": "Barang", "nama_satker": "Dinas Kesehatan", "kd_satker": "",
            "tahun_anggaran": "2026", "tgl_awal_pemilihan": "2 Maret 2026",
            "tgl_akhir_pemilihan": "30/04/2026", "status_pdn": "PDN", "status_ukm": "UKM",
            "sumber_dana": "APBD", **values}


def packages(count: int, start: int = 51000001, **values) -> list[dict]:
    return [package(str(start + i), nama_paket=f"Paket Nomor {i + 1}", **values)
            for i in range(count)]


def _labels(fields, site: bool) -> list[str]:
    return [SITE_HEADERS[f] if site else f for f in fields]


def csv_bytes(rows: list[dict], *, fields=FIELDS, site: bool = True, delimiter: str = ";",
              encoding: str = "utf-8", bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(_labels(fields, site))
    for row in rows:
        writer.writerow([row.get(f, "") for f in fields])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[dict], *, fields=FIELDS, site: bool = True,
               title: str | None = None, literal: bool = True) -> bytes:
    """A workbook; text cells starting with '=' are stored as text (as a user typing
    '=...' into a text cell, or an export tool, makes them) unless literal=False."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(_labels(fields, site))
    for row in rows:
        sheet.append([row.get(f) for f in fields])
        if literal:
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def json_bytes(rows: list[dict], *, wrapped: bool = False) -> bytes:
    return json.dumps({"data": rows} if wrapped else rows).encode()
