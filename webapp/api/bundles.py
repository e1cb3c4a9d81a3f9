"""API: a run's audit bundle, GET /api/v1/instances/<instance_id>/audit-bundle.

A zip (application/zip, an attachment named `audit-<registration no>.zip`) made by
engine.services.bundles: auditors, administrators and the Kepala UKPBJ only (403 JSON for
anyone else, 404 JSON for a run that does not exist). The page route audit.bundle gives the
same file; both answer through webapp.audit.bundles.bundle_response.
"""

from __future__ import annotations

from webapp.api import bp
from webapp.api.inputs import ID
from webapp.api.openapi import documented
from webapp.audit.bundles import bundle_response

ZIP = {"application/zip": {"type": "string", "contentMediaType": "application/zip"}}


@bp.get(f"/instances/<{ID}:instance_id>/audit-bundle")
@documented("Download a Pelaksanaan's audit bundle (zip)", tag="audit", ok={200: ZIP},
            errors=(403, 404))
def audit_bundle(instance_id: int):
    return bundle_response(instance_id)
