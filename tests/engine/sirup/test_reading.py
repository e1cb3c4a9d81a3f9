"""Every shape of SIRUP file users have is read to the same packages."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from engine.sirup import ImportLimits, read_packages
from tests.sirup_support import FIELDS, csv_bytes, json_bytes, package, xlsx_bytes

LIMITS = ImportLimits()
ROWS = [package("51000001"),
        package("51000002", nama_paket="Rehabilitasi Gedung Puskesmas Painan",
                pagu="Rp 2.500.000", metode_pengadaan="TENDER CEPAT",
                jenis_pengadaan="pekerjaan konstruksi", tgl_awal_pemilihan="2026-04-01",
                tgl_akhir_pemilihan="Mei 2026", sumber_dana="APBD; DAK")]
EXPECTED = [
    ("51000001", "Pengadaan Alat Kesehatan Puskesmas", Decimal("1250000000.00"), "Tender",
     "Barang", date(2026, 3, 2), date(2026, 4, 30), ["APBD"]),
    ("51000002", "Rehabilitasi Gedung Puskesmas Painan", Decimal("2500000"), "Tender Cepat",
     "Pekerjaan Konstruksi", date(2026, 4, 1), date(2026, 5, 31), ["APBD", "DAK"]),
]


def _summary(data: bytes) -> list[tuple]:
    read = read_packages(data, LIMITS)
    assert read.refusals == []
    assert {row.tahun_anggaran for row in read.rows} == {2026}
    assert {row.nama_satker for row in read.rows} == {"Dinas Kesehatan"}
    return [(r.kd_rup, r.nama_paket, r.pagu, r.metode_pengadaan, r.jenis_pengadaan,
             r.tgl_awal_pemilihan, r.tgl_akhir_pemilihan, r.sumber_dana) for r in read.rows]


SHUFFLED = tuple(random.Random(7).sample(FIELDS, len(FIELDS)))


@pytest.mark.parametrize("data", [
    csv_bytes(ROWS, delimiter=";"),
    csv_bytes(ROWS, delimiter=","),
    csv_bytes(ROWS, delimiter="\t"),
    csv_bytes(ROWS, bom=True),
    csv_bytes(ROWS, site=False),
    csv_bytes(ROWS, fields=SHUFFLED),
    csv_bytes(ROWS, fields=SHUFFLED, site=False, delimiter=","),
    xlsx_bytes(ROWS),
    xlsx_bytes(ROWS, site=False, fields=SHUFFLED),
    xlsx_bytes(ROWS, title="Daftar Paket RUP Kabupaten Pesisir Selatan 2026"),
    json_bytes(ROWS),
    json_bytes(ROWS, wrapped=True),
], ids=["csv-semicolon", "csv-comma", "csv-tab", "csv-bom", "csv-api-names", "csv-shuffled",
        "csv-api-shuffled", "xlsx", "xlsx-api-shuffled", "xlsx-title-rows", "json-list",
        "json-data"])
def test_every_shape_reads_the_same_packages(data):
    assert _summary(data) == EXPECTED


def test_headers_are_case_space_and_punctuation_insensitive():
    data = (b"KODE RUP;nama paket;PAGU (Rp);metode_pemilihan;SATUAN  KERJA;tahun anggaran\n"
            b"51000001;Paket A;1.000.000;Tender;Dinas Kesehatan;2026\n")
    read = read_packages(data, LIMITS)
    assert [(r.kd_rup, r.pagu, r.metode_pengadaan) for r in read.rows] == [
        ("51000001", Decimal("1000000"), "Tender")]


def test_metode_pengadaan_is_a_synonym_of_metode_pemilihan_and_unknown_columns_are_ignored():
    data = (b"Kode RUP,Nama Paket,Pagu,Metode Pengadaan,Nama Satker,Lokasi,Tahun Anggaran\n"
            b"51000001,Paket A,1000,Pengadaan Langsung,Dinas Kesehatan,Painan,2026\n")
    assert read_packages(data, LIMITS).rows[0].metode_pengadaan == "Pengadaan Langsung"


def test_windows_1252_csv_keeps_its_accents_and_rupiah():
    rows = [package(nama_paket="Pengadaan Café Kantin – Tahap I", pagu="Rp 1.000.000")]
    read = read_packages(csv_bytes(rows, encoding="cp1252"), LIMITS)
    assert read.rows[0].nama_paket == "Pengadaan Café Kantin – Tahap I"


def test_xlsx_number_and_date_cells():
    rows = [package(kd_rup=51000009, pagu=1250000.5, tahun_anggaran=2026,
                    tgl_awal_pemilihan=date(2026, 3, 2), tgl_akhir_pemilihan=None)]
    row = read_packages(xlsx_bytes(rows), LIMITS).rows[0]
    assert (row.kd_rup, row.pagu, row.tahun_anggaran, row.tgl_awal_pemilihan,
            row.tgl_akhir_pemilihan) == ("51000009", Decimal("1250000.50"), 2026,
                                         date(2026, 3, 2), None)


def test_json_numbers_and_source_lists():
    rows = [package(kd_rup=51000009, pagu=1250000, tahun_anggaran=2026,
                    sumber_dana=["APBD", "DAK"])]
    row = read_packages(json_bytes(rows), LIMITS).rows[0]
    assert (row.kd_rup, row.pagu, row.sumber_dana) == ("51000009", Decimal(1250000),
                                                       ["APBD", "DAK"])


def test_a_row_without_a_year_takes_the_chosen_one_or_is_refused():
    data = csv_bytes([package(tahun_anggaran="")])
    assert read_packages(data, LIMITS, default_year=2027).rows[0].tahun_anggaran == 2027
    refused = read_packages(data, LIMITS).refusals
    assert [(r.line, r.code) for r in refused] == [(2, "missing_tahun_anggaran")]


def test_line_numbers_are_what_the_user_sees():
    rows = [package("51000001"), package("", pagu="lima juta"), package("51000003")]
    read = read_packages(xlsx_bytes(rows, title="Daftar Paket"), LIMITS)
    assert [(r.line, r.code, r.field) for r in read.refusals] == [
        (5, "missing_kd_rup", "kd_rup"), (5, "unreadable_pagu", "pagu")]
    assert [row.line for row in read.rows] == [4, 6]


def test_a_second_row_of_one_package_is_refused():
    read = read_packages(csv_bytes([package("51000001"), package("51000001")]), LIMITS)
    assert [(r.line, r.code) for r in read.refusals] == [(3, "duplicate_in_file")]
    assert [row.line for row in read.rows] == [2]


def test_the_same_code_in_two_years_is_two_packages():
    rows = [package("51000001"), package("51000001", tahun_anggaran="2027")]
    assert len(read_packages(csv_bytes(rows), LIMITS).rows) == 2


def test_a_row_without_satker_is_refused():
    read = read_packages(csv_bytes([package(nama_satker="", kd_satker="")]), LIMITS)
    assert [r.code for r in read.refusals] == ["missing_satker"]


def test_the_kode_satker_alone_is_enough_to_read():
    fields = tuple(f for f in FIELDS if f != "nama_satker")
    read = read_packages(csv_bytes([package(kd_satker="1234567")], fields=fields), LIMITS)
    assert read.rows[0].kd_satker == "1234567" and read.rows[0].nama_satker is None


def test_the_sha256_is_of_the_bytes():
    import hashlib

    data = csv_bytes(ROWS)
    assert read_packages(data, LIMITS).sha256 == hashlib.sha256(data).hexdigest()
