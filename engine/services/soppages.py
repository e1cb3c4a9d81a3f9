"""The SOP document's flowchart table cut into printed pages (A4 landscape), with an
off-page connector wherever the flow runs on from the last row of one page to the first
row of the next, as the SOP-AP format draws it.

Where a browser breaks a table is not known to the server, so the server decides: each
row's height on paper is estimated from its text and the column widths the print
stylesheet gives (webapp/static/sopdocument.css: keep the two in step), and rows fill a
page up to a safe share of its height. A row is never split; a Mutu Baku cell shared by
several rows (rows 1-5) is shown again on a new page for the rows still to come.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.services.sopdocument import Row

# Millimetres on A4 landscape with 10 mm margins: 277 x 190. Column widths as printed.
PAGE_BUDGET_MM = 150.0  # 190 less the page's title and the two header rows, with slack
COLUMN_MM = {"kegiatan": 62, "lanes": 66, "kelengkapan": 45, "output": 45, "keterangan": 34}
CHARS_PER_MM = 0.5  # 8 pt text, a little under the real average so estimates run long
LINE_MM = 3.7  # 8 pt at line-height 1.3
PADDING_MM = 2.5  # a cell's padding, above and below, and on each side
SYMBOL_MM = 23.0  # the drawn symbol with its arrows above and below


@dataclass(frozen=True)
class PageRow:
    row: Row
    mutu_span: int  # rows the Mutu Baku cell spans from here; 0: the cell above covers it
    from_lane: int | None  # lane of the row above on this page when the flow comes from it
    down: bool  # the flow goes on to the row below on this page
    connector_in: int | None  # off-page connector at the top: the flow comes from the page before
    connector_out: int | None  # off-page connector at the bottom: the flow goes on overleaf


@dataclass(frozen=True)
class Page:
    number: int
    rows: tuple[PageRow, ...]


def paginate(rows: tuple[Row, ...], lane_count: int,
             budget_mm: float = PAGE_BUDGET_MM) -> tuple[Page, ...]:
    """The rows in pages, each row knowing its arrows, connectors and Mutu Baku span."""
    groups = _mutu_groups(rows)
    heights = [row_height_mm(row, lane_count, groups[i]) for i, row in enumerate(rows)]
    return pages_at(rows, _cuts(heights, budget_mm))


def pages_at(rows: tuple[Row, ...], cuts: list[int]) -> tuple[Page, ...]:
    """The rows in pages that start at `cuts` (each page's first row index, the first 0),
    for a caller that measures rows itself (engine.services.soppdf, with the PDF's fonts):
    arrows, connectors and Mutu Baku spans stay decided here, in one place."""
    if not rows:
        return ()
    groups = _mutu_groups(rows)
    connectors, pages = _connector_numbers(rows, cuts), []
    for number, (start, stop) in enumerate(zip(cuts, [*cuts[1:], len(rows)], strict=True), 1):
        pages.append(Page(number, tuple(
            _page_row(rows, i, start, stop, groups, connectors) for i in range(start, stop))))
    return tuple(pages)


def flows_down(rows: tuple[Row, ...], index: int) -> bool:
    """Whether the row at `index` leads to the row right below it."""
    return index + 1 < len(rows) and rows[index + 1].element_id in rows[index].target_ids


def row_height_mm(row: Row, lane_count: int, group: tuple[int, int] = (1, 1)) -> float:
    """The row's estimated height on paper; a shared Mutu Baku counts its share."""
    lane_mm = COLUMN_MM["lanes"] / max(lane_count, 1)
    texts = [_lines(row.kegiatan, COLUMN_MM["kegiatan"]),
             _lines(row.keterangan, COLUMN_MM["keterangan"]) + (2 if row.waits_for else 0)]
    mutu = max(_list_lines(row.mutu.kelengkapan, COLUMN_MM["kelengkapan"]),
               _list_lines(row.mutu.output, COLUMN_MM["output"]))
    texts.append(math.ceil(mutu / group[1]))
    ways = sum(_lines(f"{way.label} → {' '.join(way.rows)}", lane_mm) for way in row.ways)
    symbol = SYMBOL_MM + ways * LINE_MM
    return max(symbol, max(texts) * LINE_MM + PADDING_MM)


def _mutu_groups(rows: tuple[Row, ...]) -> list[tuple[int, int]]:
    """For each row: (index of the first row of its shared Mutu Baku, rows sharing it)."""
    firsts: list[int] = []
    for i, row in enumerate(rows):
        firsts.append(firsts[i - 1] if i and _shares(rows[i - 1], row) else i)
    return [(first, firsts.count(first)) for first in firsts]


def _shares(above: Row, row: Row) -> bool:
    """Rows of one deadline group with the same Mutu Baku share one cell (rows 1-5)."""
    return bool(above.mutu_group) and above.mutu_group == row.mutu_group \
        and above.mutu == row.mutu


def _cuts(heights: list[float], budget_mm: float) -> list[int]:
    """The index of each page's first row."""
    cuts, used = [0], 0.0
    for i, height in enumerate(heights):
        if used and used + height > budget_mm:
            cuts.append(i)
            used = 0.0
        used += height
    return cuts if heights else []


def _connector_numbers(rows: tuple[Row, ...], cuts: list[int]) -> dict[int, int]:
    """Page break (index of the new page's first row) -> connector number, where the flow
    runs across it; numbered 1, 2, ... through the document."""
    found: dict[int, int] = {}
    for cut in cuts[1:]:
        if flows_down(rows, cut - 1):
            found[cut] = len(found) + 1
    return found


def _page_row(rows: tuple[Row, ...], i: int, start: int, stop: int,
              groups: list[tuple[int, int]], connectors: dict[int, int]) -> PageRow:
    first, size = groups[i]
    if first == i or i == start:
        span = min(first + size, stop) - i
    else:
        span = 0
    above = i > start and flows_down(rows, i - 1)
    return PageRow(
        row=rows[i],
        mutu_span=span,
        from_lane=rows[i - 1].lane if above else None,
        down=i + 1 < stop and flows_down(rows, i),
        connector_in=connectors.get(i) if i == start else None,
        connector_out=connectors.get(stop) if i == stop - 1 else None,
    )


def _lines(text: str, width_mm: float) -> int:
    per_line = max(int((width_mm - PADDING_MM) * CHARS_PER_MM), 1)
    return sum(max(math.ceil(len(line) / per_line), 1) for line in text.split("\n")) \
        if text else 0


def _list_lines(items: tuple[str, ...], width_mm: float) -> int:
    return sum(_lines(f"{n}. {item}", width_mm) for n, item in enumerate(items, 1))
