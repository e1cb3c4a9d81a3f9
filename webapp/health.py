"""`/healthz`: the process is up and its database answers (for compose and load balancers)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from webapp.transaction import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    db().execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
