"""The SOP document (engine.services.sopdocument) as a PDF, in the SOP-AP layout of
Permenpan RB 35/2012, A4 landscape: first the header (Kop, Nomor SOP, the dates, Disahkan
oleh, Nama SOP; then Dasar Hukum, Kualifikasi Pelaksana, Keterkaitan,
Peralatan/Perlengkapan, Peringatan, Pencatatan dan Pendataan, a field left empty printed
"Belum diisi"), then the flowchart table (engine.services.sopflowpdf).

The PDF is the signed procedure as it is filed, so it is Indonesian whatever the reader's
locale, like the audit summary (engine.services.bundlepdf, whose `pdf_text` keeps every
text to what fpdf2's Latin-1 core fonts draw). Every line is measured with fpdf2 itself
(multi_cell dry runs) and drawn at a position chosen here, so a cell's border and its text
always agree; a header cell too tall for what is left of a page goes on over the next.
No Flask: the page route and the API both call `render_document`.
"""

from __future__ import annotations

from datetime import date, datetime

from fpdf import FPDF

from engine.services.bundlepdf import local_day
from engine.services.nip import format_nip
from engine.services.sopdocument import SopDocument
from engine.services.sopflowpdf import draw_flowchart
from engine.services.sopmetadata import SopHeader
from engine.services.soppdfcells import (
    BODY_W,
    BOTTOM,
    EMPTY,
    MARGIN,
    Cell,
    Line,
    SopPdf,
    draw_cell,
    draw_row,
    list_lines,
    pdf_text,
    text_lines,
    wrap,
)

HEADER_PT, HEADER_LINE = 8.0, 3.8
KOP_W, LABEL_W = 112.0, 42.0
SIGNATURE_MM = 11.0  # room for the signature above the signer's name


# ---- the header --------------------------------------------------------------------------

def _day(value: date | None) -> str:
    return local_day(value) if value else ""


def _approver_lines(pdf: FPDF, header: SopHeader, width: float) -> tuple[Line, ...]:
    """Jabatan, room to sign, the name underlined, "NIP. 19670907 198902 1 001"."""
    if not (header.approver_position or header.approver_name or header.approver_nip):
        return (Line(EMPTY, "I"),)
    lines = [Line(t) for t in wrap(pdf, header.approver_position, width, HEADER_PT)]
    blank = int(SIGNATURE_MM // HEADER_LINE)
    lines += [Line("")] * blank
    lines += [Line(t, "BU") for t in wrap(pdf, header.approver_name, width, HEADER_PT, "B")]
    if header.approver_nip:
        lines.append(Line(pdf_text(f"NIP. {format_nip(header.approver_nip)}")))
    return tuple(lines)


def _identity_rows(pdf: FPDF, header: SopHeader, width: float) -> list[tuple[str, tuple]]:
    def text(value: str) -> tuple[Line, ...]:
        return text_lines(pdf, value, width, HEADER_PT)

    return [("Nomor SOP", text(header.number)),
            ("Tanggal Pembuatan", text(_day(header.made_on))),
            ("Tanggal Revisi", text(_day(header.revised_on))),
            ("Tanggal Efektif", text(_day(header.effective_on))),
            ("Disahkan oleh", _approver_lines(pdf, header, width)),
            ("Nama SOP", text(header.title))]


def _kop(pdf: FPDF, header: SopHeader, width: float) -> Cell:
    lines: list[Line] = []
    for n, item in enumerate(header.letterhead):
        lines += [Line(t, "B") for t in wrap(pdf, item, width, HEADER_PT, "B")]
        if n == 0 and len(header.letterhead) > 1:
            lines.append(Line(""))
    return Cell(width, tuple(lines) or (Line(EMPTY, "I"),), HEADER_PT, HEADER_LINE,
                align="C", middle=True)


def draw_identity(pdf: FPDF, header: SopHeader) -> None:
    """The Kop beside the identity rows (Nomor SOP ... Nama SOP), as the SOP-AP lays them;
    a Kop taller than the page gets a row of its own above them."""
    value_w = BODY_W - KOP_W - LABEL_W
    kop = _kop(pdf, header, KOP_W)
    rows = [(Cell(LABEL_W, (Line(label, "B"),), HEADER_PT, HEADER_LINE, fill=True),
             Cell(value_w, lines, HEADER_PT, HEADER_LINE))
            for label, lines in _identity_rows(pdf, header, value_w)]
    heights = [max(a.height(), b.height()) for a, b in rows]
    total = max(sum(heights), kop.height())
    if pdf.get_y() + total > BOTTOM:  # only a Kop of many long lines
        draw_row(pdf, MARGIN, [Cell(BODY_W, kop.lines, HEADER_PT, HEADER_LINE, align="C")])
        kop, total = None, sum(heights)
    heights[-1] += total - sum(heights)
    top = pdf.get_y()
    if kop is not None:
        draw_cell(pdf, MARGIN, top, kop, total)
    y = top
    for (label, value), height in zip(rows, heights, strict=True):
        draw_cell(pdf, BODY_W + MARGIN - value_w - LABEL_W, y, label, height)
        draw_cell(pdf, BODY_W + MARGIN - value_w, y, value, height)
        y += height
    pdf.set_y(y)


BASIS = (("Dasar Hukum", "legal_bases"), ("Kualifikasi Pelaksana", "qualifications"),
         ("Keterkaitan", "related_sops"), ("Peralatan/Perlengkapan", "equipment"),
         ("Peringatan", "warning"), ("Pencatatan dan Pendataan", "records"))


def draw_basis(pdf: FPDF, header: SopHeader) -> None:
    """The six fields two by two: a heading row, then the row of their contents."""
    half = BODY_W / 2
    for left, right in zip(BASIS[::2], BASIS[1::2], strict=True):
        draw_row(pdf, MARGIN, [Cell(half, (Line(title, "B"),), HEADER_PT, HEADER_LINE,
                                    align="C", fill=True) for title, _name in (left, right)])
        draw_row(pdf, MARGIN, [Cell(half, _field_lines(pdf, header, name, half), HEADER_PT,
                                    HEADER_LINE) for _title, name in (left, right)])


def _field_lines(pdf: FPDF, header: SopHeader, name: str, width: float) -> tuple[Line, ...]:
    value = getattr(header, name)
    if isinstance(value, tuple):
        return list_lines(pdf, value, width, HEADER_PT)
    return text_lines(pdf, value, width, HEADER_PT)


# ---- the document ------------------------------------------------------------------------

def render_document(document: SopDocument, *, now: datetime, compress: bool = True) -> bytes:
    """The PDF's bytes: the header, then the flowchart sheets (engine.services.sopflowpdf).
    `now` is the file's creation date; `compress=False` leaves the page streams readable."""
    title = document.header.title or document.definition_name
    number = document.header.number
    pdf = SopPdf(f"{title} - Nomor SOP {number}" if number else title)
    pdf.set_compression(compress)
    pdf.set_title(pdf_text(f"{title} (versi {document.version})"))
    pdf.set_subject(pdf_text(f"SOP {document.definition_key} versi {document.version}"))
    pdf.set_author("Alur Kinerja")
    pdf.set_creation_date(now)
    pdf.add_page()
    draw_identity(pdf, document.header)
    pdf.ln(4)
    draw_basis(pdf, document.header)
    draw_flowchart(pdf, document)
    return bytes(pdf.output())
