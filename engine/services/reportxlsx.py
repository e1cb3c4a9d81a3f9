"""The period report as a workbook (openpyxl): one sheet per view of the page, Capaian,
Tren, Per OPD, Kedisiplinan Pelaporan and Analisis, each under a title block.

Figures are numbers with a number format ('#,##0.00'; achievements '0.00"%"', the number
85.75 shown as 85.75%), dates are dates, so the sheet can be summed and sorted. Text that
a spreadsheet would run as a formula (starting with = + - @, or a tab or carriage return)
is written as text with Excel's quote prefix: an OPD's answer never becomes a formula.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from engine.services import reportformats as fmt

NUMBER, PERCENT, DAY, MOMENT = "#,##0.00", '0.00"%"', "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=13)


def report_xlsx(report, now: datetime, zone: ZoneInfo) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    _capaian(book.active, report)
    _trend(book.create_sheet(), report)
    _per_opd(book.create_sheet(), report)
    _discipline(book.create_sheet(), report, zone)
    _analysis(book.create_sheet(), report)
    book.properties.title = f"{fmt.TITLE} {report.run.registration_no} periode " \
                            f"{report.period.number}"
    book.properties.creator = f"Alur Kinerja, {fmt.BAGIAN}"
    book.properties.created = now.astimezone(zone).replace(tzinfo=None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- writing cells -----------------------------------------------------------------------

def put(sheet, row: int, column: int, value, number_format: str | None = None):
    """One cell: text safe from formula injection, numbers with their format."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def _title_block(sheet, report, heading: str) -> int:
    """The title rows; returns the row of the table's headers."""
    sheet.title = heading[:31]
    put(sheet, 1, 1, f"{fmt.TITLE}: {heading}").font = TITLE_FONT
    put(sheet, 2, 1, f"{fmt.KABUPATEN}, {fmt.SEKRETARIAT}, {fmt.BAGIAN}")
    put(sheet, 3, 1, f"Pelaksanaan {report.run.registration_no}: {report.run.title}")
    put(sheet, 4, 1, fmt.period_text(report))
    return 6


def _table(sheet, header_row: int, headers: list[tuple[str, int]], rows: list[list]) -> None:
    """Headers (name, width) in bold, then rows of (value, number format) or plain values."""
    for column, (name, width) in enumerate(headers, start=1):
        put(sheet, header_row, column, name).font = BOLD
        sheet.column_dimensions[get_column_letter(column)].width = width
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            value, number_format = value if isinstance(value, tuple) else (value, None)
            cell = put(sheet, header_row + offset, column, value, number_format)
            cell.alignment = Alignment(wrap_text=isinstance(value, str), vertical="top")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)


# ---- the sheets --------------------------------------------------------------------------

def _capaian(sheet, report) -> None:
    top = _title_block(sheet, report, "Capaian")
    headers = [("Sasaran Strategis", 22), ("Kode", 9), ("Indikator Kinerja", 40),
               ("Satuan", 10), ("Polaritas", 11), ("Periode", 12), ("Target", 14),
               ("Realisasi", 16), ("Capaian (%)", 12), ("Kategori", 18),
               ("Rencana Aksi", 40), ("Rekomendasi", 36)]
    rows = [[_goal(group), row.code, row.name, row.unit,
             fmt.POLARITY_WORDS.get(row.polarity, row.polarity), row.label,
             (row.target, NUMBER), (row.realisation, NUMBER), (row.achievement, PERCENT),
             fmt.BAND_WORDS.get(row.band, row.band), _actions(row),
             "; ".join(row.recommendations)]
            for group in report.groups for row in group.indicators]
    _table(sheet, top, headers, rows)
    put(sheet, top + len(rows) + 2, 1, fmt.BANDS_NOTE)


def _trend(sheet, report) -> None:
    top = _title_block(sheet, report, "Tren")
    headers = [("Kode", 9), ("Indikator Kinerja", 40), ("Periode ke", 10), ("Periode", 12),
               ("Target", 14), ("Realisasi", 16), ("Capaian (%)", 12), ("Kategori", 18)]
    rows = [[row.code, row.name, point.period_no, point.label, (point.target, NUMBER),
             (point.realisation, NUMBER), (point.achievement, PERCENT),
             fmt.BAND_WORDS.get(point.band, point.band)]
            for row in report.indicators for point in row.trend]
    _table(sheet, top, headers, rows)


def _per_opd(sheet, report) -> None:
    top = _title_block(sheet, report, "Per OPD")
    headers = [("Kode", 9), ("Indikator Kinerja", 36), ("OPD", 36), ("Realisasi", 16),
               ("Pembilang", 18), ("Penyebut", 18), ("Capaian (%)", 12),
               ("Kontribusi (%)", 14), ("Kategori", 18)]
    rows = [[row.code, row.name, opd.name, (opd.realisation, NUMBER),
             (opd.numerator, NUMBER), (opd.denominator, NUMBER), (opd.achievement, PERCENT),
             (opd.share, PERCENT), fmt.BAND_WORDS.get(opd.band, opd.band)]
            for row in report.indicators for opd in row.opds]
    _table(sheet, top, headers, rows)


def _discipline(sheet, report, zone: ZoneInfo) -> None:
    top = _title_block(sheet, report, "Kedisiplinan Pelaporan")
    headers = [("OPD", 36), ("Pelapor", 28), ("Waktu kirim", 18), ("Batas waktu", 14),
               ("Status", 16), ("Terlambat (HK)", 14)]
    rows = [[s.opd_name, s.person or fmt.NONE, (_local(s.completed_at, zone), MOMENT),
             (s.due_on, DAY), fmt.SUBMISSION_WORDS.get(s.state, s.state), s.days_late]
            for s in report.submissions]
    _table(sheet, top, headers, rows)


def _analysis(sheet, report) -> None:
    top = _title_block(sheet, report, "Analisis")
    a = report.analysis
    rows = [["Metode analisis", a.method], ["Hasil analisis", a.text],
            *[["Rekomendasi", f"{code}: {text}" if code else text]
              for code, text in a.recommendations],
            ["Judul laporan", a.title], ["Isi laporan", a.body],
            ["Keputusan rapat", fmt.DECISION_WORDS.get(a.decision, a.decision)],
            ["Catatan rapat", a.meeting_notes], ["Rekomendasi disetujui", a.approved],
            *[[f"Pelaksanaan rencana aksi: {p.opd_name}",
               f"Progres: {p.progress or fmt.NONE}. Kendala: {p.obstacles or fmt.NONE}"]
              for p in report.progress]]
    _table(sheet, top, [("Bagian", 34), ("Isi", 90)], rows)


def _goal(group) -> str:
    return f"{group.code} {group.name}".strip()


def _actions(row) -> str:
    return "; ".join(
        item.action + (f" ({item.schedule}, {item.responsible})" if item.schedule else "")
        for item in row.actions)


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | date | None:
    return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)
