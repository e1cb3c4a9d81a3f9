"""How much of a SIRUP file is read: the caps that keep one upload from exhausting memory.

The byte and row caps are settings (ALUR_SIRUP_MAX_BYTES, ALUR_SIRUP_MAX_ROWS); the zip
caps are fixed, since a real workbook of 50,000 rows stays far below them: its XML
inflates about ten times, a zip bomb a thousand times or more.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.config import Settings

MB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int = 20 * MB
    max_rows: int = 50_000
    # XLSX: the sum of the entries' declared uncompressed sizes, their count, and the
    # largest ratio of uncompressed to compressed size allowed for the whole archive once it
    # inflates past `ratio_floor_bytes` (small archives may compress very well).
    max_unzipped_bytes: int = 300 * MB
    max_zip_entries: int = 1_000
    max_zip_ratio: int = 100
    ratio_floor_bytes: int = 10 * MB


def limits_from(settings: Settings) -> ImportLimits:
    """The caps of this deployment."""
    return ImportLimits(max_bytes=settings.sirup_max_bytes, max_rows=settings.sirup_max_rows)
