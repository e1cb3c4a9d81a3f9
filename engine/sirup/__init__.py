"""Reading the package files users download from SIRUP (Sistem Informasi Rencana Umum
Pengadaan): CSV, XLSX or JSON, into checked package rows and line-level refusals.

Plain Python, no database: engine.services.packages matches the rows to OPDs and writes
them. The modules, in the order a file meets them:

- limits.py   how large a file and how many rows are taken (from the settings)
- formats.py  which format the bytes are (by content, not by name) and how text decodes
- workbook.py an XLSX checked as a zip (no bomb) and read by openpyxl, values only
- reader.py   any of the three formats as a table of raw cells with their line numbers
- headers.py  the column labels (as the site shows them or as API names) to field names
- values.py   one cell to a value: Rupiah amounts, Indonesian dates, years, codes, text
- rows.py     one table row to a PackageRow or a Refusal (line, reason code, message)
"""

from engine.sirup.limits import ImportLimits
from engine.sirup.rows import PackageRow, ReadFile, Refusal, read_packages

__all__ = ["ImportLimits", "PackageRow", "ReadFile", "Refusal", "read_packages"]
