"""The period report of a run (`/laporan/pelaksanaan/<id>/periode/<n>`): Laporan Pencapaian
Kinerja as a page, and the same report as PDF and XLSX downloads.

engine.services.reports builds the report and decides who reads it (the overseers, as for
row 13's achievement); engine.services.reportfiles writes the files. The
API (webapp/api/reports.py) answers the same files through `file_response`.
"""

from __future__ import annotations

import io

from flask import render_template, send_file
from flask_login import current_user, login_required

from engine.services import access, reportfiles, reports
from webapp.i18n import zone
from webapp.reports import bp
from webapp.reports.charts import trend_chart
from webapp.requests import actor, now
from webapp.transaction import db

MIMETYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.app_context_processor
def period_report_links() -> dict:
    """`can_read_period_reports()` for the run page's list of period reports."""

    def can_read_period_reports() -> bool:
        return bool(current_user.is_authenticated and access.is_overseer(current_user))

    return {"can_read_period_reports": can_read_period_reports}


# The period's number is `number` in the routes (as the app's other numbered paths).
PAGE = "/pelaksanaan/<id:instance_id>/periode/<int:number>"


@bp.get(PAGE, endpoint="period_report")
@login_required
def period_report_page(instance_id: int, number: int):
    report = reports.period_report(db(), actor(), instance_id, number, now())
    charts = {row.code: trend_chart(row.trend) for row in report.indicators}
    return render_template("reports/period_report.html", report=report, charts=charts)


@bp.get(f"{PAGE}/unduh.pdf", endpoint="period_report_pdf")
@login_required
def period_report_pdf(instance_id: int, number: int):
    return file_response(instance_id, number, "pdf")


@bp.get(f"{PAGE}/unduh.xlsx", endpoint="period_report_xlsx")
@login_required
def period_report_xlsx(instance_id: int, number: int):
    return file_response(instance_id, number, "xlsx")


def file_response(instance_id: int, period_no: int, kind: str):
    """The report as an attachment named `laporan-<registration no>-periode-<n>.<kind>`."""
    moment = now()
    report = reports.period_report(db(), actor(), instance_id, period_no, moment)
    data = reportfiles.write_report(report, kind, moment, zone())
    response = send_file(io.BytesIO(data), mimetype=MIMETYPES[kind], as_attachment=True,
                         download_name=reportfiles.filename(report, kind), max_age=0,
                         etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response
