"""SIRUP procurement packages over the API: `GET /packages`, `POST /packages/import`.

GET lists one budget year's packages (`tahun`, required) with `total` and `total_pagu` of
every row the filters match (`opd` id, `q` in the name or the Kode RUP, `metode`, `jenis`),
a page at a time. A PJ Kinerja sees their own OPD's only (another OPD's id is a 404).

POST takes the file as multipart/form-data, field `file` (CSV, XLSX or JSON, as SIRUP
gives it), and `tahun` for rows without a year. Without `confirm` it answers the preview:
counts, the rows that would be added, updated (with their changes) or left alone (the first
200 of each) and every refused line. With `confirm=1` and `sha256=<the preview's>` it
imports the same file and answers the counts. 400 names the refused lines, 409 a file that
is not the one previewed, 413 one over the size or row cap, 415 a file of another type.
Only the Tim Kelembagaan and administrators import (403).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import current_app, request
from marshmallow import Schema, fields, validate

from engine.errors import InvalidInputError
from engine.services import packages
from webapp.api import bp
from webapp.api.inputs import UnsupportedMediaTypeError, load, query_args
from webapp.api.openapi import documented
from webapp.api.schemas import MAX_ID, StrictSchema
from webapp.requests import actor, now
from webapp.transaction import db

PREVIEW_ROWS = 200  # rows shown of each of added / updated / unchanged
YEARS = validate.Range(min=2000, max=2100)
SHA256 = validate.Regexp(r"^[0-9a-fA-F]{64}$")
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="May not contain NUL characters")


def _text(max_length: int) -> fields.String:
    return fields.String(validate=[validate.Length(min=1, max=max_length), NO_NUL])


class PackageQuerySchema(StrictSchema):
    tahun = fields.Integer(required=True, validate=YEARS)
    opd = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    q = _text(200)
    metode = _text(60)
    jenis = _text(60)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(
        min=1, max=packages.MAX_PER_PAGE))


class ImportFormSchema(StrictSchema):
    tahun = fields.Integer(validate=YEARS)
    confirm = fields.Boolean(load_default=False)
    sha256 = fields.String(validate=SHA256)


class PackageOpdSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class PackageSchema(Schema):
    id = fields.Integer()
    tahun_anggaran = fields.Integer()
    kd_rup = fields.String()
    nama_paket = fields.String()
    pagu = fields.String(metadata={"description": "Rupiah with two decimals, as text"})
    metode_pengadaan = fields.String(allow_none=True)
    jenis_pengadaan = fields.String(allow_none=True)
    kd_satker = fields.String(allow_none=True)
    nama_satker = fields.String(allow_none=True)
    opd = fields.Nested(PackageOpdSchema)
    tgl_awal_pemilihan = fields.Date(allow_none=True)
    tgl_akhir_pemilihan = fields.Date(allow_none=True)
    status_pdn = fields.String(allow_none=True)
    status_ukm = fields.String(allow_none=True)
    sumber_dana = fields.List(fields.String())
    imported_at = fields.DateTime()


class PackageListSchema(Schema):
    items = fields.List(fields.Nested(PackageSchema))
    total = fields.Integer()
    total_pagu = fields.String(metadata={"description": "Σ pagu of every row matched, as text"})
    page = fields.Integer()
    per_page = fields.Integer()


class CountsSchema(Schema):
    added = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    refused = fields.Integer(metadata={"description": "Lines refused"})


class PlannedRowSchema(Schema):
    line = fields.Integer()
    tahun_anggaran = fields.Integer()
    kd_rup = fields.String()
    nama_paket = fields.String()
    pagu = fields.String()
    opd_id = fields.Integer()
    changes = fields.Dict(keys=fields.String(), values=fields.List(fields.Raw(allow_none=True)),
                          metadata={"description": "column -> [stored, in the file]"})


class RefusalSchema(Schema):
    line = fields.Integer()
    code = fields.String()
    message = fields.String()
    field = fields.String(allow_none=True)
    value = fields.String(allow_none=True)


class ImportResultSchema(Schema):
    """The preview (confirmed false) or what was imported (confirmed true)."""

    filename = fields.String()
    sha256 = fields.String()
    format = fields.String()
    tahun_anggaran = fields.List(fields.Integer())
    confirmed = fields.Boolean()
    counts = fields.Nested(CountsSchema)
    added = fields.List(fields.Nested(PlannedRowSchema))
    updated = fields.List(fields.Nested(PlannedRowSchema))
    unchanged = fields.List(fields.Nested(PlannedRowSchema))
    refused = fields.List(fields.Nested(RefusalSchema))


UPLOAD = {"multipart/form-data": {
    "type": "object", "required": ["file"],
    "properties": {
        "file": {"type": "string", "contentMediaType": "application/octet-stream",
                 "description": "The SIRUP package list (.csv, .xlsx or .json)"},
        "tahun": {"type": "integer", "minimum": 2000, "maximum": 2100,
                  "description": "The budget year of rows that name none"},
        "confirm": {"type": "string", "enum": ["0", "1"],
                    "description": "1 imports (with sha256); otherwise a preview"},
        "sha256": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$",
                   "description": "The preview's sha256 of the same file"},
    },
}}


@bp.get("/packages")
@documented("List one budget year's procurement packages (SIRUP)", tag="packages",
            ok={200: PackageListSchema}, query=PackageQuerySchema, errors=(403, 404))
def list_packages():
    args = query_args(PackageQuerySchema())
    found = packages.list_packages(db(), actor(), args["tahun"], opd_id=args.get("opd"),
                                   q=args.get("q"), metode=args.get("metode"),
                                   jenis=args.get("jenis"), page=args["page"],
                                   per_page=args["per_page"])
    return PackageListSchema().dump(found)


@bp.post("/packages/import")
@documented("Preview or import a SIRUP package file", tag="packages",
            ok={200: ImportResultSchema}, body=UPLOAD, errors=(403, 409))
def import_packages():
    session, user = db(), actor()
    packages.ensure_importer(user)  # refused before the file is read
    form, filename, data = _upload()
    if form["confirm"]:
        plan = packages.confirm_import(session, user, filename, data, form["sha256"], now(),
                                       tahun_anggaran=form.get("tahun"))
    else:
        plan = packages.preview_import(session, user, filename, data, now(),
                                       tahun_anggaran=form.get("tahun"))
    return ImportResultSchema().dump(_answer(plan, form["confirm"]))


def _upload() -> tuple[dict, str, bytes]:
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaTypeError("Send the file as multipart/form-data, field file",
                                        details={"content_type": request.mimetype or None})
    form = load(ImportFormSchema(), request.form.to_dict(), unknown_code="unknown_field")
    if form["confirm"] and not form.get("sha256"):
        raise InvalidInputError("The request has errors", code="invalid_input",
                                details={"sha256": ["Give the preview's sha256 to import"]})
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise InvalidInputError("Choose a SIRUP file to upload", code="file_missing",
                                details={"file": ["Choose a SIRUP file to upload"]})
    limit = current_app.extensions["alur"].settings.sirup_max_bytes
    return form, sent.filename, sent.stream.read(limit + 1)



def _answer(plan: packages.ImportPlan, confirmed: bool) -> dict:
    return {"filename": plan.filename, "sha256": plan.sha256, "format": plan.format,
            "tahun_anggaran": plan.years, "confirmed": confirmed, "counts": plan.counts(),
            "added": [_planned(item) for item in plan.added[:PREVIEW_ROWS]],
            "updated": [_planned(item) for item in plan.updated[:PREVIEW_ROWS]],
            "unchanged": [_planned(item) for item in plan.unchanged[:PREVIEW_ROWS]],
            "refused": [packages.refusal_dict(r) for r in plan.refused]}


def _planned(item: packages.PlannedRow) -> dict:
    row = item.row
    return {"line": row.line, "tahun_anggaran": row.tahun_anggaran, "kd_rup": row.kd_rup,
            "nama_paket": row.nama_paket, "pagu": str(row.pagu), "opd_id": item.opd_id,
            "changes": {name: [_plain(old), _plain(new)]
                        for name, (old, new) in item.changes.items()}}


def _plain(value):
    """A change's value as JSON holds it: amounts as text, dates as YYYY-MM-DD."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
