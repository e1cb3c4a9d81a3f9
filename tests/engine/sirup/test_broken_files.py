"""Files that are refused whole, each with its own reason, and cells never evaluated."""

from __future__ import annotations

import io
import zipfile

import pytest

from engine.errors import InvalidInputError, PayloadTooLargeError, UnsupportedMediaTypeError
from engine.sirup import ImportLimits, read_packages
from tests.sirup_support import FIELDS, csv_bytes, json_bytes, package, packages, xlsx_bytes

LIMITS = ImportLimits()


def _refused(data: bytes, limits: ImportLimits = LIMITS, error=InvalidInputError):
    with pytest.raises(error) as refused:
        read_packages(data, limits)
    return refused.value


def test_an_empty_file():
    assert _refused(b"").code == "empty_file"


def test_a_file_over_the_cap_says_the_cap():
    error = _refused(b"x" * (LIMITS.max_bytes + 1), error=PayloadTooLargeError)
    assert error.code == "file_too_large" and error.status == 413
    assert error.details == {"max_bytes": 20 * 1024 * 1024, "size_bytes": LIMITS.max_bytes + 1}


def test_more_rows_than_the_cap():
    error = _refused(csv_bytes(packages(4)), ImportLimits(max_rows=3), PayloadTooLargeError)
    assert error.code == "too_many_rows" and error.details == {"max_rows": 3}


def test_endless_blank_lines_stop_at_the_cap():
    """Blank lines are skipped but counted: a sheet of a million empty rows is no way round
    the row cap."""
    data = csv_bytes(packages(1)) + b"\r\n" * 20_000
    error = _refused(data, ImportLimits(max_rows=5), PayloadTooLargeError)
    assert error.code == "too_many_rows"


@pytest.mark.parametrize(("data", "detected"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "pdf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "png"),
    (b"<html><body><table><tr><td>Kode RUP</td></tr></table></body></html>", "html"),
    (b"\x00\x01\x02binary\x00\x03" * 10, "binary"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "xls"),
    (b"\x7fELF\x02\x01\x01\x00", "binary"),
])
def test_other_types_are_refused_by_content(data, detected):
    error = _refused(data, error=UnsupportedMediaTypeError)
    assert error.status == 415
    assert error.code == "unsupported_file_type" and error.details == {"detected": detected}


def test_a_zip_that_is_no_workbook_is_another_type():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    error = _refused(out.getvalue(), error=UnsupportedMediaTypeError)
    assert error.code == "unsupported_file_type" and error.details == {"detected": "zip"}


@pytest.mark.parametrize("data", [
    csv_bytes([package()], encoding="utf-16"),  # Excel's "Unicode Text": with a BOM
    csv_bytes([package()], encoding="utf-16-le"),  # and without one
    b"Kode RUP;Nama Paket;Pagu;Satuan Kerja\n5100;Paket \x81\x8d;1;Dinas\n",
])
def test_an_encoding_we_do_not_read(data):
    error = _refused(data)
    assert error.code == "unsupported_encoding"


def test_missing_required_columns_are_named():
    fields = tuple(f for f in FIELDS if f not in {"pagu", "nama_satker", "kd_satker"})
    error = _refused(csv_bytes([package()], fields=fields))
    assert error.code == "missing_columns"
    assert error.details == {"missing": ["Pagu", "Satuan Kerja / Kode Satker"]}


def test_a_text_file_that_is_no_package_list():
    error = _refused(b"Laporan kinerja triwulan I\nisi laporan\n")
    assert error.code == "missing_columns"
    assert error.details["missing"] == ["Kode RUP", "Nama Paket", "Pagu",
                                        "Satuan Kerja / Kode Satker"]


def test_two_columns_for_one_field():
    data = b"Kode RUP;Nama Paket;Pagu;Satuan Kerja;Nama Satker\n1;A;1;B;B\n"
    error = _refused(data)
    assert error.code == "duplicate_column"
    assert error.details == {"columns": {"nama_satker": ["Satuan Kerja", "Nama Satker"]}}


@pytest.mark.parametrize("data", [b'{"paket": 1}', b"[1, 2]", b'[{"kd_rup": ', b"{}"])
def test_json_of_another_shape(data):
    assert _refused(data).code == "invalid_json_file"


def test_a_broken_csv_names_its_line():
    data = b'Kode RUP;Nama Paket;Pagu;Satuan Kerja\n1;"A"x;1;B\n'
    error = _refused(data)
    assert error.code == "unreadable_csv" and error.details["line"] == 2


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_a_zip_bomb_disguised_as_a_workbook_is_refused_before_openpyxl():
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                 "xl/worksheets/sheet1.xml": b"\0" * (40 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024  # 40 MB of sheet in well under 100 kB
    error = _refused(bomb)
    assert error.code == "xlsx_too_expanded"
    assert error.details["unpacked_bytes"] > 40 * 1024 * 1024


def test_a_workbook_of_too_many_entries_is_refused():
    entries = {f"xl/media/{i}.bin": b"" for i in range(LIMITS.max_zip_entries)}
    error = _refused(_zip({"xl/workbook.xml": b"<workbook/>", **entries}))
    assert error.code == "xlsx_too_expanded"


def test_a_broken_workbook_is_unreadable():
    data = _zip({"[Content_Types].xml": b"<Types>", "xl/workbook.xml": b"<not xml"})
    assert _refused(data).code == "unreadable_xlsx"


def test_a_truncated_workbook_is_unreadable():
    data = xlsx_bytes([package()])
    assert _refused(data[: len(data) // 2]).code == "unreadable_xlsx"


@pytest.mark.parametrize("build", [xlsx_bytes, csv_bytes, json_bytes])
def test_formula_like_text_is_kept_as_plain_text(build):
    tricky = ['=HYPERLINK("http://x","y")', "+62 812 3456", "-Paket minus", "@SUM(A1:A9)",
              "=cmd|' /C calc'!A0"]
    rows = [package(str(51000001 + i), nama_paket=text) for i, text in enumerate(tricky)]
    read = read_packages(build(rows), LIMITS)
    assert read.refusals == []
    assert [row.nama_paket for row in read.rows] == tricky


def test_a_real_formula_cell_is_never_evaluated():
    """openpyxl writes no cached value, so a formula reads as an empty cell: the row is
    refused for its empty name and pagu rather than computed."""
    rows = [package(nama_paket='=HYPERLINK("http://x","y")', pagu="=1000*1000")]
    read = read_packages(xlsx_bytes(rows, literal=False), LIMITS)
    assert read.rows == []
    assert {(r.code, r.field) for r in read.refusals} == {
        ("missing_nama_paket", "nama_paket"), ("missing_pagu", "pagu")}
