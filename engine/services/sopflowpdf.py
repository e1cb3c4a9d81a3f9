"""The SOP document's flowchart table in the PDF (engine.services.soppdf): No | Kegiatan |
one column per Pelaksana | Mutu Baku (Kelengkapan, Waktu, Output) | Keterangan, on A4
landscape sheets, each with the table's head again, never splitting a row.

Rows are measured with fpdf2 (their texts, the symbol with the ways written under it) and
cut into sheets here, because the PDF knows its own heights exactly; what a row draws
(the arrow from the row above, the line on to the row below, the numbered off-page
connectors where the flow runs across a break, how far a shared Mutu Baku cell spans)
is decided by engine.services.soppages for those cuts, the same rules as the page's.
The symbols and arrows are drawn by engine.services.sopsymbolspdf.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF

from engine.services import soppages
from engine.services.sopdocument import Row, SopDocument
from engine.services.soppages import Page, PageRow
from engine.services.soppdfcells import (
    BODY_W,
    BOTTOM,
    FONT,
    MARGIN,
    Cell,
    Line,
    draw_cell,
    list_lines,
    pdf_text,
    text_lines,
    wrap,
)
from engine.services.sopsymbolspdf import (
    CONNECTOR_ROW,
    NOTE_LINE,
    NOTE_PT,
    SYMBOL_Y,
    draw_flow,
    half_height,
)

TEXT_PT, LINE_H = 7.0, 3.1
WIDTHS = {"no": 9.0, "kegiatan": 56.0, "kelengkapan": 40.0, "waktu": 16.0, "output": 40.0,
          "keterangan": 32.0}
LANES_W = BODY_W - sum(WIDTHS.values())  # 84 mm shared by the Pelaksana columns
MUTU_W = WIDTHS["kelengkapan"] + WIDTHS["waktu"] + WIDTHS["output"]
TITLE_H = 6.0
MIN_ROW = 21.0
NO_ROWS = "Versi ini tidak memiliki langkah."
MIN_SCALE = 0.5  # of the table's type, for a row that would not fit a sheet


@dataclass(frozen=True)
class Measured:
    """A row's cells and notes, and its height before a shared Mutu Baku counts."""

    texts: tuple[Cell, Cell, Cell]  # No, Kegiatan, Keterangan
    mutu: tuple[Cell, Cell, Cell]  # Kelengkapan, Waktu, Output
    notes: tuple[Line, ...]  # the ways, or where the flow jumps, under the symbol
    own: float

    def mutu_height(self) -> float:
        return max(cell.height() for cell in self.mutu)


@dataclass(frozen=True)
class Columns:
    lanes: int

    @property
    def lane_w(self) -> float:
        return LANES_W / max(self.lanes, 1)

    def left(self, name: str) -> float:
        order = ("no", "kegiatan", "lanes", "kelengkapan", "waktu", "output", "keterangan")
        x = MARGIN
        for key in order[:order.index(name)]:
            x += LANES_W if key == "lanes" else WIDTHS[key]
        return x

    def lane_left(self, lane: int) -> float:
        return self.left("lanes") + lane * self.lane_w

    def centre(self, lane: int) -> float:
        return self.lane_left(lane) + self.lane_w / 2


# ---- measuring ---------------------------------------------------------------------------

def fitted(pdf: FPDF, row: Row, columns: Columns, *, jumps: bool, budget: float) -> Measured:
    """The row at the table's text size; a row taller than a whole sheet (pages of
    documentation) again in smaller type, down to MIN_SCALE, so that it still fits one
    sheet unsplit. Only text beyond even that would run past the sheet's foot."""
    found, scale = measure(pdf, row, columns, jumps=jumps), 1.0
    while max(found.own, found.mutu_height()) > budget and scale > MIN_SCALE:
        scale = max(MIN_SCALE, scale * 0.97 * budget / max(found.own, found.mutu_height()))
        found = measure(pdf, row, columns, jumps=jumps, scale=scale)
    return found


def measure(pdf: FPDF, row: Row, columns: Columns, *, jumps: bool,
            scale: float = 1.0) -> Measured:
    """The row's cells; `jumps` when the flow does not go on to the row below it, so the
    symbol says where it goes ("-> langkah 11"); `scale` shrinks its text."""
    size = TEXT_PT * scale

    def cell(name: str, lines: tuple[Line, ...], align: str = "L") -> Cell:
        return Cell(WIDTHS[name], lines, size, LINE_H * scale, align=align)

    remark = list(text_lines(pdf, row.keterangan, WIDTHS["keterangan"], size)) \
        if row.keterangan else []
    if row.waits_for:
        remark += [Line(t, "I") for t in wrap(pdf, f"Dimulai setelah: {row.waits_for}",
                                              WIDTHS["keterangan"], size, "I")]
    texts = (cell("no", (Line(pdf_text(row.no), "B"),), "C"),
             cell("kegiatan", text_lines(pdf, row.kegiatan, WIDTHS["kegiatan"], size)),
             cell("keterangan", tuple(remark)))
    waktu = f"{row.mutu.waktu} hari kerja" if row.mutu.waktu is not None else ""
    mutu = (cell("kelengkapan", list_lines(pdf, row.mutu.kelengkapan, WIDTHS["kelengkapan"],
                                           size)),
            cell("waktu", text_lines(pdf, waktu, WIDTHS["waktu"], size), "C"),
            cell("output", list_lines(pdf, row.mutu.output, WIDTHS["output"], size)))
    notes = _notes(pdf, row, columns.lane_w - 2, jumps)
    symbol = SYMBOL_Y + half_height(row.symbol) + 1.2 + len(notes) * NOTE_LINE + 1.2
    own = max(MIN_ROW, symbol, *(c.height() for c in texts))
    return Measured(texts, mutu, notes, own)


def _notes(pdf: FPDF, row: Row, width: float, jumps: bool) -> tuple[Line, ...]:
    """Each way of a decision with the rows it leads to; a plain step's jump (17a -> 11)."""
    if not row.ways and row.next_rows and jumps:
        return tuple(Line(t) for t in wrap(pdf, f"-> langkah {', '.join(row.next_rows)}", width,
                                           NOTE_PT))
    found: list[Line] = []
    for way in row.ways:
        targets = ([f"langkah {', '.join(way.rows)}"] if way.rows else []) \
            + (["selesai"] if way.ends else [])
        text = f"{way.label or '(tanpa label)'} -> {', '.join(targets) or '-'}"
        found += [Line(t) for t in wrap(pdf, text, width, NOTE_PT)]
    return tuple(found)


# ---- cutting into sheets -----------------------------------------------------------------

def row_heights(prows: tuple[PageRow, ...], measured: list[Measured]) -> list[float]:
    """Each row's height on its sheet: its own, a shared Mutu Baku cell's overflow on the
    last row it spans, room for an off-page connector under the sheet's last row."""
    heights = [m.own for m in measured]
    for i, prow in enumerate(prows):
        if prow.mutu_span:
            last = i + prow.mutu_span - 1
            need = measured[i].mutu_height() - sum(heights[i:last + 1])
            heights[last] += max(need, 0.0)
    if prows and prows[-1].connector_out:
        heights[-1] = max(heights[-1], CONNECTOR_ROW)
    return heights


def sheets(rows: tuple[Row, ...], measured: list[Measured], budget: float) -> tuple[Page, ...]:
    """The rows cut into sheets of at most `budget` mm of rows (a row taller than that
    gets a sheet of its own), numbered and joined by soppages.pages_at."""
    cuts, start = [0] if rows else [], 0
    for end in range(1, len(rows)):
        if _height(rows, measured, start, end + 1) > budget:
            cuts.append(end)
            start = end
    return soppages.pages_at(rows, cuts)


def _height(rows: tuple[Row, ...], measured: list[Measured], start: int, stop: int) -> float:
    prows = soppages.pages_at(rows[start:stop], [0])[0].rows
    heights = row_heights(prows, measured[start:stop])
    if soppages.flows_down(rows, stop - 1):  # the sheet would end on a connector
        heights[-1] = max(heights[-1], CONNECTOR_ROW)
    return sum(heights)


# ---- the table's head --------------------------------------------------------------------

def _head_cells(pdf: FPDF, document: SopDocument, columns: Columns) -> list[tuple]:
    """(x, row: 0 top, 1 bottom, 2 both, cell) of the two head rows."""
    def head(width: float, text: str) -> Cell:
        lines = tuple(Line(t, "B") for t in wrap(pdf, text, width, TEXT_PT, "B"))
        return Cell(width, lines, TEXT_PT, LINE_H, align="C", fill=True, middle=True)

    found = [(columns.left("no"), 2, head(WIDTHS["no"], "No.")),
             (columns.left("kegiatan"), 2, head(WIDTHS["kegiatan"], "Kegiatan")),
             (columns.left("lanes"), 0, head(LANES_W, "Pelaksana")),
             (columns.left("kelengkapan"), 0, head(MUTU_W, "Mutu Baku")),
             (columns.left("keterangan"), 2, head(WIDTHS["keterangan"], "Keterangan"))]
    for lane, name in enumerate(document.lanes):
        found.append((columns.lane_left(lane), 1, head(columns.lane_w, name or "(tanpa lajur)")))
    for key, label in (("kelengkapan", "Kelengkapan"), ("waktu", "Waktu"),
                       ("output", "Output")):
        found.append((columns.left(key), 1, head(WIDTHS[key], label)))
    return found


def _head_heights(cells: list[tuple]) -> tuple[float, float]:
    top = max(cell.height() for _x, row, cell in cells if row == 0)
    bottom = max(cell.height() for _x, row, cell in cells if row == 1)
    return top, bottom


def _draw_head(pdf: FPDF, cells: list[tuple], y: float) -> float:
    top, bottom = _head_heights(cells)
    for x, row, cell in cells:
        at = y + (top if row == 1 else 0)
        draw_cell(pdf, x, at, cell, {0: top, 1: bottom, 2: top + bottom}[row])
    return y + top + bottom


# ---- drawing -----------------------------------------------------------------------------

def draw_flowchart(pdf: FPDF, document: SopDocument) -> None:
    """The flowchart sheets, each on a new page."""
    columns, rows = Columns(len(document.lanes)), document.rows
    head = _head_cells(pdf, document, columns)
    budget = BOTTOM - MARGIN - TITLE_H - sum(_head_heights(head))
    measured = [fitted(pdf, row, columns, jumps=not soppages.flows_down(rows, i),
                       budget=budget) for i, row in enumerate(rows)]
    pages = sheets(document.rows, measured, budget)
    index = {row.element_id: i for i, row in enumerate(document.rows)}
    title = document.header.title or document.definition_name
    if not pages:
        pdf.add_page()
        _draw_title(pdf, title, 1, 1)
        y = _draw_head(pdf, head, MARGIN + TITLE_H)
        draw_cell(pdf, MARGIN, y, Cell(BODY_W, (Line(NO_ROWS, "I"),), TEXT_PT, LINE_H), 8.0)
    for page in pages:
        pdf.add_page()
        _draw_title(pdf, title, page.number, len(pages))
        y = _draw_head(pdf, head, MARGIN + TITLE_H)
        own = [measured[index[prow.row.element_id]] for prow in page.rows]
        _draw_rows(pdf, page.rows, own, row_heights(page.rows, own), columns, y)


def _draw_title(pdf: FPDF, title: str, number: int, count: int) -> None:
    pdf.set_xy(MARGIN, MARGIN)
    pdf.set_font(FONT, "B", 9)
    pdf.cell(BODY_W * 0.75, TITLE_H - 1.5, pdf_text(title))
    pdf.set_font(FONT, "", 7.5)
    pdf.cell(BODY_W * 0.25, TITLE_H - 1.5, f"Lembar {number} dari {count}", align="R")


def _draw_rows(pdf: FPDF, prows: tuple[PageRow, ...], measured: list[Measured],
               heights: list[float], columns: Columns, top: float) -> None:
    tops = [top + sum(heights[:i]) for i in range(len(prows))]
    for prow, m, y, h in zip(prows, measured, tops, heights, strict=True):
        no, kegiatan, keterangan = m.texts
        draw_cell(pdf, columns.left("no"), y, no, h)
        draw_cell(pdf, columns.left("kegiatan"), y, kegiatan, h)
        for lane in range(columns.lanes):
            pdf.rect(columns.lane_left(lane), y, columns.lane_w, h)
        draw_cell(pdf, columns.left("keterangan"), y, keterangan, h)
        if prow.mutu_span:
            span = sum(heights[prows.index(prow):prows.index(prow) + prow.mutu_span])
            for key, cell in zip(("kelengkapan", "waktu", "output"), m.mutu, strict=True):
                draw_cell(pdf, columns.left(key), y, cell, span)
    lanes = tuple(columns.lane_left(lane) for lane in range(columns.lanes))
    for prow, m, y, h in zip(prows, measured, tops, heights, strict=True):
        draw_flow(pdf, prow, m.notes, lanes, columns.lane_w, y, h)
