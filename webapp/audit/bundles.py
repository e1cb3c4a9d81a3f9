"""Audit pages: a run's audit bundle, downloaded (audit.bundle).

GET /audit/pelaksanaan/<instance_id>/bundel gives the same zip as the API's
GET /api/v1/instances/<instance_id>/audit-bundle (webapp/api/bundles.py answers with
`bundle_response` too). engine.services.bundles checks the audit role and writes the zip
into a spooled temporary file (in memory while small, on disk past SPOOL_IN_MEMORY), which
is then streamed out: a run with many megabytes of documents never sits in memory whole.
"""

from __future__ import annotations

import tempfile

from flask import send_file
from flask_login import login_required

from engine.services import bundles
from webapp.audit import bp
from webapp.requests import actor, now
from webapp.transaction import db

SPOOL_IN_MEMORY = 8 * 1024 * 1024


@bp.get("/pelaksanaan/<id:instance_id>/bundel")
@login_required
def bundle(instance_id: int):
    return bundle_response(instance_id)


def bundle_response(instance_id: int):
    """The zip as an attachment named `audit-<registration no>.zip`, never cached."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    try:
        filename = bundles.write_bundle(db(), actor(), instance_id, now(), spool)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = send_file(spool, mimetype="application/zip", as_attachment=True,
                         download_name=filename, max_age=0, etag=False)
    response.content_length = size
    response.headers["Cache-Control"] = "private, no-store"
    return response
