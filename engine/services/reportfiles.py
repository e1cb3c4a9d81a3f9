"""The period report's downloads: which writer makes each kind of file, and its name.

Both files are built from the PeriodReport the page shows (engine.services.reports), so
they hold the same figures and the same people's rows as the reader's page: a PJ
Kinerja's download has only their own OPD's rows, as their page has.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from engine.services.reportpdf import report_pdf
from engine.services.reportxlsx import report_xlsx

WRITERS = {"pdf": report_pdf, "xlsx": report_xlsx}


def write_report(report, kind: str, now: datetime, zone: ZoneInfo) -> bytes:
    """The file of `kind` ("pdf" or "xlsx")."""
    return WRITERS[kind](report, now, zone)


def filename(report, kind: str) -> str:
    """'laporan-AK-2026-00001-periode-1.pdf'."""
    return f"laporan-{report.run.registration_no}-periode-{report.period.number}.{kind}"
