"""A CSV, XLSX or JSON file as one table: its header labels and its data rows, each with the
line a user finds it on (the CSV line, the sheet's row number, the JSON item's position).

Blank rows are skipped. More data rows than the cap refuse the whole file, before any of
it is checked: a file cut at the cap would be imported in part without anyone noticing.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from engine.errors import N_, InvalidInputError, PayloadTooLargeError
from engine.sirup import formats, headers
from engine.sirup.limits import ImportLimits
from engine.sirup.workbook import workbook_rows

DELIMITERS = (";", ",", "\t")
SNIFF_CHARS = 64 * 1024


@dataclass
class Table:
    format: str
    columns: dict[str, int]  # field -> index into each row's cells
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (line, cells)


def read_table(data: bytes, limits: ImportLimits) -> Table:
    """The file's table; every file-level problem (size, type, encoding, columns) raises."""
    formats.check_size(data, limits)
    kind = formats.detect_format(data)
    if kind == formats.XLSX:
        lines: Iterable[tuple[int, tuple]] = workbook_rows(data, limits)
    elif kind == formats.JSON:
        lines = _json_rows(formats.decode_text(data))
    else:
        lines = _csv_rows(formats.decode_text(data))
    return _table(kind, lines, limits)


def _table(kind: str, lines: Iterable[tuple[int, tuple]], limits: ImportLimits) -> Table:
    lines = iter(lines)
    head = list(itertools.islice(lines, headers.HEADER_SEARCH_ROWS))
    if not head:
        raise InvalidInputError(N_("The file holds no rows"), code="empty_file")
    at = headers.find_header([cells for _, cells in head])
    table = Table(kind, headers.map_columns(head[at][1]))
    max_lines = limits.max_rows * 2 + 1_000  # blank lines too: a sheet of a million empty rows
    for seen, (line, cells) in enumerate(itertools.chain(head[at + 1:], lines), start=1):
        if any(cell is not None and str(cell).strip() for cell in cells):
            table.rows.append((line, cells))
        if len(table.rows) > limits.max_rows or seen > max_lines:
            raise PayloadTooLargeError(
                N_("The file holds more package rows than allowed"), code="too_many_rows",
                details={"max_rows": limits.max_rows})
    return table


# ---- CSV -------------------------------------------------------------------------------------

def _csv_rows(text: str) -> Iterator[tuple[int, tuple]]:
    """Rows of a CSV whose delimiter (';' as Excel writes it in Indonesia, ',' or tab) is the
    one most used on its first lines. A cell past the csv module's limit (128 kB) makes the
    file unreadable."""
    sample = "\n".join(text[:SNIFF_CHARS].splitlines()[:headers.HEADER_SEARCH_ROWS])
    delimiter = max(DELIMITERS, key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    try:
        for cells in reader:
            yield line, tuple(cells)
            line = reader.line_num + 1
    except csv.Error as error:
        raise InvalidInputError(N_("The CSV file is broken near the line shown below"),
                                code="unreadable_csv",
                                details={"line": max(1, reader.line_num),
                                         "reason": str(error)[:200]}) from None


# ---- JSON ------------------------------------------------------------------------------------

def _json_rows(text: str) -> Iterator[tuple[int, tuple]]:
    """A JSON list of objects, or an object whose "data" is that list; the first row is the
    keys in the order they first appear, and each item's line is its position (from 1)."""
    items = _json_items(text)
    keys: dict[str, None] = {}
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidInputError(N_("Every item of the JSON list must be an object"),
                                    code="invalid_json_file", details={"item": position})
        keys.update(dict.fromkeys(item))
    order = list(keys)
    yield 0, tuple(order)
    for position, item in enumerate(items, start=1):
        yield position, tuple(item.get(key) for key in order)


def _json_items(text: str) -> list:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise InvalidInputError(N_("The JSON file cannot be read"), code="invalid_json_file",
                                details={"reason": str(error)[:200]}) from None
    if isinstance(value, dict) and isinstance(value.get("data"), list):
        value = value["data"]
    if not isinstance(value, list):
        raise InvalidInputError(
            N_('A JSON file must hold a list of packages, or an object with that list as '
               '"data"'), code="invalid_json_file")
    return value
