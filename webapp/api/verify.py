"""API: `GET /api/v1/instances/<id>/verify`, whether a run's history was left untouched.

Audit readers only (auditor, admin, Kepala UKPBJ; 403 for anyone else, before anything is
read), 404 for an unknown run. The answer is engine.services.verification's Verdict, its
`message` in the caller's language: "ok", or the first broken event and what broke there.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import gettext

from engine.services import access, verification
from webapp.api import bp
from webapp.api.inputs import ID
from webapp.requests import actor
from webapp.transaction import db


@bp.get(f"/instances/<{ID}:instance_id>/verify")
def verify_instance(instance_id: int):
    access.ensure_audit_reader(actor())
    verdict = verification.verify_instance(
        db(), instance_id, storage_dir=Path(current_app.config["UPLOAD_DIR"])
    )
    answer = verdict.to_dict()
    answer["message"] = gettext(verdict.message, **verdict.params)
    return answer
