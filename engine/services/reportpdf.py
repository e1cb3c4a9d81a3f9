"""The period report as a PDF (fpdf2): A4 landscape, since the e-SAKIP table with its
Rencana Aksi needs the width; in Bahasa Indonesia.

The kabupaten's letterhead, the run and period, the achievement table (Sasaran Strategis |
Indikator Kinerja | Satuan | Target | Realisasi | Capaian | Rencana Aksi), each indicator's
trend, the per-OPD figures, the analysis and follow-up, the reporting discipline, and the
Kepala UKPBJ's signature block ("Painan, 24 November 2026", jabatan, name, NIP). Numbers
are written as the page writes them (engine.services.reportformats); text goes through
bundlepdf.pdf_text, the core fonts being Latin-1.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from engine.services import reportformats as fmt
from engine.services.bundlepdf import pdf_text

HEADING = FontFace(emphasis="BOLD", fill_color=(230, 236, 243))


class ReportPdf(FPDF):
    """A4 landscape with the report's name and "Halaman n dari m" at the foot."""

    def __init__(self, running_title: str):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.running_title = pdf_text(running_title)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(12, 12, 12)

    def footer(self):
        self.set_y(-11)
        self.set_font("Helvetica", "", 7)
        self.cell(0, 5, f"{self.running_title} - Halaman {self.page_no()} dari {{nb}}",
                  align="C")


def report_pdf(report, now: datetime, zone: ZoneInfo, *, compress: bool = True) -> bytes:
    """The PDF's bytes; `compress=False` leaves the page text readable for tests."""
    name = f"{fmt.TITLE} {report.run.registration_no} periode {report.period.number}"
    pdf = ReportPdf(name)
    pdf.set_compression(compress)
    pdf.set_title(pdf_text(name))
    pdf.set_author(pdf_text(f"Alur Kinerja, {fmt.BAGIAN}, {fmt.KABUPATEN}"))
    pdf.set_creation_date(now)
    pdf.add_page()
    _letterhead(pdf, report)
    _section(pdf, "A. Capaian Kinerja")
    _achievements(pdf, report)
    _section(pdf, "B. Tren Capaian per Periode")
    _trend(pdf, report)
    _section(pdf, "C. Capaian per OPD")
    _per_opd(pdf, report)
    _section(pdf, "D. Analisis, Rekomendasi dan Tindak Lanjut")
    _analysis(pdf, report)
    _section(pdf, "E. Kedisiplinan Pelaporan (langkah 12)")
    _discipline(pdf, report, zone)
    _signature(pdf, report, now, zone)
    return bytes(pdf.output())


def _letterhead(pdf: FPDF, report) -> None:
    pdf.set_font("Helvetica", "B", 12)
    for line in (fmt.KABUPATEN.upper(), fmt.SEKRETARIAT.upper(), fmt.BAGIAN.upper()):
        pdf.cell(0, 5.5, pdf_text(line), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 8)
    pdf.cell(0, 4.5, pdf_text(fmt.ADDRESS), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
    pdf.set_line_width(0.2)
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, pdf_text(fmt.TITLE.upper()), align="C", new_x=XPos.LMARGIN,
             new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 9)
    for line in (fmt.period_text(report),
                 f"Pelaksanaan {report.run.registration_no}: {report.run.title}"):
        pdf.cell(0, 5, pdf_text(line), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not report.reported:
        pdf.cell(0, 5, "Belum ada laporan OPD untuk periode ini.", align="C",
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, pdf_text(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 7.5)


def _table(pdf: FPDF, widths: tuple, headings: tuple, rows: list[tuple],
           numeric: frozenset[int] = frozenset()) -> None:
    if not rows:
        pdf.cell(0, 5, "Tidak ada.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    aligns = tuple("RIGHT" if i in numeric else "LEFT" for i in range(len(widths)))
    with pdf.table(col_widths=widths, text_align=aligns, line_height=3.8, padding=0.8,
                   headings_style=HEADING) as table:
        for values in (headings, *rows):
            row = table.row()
            for value in values:
                row.cell(pdf_text(value))


def _achievements(pdf: FPDF, report) -> None:
    headings = ("Sasaran Strategis", "Indikator Kinerja", "Satuan", "Target", "Realisasi",
                "Capaian", "Rencana Aksi")
    rows = [(f"{group.code} {group.name}".strip(), f"{row.code} {row.name} ({row.label})",
             row.unit or fmt.NONE, fmt.number_text(row.target),
             fmt.number_text(row.realisation), fmt.achievement_text(row.achievement, row.band),
             _actions(row))
            for group in report.groups for row in group.indicators]
    _table(pdf, (34, 66, 16, 22, 28, 34, 73), headings, rows, frozenset({3, 4, 5}))
    pdf.set_font("Helvetica", "I", 7)
    pdf.cell(0, 5, pdf_text(fmt.BANDS_NOTE), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _trend(pdf: FPDF, report) -> None:
    headings = ("Kode", "Periode", "Target", "Realisasi", "Capaian", "Arah tren")
    rows = [(row.code, f"Periode {p.period_no} ({p.label})", fmt.number_text(p.target),
             fmt.number_text(p.realisation), fmt.achievement_text(p.achievement, p.band),
             fmt.TREND_WORDS.get(row.direction, fmt.NONE) if p is row.trend[-1] else "")
            for row in report.indicators for p in row.trend]
    _table(pdf, (20, 50, 30, 40, 45, 30), headings, rows, frozenset({2, 3, 4}))


def _per_opd(pdf: FPDF, report) -> None:
    headings = ("Kode", "OPD", "Realisasi", "Pembilang", "Penyebut", "Capaian / Kontribusi")
    rows = [(row.code, opd.name, fmt.number_text(opd.realisation),
             fmt.number_text(opd.numerator), fmt.number_text(opd.denominator),
             f"{fmt.percent_text(opd.share)} dari jumlah" if row.aggregation == "jumlah"
             else fmt.achievement_text(opd.achievement, opd.band))
            for row in report.indicators for opd in row.opds]
    _table(pdf, (20, 70, 35, 40, 40, 50), headings, rows, frozenset({2, 3, 4, 5}))


def _analysis(pdf: FPDF, report) -> None:
    a = report.analysis
    advice = "\n".join(f"{code}: {text}" if code else text for code, text in a.recommendations)
    lines = [("Metode analisis", a.method), ("Hasil analisis", a.text),
             ("Rekomendasi", advice), ("Laporan", f"{a.title}\n{a.body}".strip()),
             ("Keputusan rapat", fmt.DECISION_WORDS.get(a.decision, a.decision)),
             ("Catatan rapat", a.meeting_notes), ("Rekomendasi disetujui", a.approved)]
    lines += [(f"Rencana aksi: {p.opd_name}",
               f"Progres: {p.progress or fmt.NONE}. Kendala: {p.obstacles or fmt.NONE}")
              for p in report.progress]
    shown = [(label, text) for label, text in lines if text]
    if not shown:
        pdf.cell(0, 5, "Langkah 14-17 periode ini belum selesai.", new_x=XPos.LMARGIN,
                 new_y=YPos.NEXT)
        return
    _table(pdf, (50, 223), ("Bagian", "Isi"), shown)


def _discipline(pdf: FPDF, report, zone: ZoneInfo) -> None:
    headings = ("OPD", "Pelapor", "Waktu kirim", "Batas waktu", "Status")
    rows = [(s.opd_name, s.person or fmt.NONE, fmt.moment_text(s.completed_at, zone),
             fmt.day_text(s.due_on), fmt.submission_text(s)) for s in report.submissions]
    _table(pdf, (75, 55, 50, 40, 53), headings, rows)


def _signature(pdf: FPDF, report, now: datetime, zone: ZoneInfo) -> None:
    """Place and date, jabatan, room to sign, the name, and the NIP, at the right."""
    signer = report.signatory
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.ln(8)
    left = pdf.w - pdf.r_margin - 80
    lines = ((f"{fmt.PLACE}, {fmt.day_text(now.astimezone(zone).date())}", ""),
             (signer.title, "B"), ("", ""), ("", ""), ("", ""),
             (signer.name or "(nama belum terdaftar)", "BU"),
             (f"NIP. {signer.nip}" if signer.nip else "NIP. -", ""))
    for text, style in lines:
        pdf.set_x(left)
        pdf.set_font("Helvetica", style, 9)
        pdf.cell(80, 5, pdf_text(text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _actions(row) -> str:
    return "\n".join(
        item.action + (f" ({item.schedule}, {item.responsible})" if item.schedule else "")
        for item in row.actions) or fmt.NONE
