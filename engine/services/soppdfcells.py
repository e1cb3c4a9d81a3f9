"""Cells for the SOP document's PDF (engine.services.soppdf, sopflowpdf): the page, and text
measured with fpdf2 itself (multi_cell dry runs) then drawn line by line at positions the
caller chooses, so a cell's border and its text always agree.

Every text goes through `pdf_text` (bundlepdf's, accents composed first): fpdf2's core
fonts are Latin-1.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from fpdf import FPDF

from engine.services.bundlepdf import pdf_text as latin_text

MARGIN = 10.0
PAGE_W, PAGE_H = 297.0, 210.0
BODY_W = PAGE_W - 2 * MARGIN
BOTTOM = PAGE_H - MARGIN  # the footer sits in the margin below
FONT = "Helvetica"
PAD = 1.2  # a cell's padding above and below its text
EMPTY = "Belum diisi"
MUTED = 110  # grey of "Belum diisi"
HEAD_FILL = 232


def pdf_text(value: object) -> str:
    """bundlepdf's Latin-1 text, after composing accents typed as two characters
    ("a" + U+0301 is "\u00e1", which Latin-1 has)."""
    return latin_text(unicodedata.normalize("NFC", str(value if value is not None else "")))


@dataclass(frozen=True)
class Line:
    """One drawn line of a cell: its text and font style ("", "B", "I", "BU")."""

    text: str
    style: str = ""


@dataclass(frozen=True)
class Cell:
    """A cell ready to draw: width, its lines, and how they sit."""

    w: float
    lines: tuple[Line, ...]
    size: float
    line_h: float
    align: str = "L"
    fill: bool = False
    middle: bool = False  # centred vertically in the row

    def height(self) -> float:
        return len(self.lines) * self.line_h + 2 * PAD


class SopPdf(FPDF):
    """A4 landscape; every row placed by this module (no automatic page break); a footer
    with the SOP's name and number and "Halaman n dari m"."""

    def __init__(self, footer_text: str):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.footer_text = pdf_text(footer_text)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=False)
        self.set_line_width(0.25)

    def footer(self):
        self.set_xy(MARGIN, PAGE_H - 8)
        self.set_font(FONT, "", 6.5)
        self.set_text_color(60)
        self.cell(BODY_W / 2, 4, self.footer_text)
        self.cell(BODY_W / 2, 4, f"Halaman {self.page_no()} dari {{nb}}", align="R")
        self.set_text_color(0)


# ---- measuring and drawing cells ---------------------------------------------------------

def wrap(pdf: FPDF, text: str, width: float, size: float, style: str = "") -> list[str]:
    """`text` cut into the lines fpdf2 would print in a cell `width` wide."""
    if not text:
        return []
    pdf.set_font(FONT, style.replace("U", ""), size)
    return pdf.multi_cell(width, 1, pdf_text(text), dry_run=True, output="LINES")


def text_lines(pdf: FPDF, text: str, width: float, size: float,
               style: str = "") -> tuple[Line, ...]:
    """The lines of a text, or "Belum diisi" in italics when there is none."""
    found = wrap(pdf, text, width, size, style)
    return tuple(Line(line, style) for line in found) if found else (Line(EMPTY, "I"),)


def list_lines(pdf: FPDF, items: tuple[str, ...], width: float, size: float) -> tuple[Line, ...]:
    """A list as the SOP writes it: numbered when it has more than one item."""
    if len(items) <= 1:
        return text_lines(pdf, items[0] if items else "", width, size)
    found: list[Line] = []
    for number, item in enumerate(items, 1):
        found += [Line(line) for line in wrap(pdf, f"{number}. {item}", width, size)]
    return tuple(found)


def draw_cell(pdf: FPDF, x: float, y: float, cell: Cell, height: float,
              lines: tuple[Line, ...] | None = None) -> None:
    """The cell's border (and fill) `height` tall at (x, y), its lines inside."""
    if cell.fill:
        pdf.set_fill_color(HEAD_FILL)
    pdf.rect(x, y, cell.w, height, style="DF" if cell.fill else "D")
    shown = cell.lines if lines is None else lines
    top = y + PAD
    if cell.middle:
        top = y + (height - len(shown) * cell.line_h) / 2
    for n, line in enumerate(shown):
        draw_line(pdf, x, top + n * cell.line_h, cell, line)


def draw_line(pdf: FPDF, x: float, y: float, cell: Cell, line: Line) -> None:
    pdf.set_font(FONT, line.style, cell.size)
    pdf.set_text_color(MUTED if line.style == "I" else 0)
    pdf.set_xy(x, y)
    pdf.cell(cell.w, cell.line_h, line.text, align=cell.align)
    pdf.set_text_color(0)


def draw_row(pdf: FPDF, x: float, cells: list[Cell]) -> None:
    """Cells side by side from the current y, as tall as the tallest; a row that does not
    fit what is left of the page starts the next, and one taller than a page goes on over
    as many pages as it needs (header text only: flowchart rows are never split)."""
    height = max(cell.height() for cell in cells)
    if pdf.get_y() + height > BOTTOM and pdf.get_y() > MARGIN + 1:
        pdf.add_page()
    offsets = [0] * len(cells)
    while True:
        room = BOTTOM - pdf.get_y()
        fits = min(int((room - 2 * PAD) // cell.line_h) for cell in cells)
        rest = max(len(cell.lines) - offsets[i] for i, cell in enumerate(cells))
        if rest <= fits:
            _draw_chunk(pdf, x, cells, offsets, None)
            return
        _draw_chunk(pdf, x, cells, offsets, BOTTOM - pdf.get_y())
        pdf.add_page()


def _draw_chunk(pdf: FPDF, x: float, cells: list[Cell], offsets: list[int],
                height: float | None) -> None:
    """Draw what fits of each cell from its offset, then move the offsets on."""
    y, chunks = pdf.get_y(), []
    for i, cell in enumerate(cells):
        count = len(cell.lines) if height is None else int((height - 2 * PAD) // cell.line_h)
        chunks.append(cell.lines[offsets[i]:offsets[i] + count])
        offsets[i] += len(chunks[-1])
    if height is None:
        height = max(len(chunk) * cell.line_h + 2 * PAD for chunk, cell in zip(chunks, cells,
                                                                             strict=True))
    for cell, chunk in zip(cells, chunks, strict=True):
        draw_cell(pdf, x, y, cell, height, chunk)
        x += cell.w
    pdf.set_y(y + height)
