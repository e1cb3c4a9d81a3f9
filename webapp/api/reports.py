"""API: a run's period report (Laporan Pencapaian Kinerja),
GET /api/v1/instances/<instance_id>/reports/<number> (the period's number).

JSON by default; `?format=pdf` or `?format=xlsx` answers the file as an attachment named
`laporan-<registration no>-periode-<n>.<format>` (webapp.reports.report.file_response, as
the page's download buttons). engine.services.reports decides what the caller sees: a run
they may not view, or a period the run has not opened, is a 404; a PJ Kinerja gets the
unit's totals and their own OPD's rows only.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from engine.services import reports
from webapp.api import bp
from webapp.api.inputs import ID, query_args
from webapp.api.openapi import documented
from webapp.api.schemas import StrictSchema
from webapp.reports.report import MIMETYPES, file_response
from webapp.requests import actor, now
from webapp.transaction import db

FORMATS = ("json", "pdf", "xlsx")


class ReportQuerySchema(StrictSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class RunSchema(Schema):
    id = fields.Integer()
    registration_no = fields.String()
    title = fields.String()
    year = fields.Integer()


class PeriodSchema(Schema):
    number = fields.Integer()
    label = fields.String(metadata={"description": "In the run's frequency: 'Triwulan I'"})
    start = fields.Date(allow_none=True)
    end = fields.Date(allow_none=True)
    previous = fields.Integer(allow_none=True)
    next = fields.Integer(allow_none=True)
    count = fields.Integer(metadata={"description": "Periods the run has opened"})


BAND = ("baik (>= 100), cukup (85 to < 100), kurang (< 85), tidak_dapat_dihitung, "
        "belum_ada_laporan, tanpa_target, kontribusi (an OPD's share of a summed indicator)")


def _number(description: str = "") -> fields.Float:
    return fields.Float(allow_none=True, metadata={"description": description} if description
                        else {})


class TrendPointSchema(Schema):
    period_no = fields.Integer()
    label = fields.String()
    target = _number()
    realisation = _number()
    achievement = _number("Percent, 2 decimals")
    band = fields.String(metadata={"description": BAND})


class OpdFigureSchema(Schema):
    code = fields.String()
    name = fields.String()
    realisation = _number()
    numerator = _number()
    denominator = _number()
    achievement = _number("Percent against the period's target")
    share = _number("Percent of a jumlah indicator's total")
    band = fields.String(metadata={"description": BAND})


class ActionItemSchema(Schema):
    action = fields.String()
    schedule = fields.String()
    responsible = fields.String()


class IndicatorSchema(Schema):
    code = fields.String()
    name = fields.String()
    unit = fields.String()
    polarity = fields.String()
    frequency = fields.String()
    aggregation = fields.String()
    label = fields.String(metadata={"description": "The indicator's own period: 'Maret'"})
    target = _number()
    realisation = _number()
    numerator = _number()
    denominator = _number()
    achievement = _number("Percent, 2 decimals")
    band = fields.String(metadata={"description": BAND})
    direction = fields.String(allow_none=True, metadata={"description": "naik, turun, tetap"})
    trend = fields.List(fields.Nested(TrendPointSchema))
    opds = fields.List(fields.Nested(OpdFigureSchema))
    actions = fields.List(fields.Nested(ActionItemSchema))
    recommendations = fields.List(fields.String())


class GroupSchema(Schema):
    code = fields.String()
    name = fields.String()
    indicators = fields.List(fields.Nested(IndicatorSchema))


class SubmissionSchema(Schema):
    opd_code = fields.String()
    opd_name = fields.String()
    state = fields.String(metadata={
        "description": "tepat_waktu, terlambat, belum_melapor, belum_dibuka"})
    person = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    due_on = fields.Date(allow_none=True)
    days_late = fields.Integer(metadata={"description": "Working days after due_on"})


class ProgressSchema(Schema):
    opd_code = fields.String()
    opd_name = fields.String()
    progress = fields.String()
    obstacles = fields.String()


class AnalysisSchema(Schema):
    method = fields.String()
    text = fields.String()
    recommendations = fields.List(fields.List(fields.String()),
                                  metadata={"description": "[indicator code, text]"})
    title = fields.String()
    body = fields.String()
    decision = fields.String(metadata={"description": "Row 17's choice: a, b or c"})
    meeting_notes = fields.String()
    approved = fields.String()


class SignatorySchema(Schema):
    title = fields.String()
    name = fields.String()
    nip = fields.String()


class PeriodReportSchema(Schema):
    run = fields.Nested(RunSchema)
    period = fields.Nested(PeriodSchema)
    reported = fields.Boolean()
    groups = fields.List(fields.Nested(GroupSchema))
    submissions = fields.List(fields.Nested(SubmissionSchema))
    progress = fields.List(fields.Nested(ProgressSchema))
    analysis = fields.Nested(AnalysisSchema)
    signatory = fields.Nested(SignatorySchema)


FILES = {mimetype: {"type": "string", "contentMediaType": mimetype}
         for mimetype in MIMETYPES.values()}


@bp.get(f"/instances/<{ID}:instance_id>/reports/<int:number>")
@documented("A Pelaksanaan's period report (Laporan Pencapaian Kinerja), JSON, PDF or XLSX",
            tag="instances", query=ReportQuerySchema,
            ok={200: {"application/json": PeriodReportSchema, **FILES}}, errors=(404,))
def period_report(instance_id: int, number: int):
    """`number` is the period's number (1 for the first)."""
    wanted = query_args(ReportQuerySchema())["format"]
    if wanted != "json":
        return file_response(instance_id, number, wanted)
    report = reports.period_report(db(), actor(), instance_id, number, now())
    return PeriodReportSchema().dump(report)
