"""API: `GET /api/v1/instances/<id>/verify`, whether a run's history was left untouched.

Audit readers only (auditor, admin, Kepala UKPBJ; 403 for anyone else, before anything is
read), 404 for an unknown run. The answer is engine.services.verification's Verdict, its
`message` in the caller's language: "ok", or the first broken event and what broke there.
"""

from __future__ import annotations

from flask_babel import gettext
from marshmallow import Schema, fields

from engine.services import access, verification
from webapp.api import bp
from webapp.api.inputs import ID
from webapp.api.openapi import documented
from webapp.requests import actor
from webapp.transaction import db


class VerdictSchema(Schema):
    """engine.services.verification.Verdict, its message in the caller's language."""

    instance_id = fields.Integer(allow_none=True)
    ok = fields.Boolean()
    events_checked = fields.Integer()
    broken_seq = fields.Integer(allow_none=True)
    problem = fields.String(allow_none=True)
    message = fields.String()
    params = fields.Dict()
    signature_ok = fields.Boolean()
    checkpoints_checked = fields.Integer()
    documents_checked = fields.Integer()
    chain = fields.String()


@bp.get(f"/instances/<{ID}:instance_id>/verify")
@documented("Verify that a Pelaksanaan's history is untouched", tag="audit",
            ok={200: VerdictSchema}, errors=(403, 404))
def verify_instance(instance_id: int):
    access.ensure_audit_reader(actor())
    verdict = verification.verify_instance(db(), instance_id)
    answer = verdict.to_dict()
    answer["message"] = gettext(verdict.message, **verdict.params)
    return answer
