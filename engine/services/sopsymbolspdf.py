"""The SOP-AP symbols in the SOP document's PDF, drawn with fpdf2's primitives in a row's
Pelaksana cells (engine.services.sopflowpdf places the rows): a rounded box for a
terminator (start, end), a box for a process, a diamond for a decision with its ways
written under it, arrows from the row above, and the numbered off-page connector (a
pentagon pointing down) at the top of a sheet's first row and the foot of its last one
where the flow runs across the break. The geometry follows the page's SVG
(webapp/templates/modeler/_sop_symbols.html): the symbol sits at SYMBOL_Y in its lane, the
arrow from the row above comes down its own lane and turns along SYMBOL_Y to the symbol.
"""

from __future__ import annotations

import math

from fpdf import FPDF

from engine.services.soppages import PageRow
from engine.services.soppdfcells import FONT, Line

NOTE_PT, NOTE_LINE = 6.0, 2.6
CONNECTOR_PT = 5.5  # only connector numbers use it (tests find them by it)
SYMBOL_Y = 12.5  # the symbol's centre below the row's top
BOX_H, DIAMOND_H = 4.5, 5.5  # half heights
CONNECTOR_W, CONNECTOR_SQUARE, CONNECTOR_H = 3.0, 2.8, 4.6
CONNECTOR_ROW = SYMBOL_Y + DIAMOND_H + 2.5 + CONNECTOR_H + 0.8  # a row ending on a connector
ARROW_LEN, ARROW_HALF = 1.6, 0.8


def half_height(symbol: str) -> float:
    return DIAMOND_H if symbol == "decision" else BOX_H


def draw_flow(pdf: FPDF, prow: PageRow, notes: tuple[Line, ...], lanes: tuple[float, ...],
              lane_w: float, y: float, h: float) -> None:
    """The row's symbol in its lane (`lanes`: each lane's left edge), the arrow in from
    the row above, the line on to the row below, the off-page connectors, and the notes
    under the symbol; the row is `h` tall from `y`."""
    row = prow.row
    if row.lane is None:
        return
    cx, cy = lanes[row.lane] + lane_w / 2, y + SYMBOL_Y
    half_h, half_w = half_height(row.symbol), _half_width(row.symbol, lane_w)
    if prow.from_lane is not None:
        fx = lanes[prow.from_lane] + lane_w / 2
        if fx == cx:
            _arrow(pdf, cx, y, cx, cy - half_h)
        else:
            pdf.line(fx, y, fx, cy)
            _arrow(pdf, fx, cy, cx - half_w if fx < cx else cx + half_w, cy)
    if prow.connector_in:
        _connector(pdf, cx, y + 0.8, prow.connector_in)
        _arrow(pdf, cx, y + 0.8 + CONNECTOR_H, cx, cy - half_h)
    if prow.down:
        pdf.line(cx, cy, cx, y + h)
    if prow.connector_out:
        below = y + h - 0.8 - CONNECTOR_H
        _arrow(pdf, cx, cy + half_h, cx, below)
        _connector(pdf, cx, below, prow.connector_out)
    _shape(pdf, row.symbol, cx, cy, half_w, half_h)
    _draw_notes(pdf, notes, lanes[row.lane] + 1, cy + half_h + 1.2, lane_w - 2)


def _half_width(symbol: str, lane_w: float) -> float:
    return min(lane_w / 2 - (1.5 if symbol == "decision" else 2.5),
               11.0 if symbol == "decision" else 10.0)


def _shape(pdf: FPDF, symbol: str, cx: float, cy: float, half_w: float, half_h: float) -> None:
    pdf.set_fill_color(255)
    if symbol == "decision":
        pdf.polygon([(cx, cy - half_h), (cx + half_w, cy), (cx, cy + half_h), (cx - half_w, cy)],
                    style="DF")
    else:
        pdf.rect(cx - half_w, cy - half_h, 2 * half_w, 2 * half_h, style="DF",
                 round_corners=symbol in ("start", "end"), corner_radius=half_h)


def _arrow(pdf: FPDF, x1: float, y1: float, x2: float, y2: float) -> None:
    """A line with a filled head at (x2, y2)."""
    pdf.line(x1, y1, x2, y2)
    length = math.hypot(x2 - x1, y2 - y1)
    if length == 0:
        return
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    bx, by = x2 - ux * ARROW_LEN, y2 - uy * ARROW_LEN
    pdf.set_fill_color(0)
    pdf.polygon([(x2, y2), (bx - uy * ARROW_HALF, by + ux * ARROW_HALF),
                 (bx + uy * ARROW_HALF, by - ux * ARROW_HALF)], style="F")


def _connector(pdf: FPDF, cx: float, top: float, number: int) -> None:
    """The off-page connector: a pentagon pointing down, its number inside."""
    w, square = CONNECTOR_W, CONNECTOR_SQUARE
    pdf.set_fill_color(255)
    pdf.polygon([(cx - w, top), (cx + w, top), (cx + w, top + square),
                 (cx, top + CONNECTOR_H), (cx - w, top + square)], style="DF")
    pdf.set_font(FONT, "B", CONNECTOR_PT)
    pdf.set_xy(cx - w, top + 0.1)
    pdf.cell(2 * w, square, str(number), align="C")


def _draw_notes(pdf: FPDF, notes: tuple[Line, ...], x: float, y: float, width: float) -> None:
    """The notes over a white ground, so the line down the lane does not cross them."""
    pdf.set_font(FONT, "", NOTE_PT)
    pdf.set_fill_color(255)
    for n, line in enumerate(notes):
        pdf.set_xy(x, y + n * NOTE_LINE)
        pdf.cell(width, NOTE_LINE, line.text, align="C", fill=True)
