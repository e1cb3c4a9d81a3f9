"""An XLSX file: checked as a zip before openpyxl sees it, then read as values only.

The zip check reads the central directory only: the number of entries, the sum of their
declared uncompressed sizes and the ratio to the compressed size. A zip bomb is refused
there. An entry that lies about its size cannot get past it either: Python's zipfile never
inflates an entry beyond its declared size and fails its CRC check instead.

openpyxl opens the workbook read-only (rows streamed, not held as cell objects) with
`data_only=True`: a formula cell gives the value Excel stored for it and is never
evaluated, and a text cell such as `=HYPERLINK(...)` stays that text. XML entities are
parsed by defusedxml (openpyxl uses it when it is installed, as here).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from engine.errors import N_, InvalidInputError
from engine.sirup.formats import unsupported
from engine.sirup.limits import ImportLimits

WORKBOOK_ENTRY = "xl/workbook.xml"
# What a broken or hostile workbook makes openpyxl or zipfile raise (XML parse errors of
# lxml and ElementTree are SyntaxErrors).
OPEN_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, InvalidFileException, KeyError,
               ValueError, TypeError, IndexError, AttributeError, EOFError, OSError,
               SyntaxError)
UNREADABLE = N_("The workbook cannot be read: open it in Excel and save it again as .xlsx")


def check_archive(data: bytes, limits: ImportLimits) -> None:
    """Refuse a zip that is no workbook, or one that would inflate beyond the caps."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InvalidInputError(UNREADABLE, code="unreadable_xlsx") from None
    if WORKBOOK_ENTRY not in {entry.filename for entry in entries}:
        raise unsupported(N_("This zip file is not an Excel workbook (.xlsx)"), "zip")
    unzipped = sum(entry.file_size for entry in entries)
    packed = max(1, sum(entry.compress_size for entry in entries))
    too_big = len(entries) > limits.max_zip_entries or unzipped > limits.max_unzipped_bytes
    inflated = unzipped > limits.ratio_floor_bytes and unzipped / packed > limits.max_zip_ratio
    if too_big or inflated:
        raise InvalidInputError(
            N_("The workbook would unpack to far more data than a package list holds"),
            code="xlsx_too_expanded",
            details={"entries": len(entries), "unpacked_bytes": unzipped,
                     "packed_bytes": packed})


def workbook_rows(data: bytes, limits: ImportLimits) -> Iterator[tuple[int, tuple]]:
    """(row number, cell values) of the workbook's first sheet, blank rows included."""
    check_archive(data, limits)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True,
                             keep_links=False)
    except OPEN_ERRORS:
        raise InvalidInputError(UNREADABLE, code="unreadable_xlsx") from None
    try:
        if not book.worksheets:
            raise InvalidInputError(UNREADABLE, code="unreadable_xlsx")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a forged <dimension> must not decide which rows are read
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    except OPEN_ERRORS:
        raise InvalidInputError(UNREADABLE, code="unreadable_xlsx") from None
    finally:
        book.close()

