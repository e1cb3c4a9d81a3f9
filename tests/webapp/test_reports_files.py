"""The period report's files read back: the XLSX opened with openpyxl (sheets, Indonesian
headers, title block, numbers stored as numbers with their formats, formula-looking text
kept as text) and the PDF with pypdf (letterhead, signature block); and every figure the
page shows (achievement table, trends, per-OPD figures) found equal in both files, the PDF
writing it as the page does."""

from __future__ import annotations

import io
import re

import pytest
from babel.numbers import format_decimal
from openpyxl import load_workbook
from pypdf import PdfReader

from engine.models import HumanTask
from tests.conftest import T0
from tests.engine.services.report_support import two_period_run
from tests.webapp.inbox_support import app_session, squash, text_of

PATH = "/laporan/pelaksanaan/{id}/periode/{n}"
DASH = "—"


@pytest.fixture()
def run_id(web_app):
    with app_session(web_app) as session:
        return two_period_run(session, T0).id


def fetch(client, run_id, n, suffix=""):
    response = client.get(PATH.format(id=run_id, n=n) + suffix)
    assert response.status_code == 200
    return response


def number(value) -> str:
    return DASH if value is None else format_decimal(value, locale="id")


def percent(value) -> str:
    return DASH if value is None else format_decimal(value, format="#,##0.00", locale="id") + "%"


def shown_percent(text: str) -> str:
    """'62,50%' of '62,50% · Kurang'; a dash where the page shows words only."""
    head = text.split(" · ")[0]
    return head if head.endswith("%") else DASH


def pdf_figures(*values: str) -> str:
    """The page's figures as the PDF's row writes them: '-' for a dash, a percentage
    followed by its band in words (so only the figures are compared)."""
    return " ".join(v.replace(DASH, "-") for v in values).removesuffix(" -")


def cells(row_html: str) -> list[str]:
    return [squash(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row_html, re.S)]


def page_figures(html: str) -> dict:
    """What the page shows: per indicator (target, realisation, achievement), its trend
    rows and its OPD rows, all as text."""
    found = {}
    for code, row in re.findall(r'<tr data-indicator="([^"]+)">(.*?)</tr>', html, re.S):
        values = cells(row)[-4:-1]
        found[code] = {"main": (values[0], values[1], shown_percent(values[2]))}
    for code, body in re.findall(
            r'<article[^>]*data-indicator="([^"]+)">(.*?)</article>', html, re.S):
        trend = body[body.index('data-testid="trend-table"'):].split("</table>")[0]
        found[code]["trend"] = [cells(r)[1:] for r in re.findall(r"<tr>(.*?)</tr>", trend,
                                                                 re.S)[1:]]
        found[code]["opds"] = {name: cells(r)[1:] for name, r in re.findall(
            r'<tr data-opd="([^"]+)">(.*?)</tr>', body, re.S)}
    return found


def sheet_rows(book, name: str) -> list[tuple]:
    return list(book[name].iter_rows(min_row=7, values_only=True))


def test_every_figure_on_the_page_is_in_the_xlsx(web_app, client, login, run_id):
    login("tim1")
    shown = page_figures(text_of(fetch(client, run_id, 2)))
    book = load_workbook(io.BytesIO(fetch(client, run_id, 2, "/unduh.xlsx").data))
    capaian = {row[1]: row for row in sheet_rows(book, "Capaian") if row[1]}
    for code, figures in shown.items():
        row = capaian[code]
        achievement = figures["main"][2]
        assert (number(row[6]), number(row[7])) == figures["main"][:2], code
        assert achievement == percent(row[8]), code
        trend = [r for r in sheet_rows(book, "Tren") if r[0] == code]
        assert [[number(r[4]), number(r[5]), percent(r[6])] for r in trend] == [
            [t[0], t[1], shown_percent(t[2])] for t in figures["trend"]], code
    opd_rows = {(r[0], r[2]): r for r in sheet_rows(book, "Per OPD")}
    names = {"DINKES": "Dinas Kesehatan", "DPUPR": "Dinas Pekerjaan Umum dan Penataan Ruang"}
    for code, figures in shown.items():
        for opd, values in figures["opds"].items():
            row = opd_rows[(code, names[opd])]
            assert values[0] == number(row[3]), (code, opd)
            assert shown_percent(values[-1]) in (percent(row[6]), percent(row[7])), (code, opd)


def test_every_figure_on_the_page_is_in_the_pdf(web_app, client, login, run_id):
    login("tim1")
    shown = page_figures(text_of(fetch(client, run_id, 2)))
    text = pdf_text(fetch(client, run_id, 2, "/unduh.pdf").data)
    for code, figures in shown.items():
        assert pdf_figures(*figures["main"]) in text, code
        for target, realisation, achievement in figures["trend"]:
            row = pdf_figures(target, realisation, shown_percent(achievement))
            assert row in text, (code, row)
        for opd, values in figures["opds"].items():
            ratio = values[1:3] if len(values) == 4 else [DASH, DASH]
            row = pdf_figures(values[0], *ratio, shown_percent(values[-1]))
            assert row in text, (code, opd, row)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_xlsx_sheets_and_cells(web_app, client, login, run_id):
    login("kepala")
    book = load_workbook(io.BytesIO(fetch(client, run_id, 1, "/unduh.xlsx").data))
    assert book.sheetnames == ["Capaian", "Tren", "Per OPD", "Kedisiplinan Pelaporan",
                               "Analisis"]
    sheet = book["Capaian"]
    assert sheet["A1"].value == "Laporan Pencapaian Kinerja: Capaian"
    assert "Pemerintah Kabupaten Pesisir Selatan" in sheet["A2"].value
    assert [c.value for c in sheet[6]][:9] == [
        "Sasaran Strategis", "Kode", "Indikator Kinerja", "Satuan", "Polaritas", "Periode",
        "Target", "Realisasi", "Capaian (%)"]
    first = sheet[7]
    assert first[1].value == "IKU-01"
    assert (first[6].value, first[7].value, first[8].value) == (10, 6.25, 62.5)
    assert first[7].data_type == "n" and first[7].number_format == "#,##0.00"
    assert first[8].number_format == '0.00"%"'
    late = book["Kedisiplinan Pelaporan"]
    assert [c.value for c in late[6]] == ["OPD", "Pelapor", "Waktu kirim", "Batas waktu",
                                          "Status", "Terlambat (HK)"]
    assert late["F7"].data_type == "n"


def test_formula_looking_answers_stay_text(web_app, client, login, run_id):
    """An analysis typed as `=HYPERLINK(...)` is a string cell, never a formula."""
    with app_session(web_app) as session:
        task = session.query(HumanTask).filter_by(instance_id=run_id, element_id="Task_14",
                                                  period_no=2).one()
        task.data = {**task.data, "analisis": '=HYPERLINK("http://x","klik")',
                     "metode_analisis": "+SUM(A1:A2)"}
    login("tim1")
    book = load_workbook(io.BytesIO(fetch(client, run_id, 2, "/unduh.xlsx").data))
    cells = {row[0].value: row[1] for row in book["Analisis"].iter_rows(min_row=7)}
    assert cells["Hasil analisis"].value == '=HYPERLINK("http://x","klik")'
    assert cells["Hasil analisis"].data_type == "s"
    assert cells["Metode analisis"].data_type == "s"


def test_the_pdf_letterhead_and_signature(web_app, client, login, run_id):
    login("tim1")
    reader = PdfReader(io.BytesIO(fetch(client, run_id, 2, "/unduh.pdf").data))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    text = pdf_text(fetch(client, run_id, 2, "/unduh.pdf").data)
    assert text.startswith("PEMERINTAH KABUPATEN PESISIR SELATAN SEKRETARIAT DAERAH "
                           "BAGIAN PENGADAAN BARANG DAN JASA (UKPBJ)")
    assert "LAPORAN PENCAPAIAN KINERJA" in text
    assert "Periode 2 dari 3: Triwulan II 2026 (1 April 2026 - 30 Juni 2026)" in text
    assert ("Painan, 5 Januari 2026 Kepala UKPBJ Hendri Saputra, S.T., M.M. "
            "NIP. 19780412 200501 1 003") in text
    assert "Ir. Syafrizal" in text and "Terlambat 2 HK" in text
