"""Health checks for compose and load balancers: the web app's `/healthz`, the worker's
heartbeat.

`/healthz` answers 200 only when the database answers too; otherwise 503 with the usual
JSON error body, so a load balancer stops sending people to a process that can only fail.

The timer worker has no port to ask, so it leaves a trace instead: with
ALUR_WORKER_HEARTBEAT_FILE set, every transaction the `flask alur worker` command ends,
committed or rolled back, touches that file. Its loop ends at least one each pass, even
while the database is away (a failed pass still rolls back), so a loop that has stopped
turning -- hung on a lock or a mail server, or dead -- leaves a file that grows old;
scripts/worker-health.sh (compose's health check) compares its age with a limit, without
starting Python. The web processes never beat, even with the variable set.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click
from flask import Blueprint, Flask, jsonify
from sqlalchemy import event, text
from sqlalchemy.orm import Session, sessionmaker

from engine.errors import DomainError
from webapp.errors import DATABASE_DOWN, DATABASE_DOWN_MESSAGE, JSON_ENDPOINTS, discard_session
from webapp.transaction import db

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
HEARTBEAT_ENV = "ALUR_WORKER_HEARTBEAT_FILE"
WORKER_COMMAND = "worker"


@bp.get("/healthz")
def healthz():
    try:
        db().execute(text("SELECT 1"))
    except DATABASE_DOWN:
        # not re-raised: a health probe every few seconds must not fill the log with
        # warnings, and its body says which part is down
        error = DomainError(DATABASE_DOWN_MESSAGE, code="database_unavailable")
        body = {"status": "error", "database": "unavailable", "error": error.to_dict()}
        discard_session()
        return jsonify(body), 503
    return jsonify({"status": "ok", "database": "ok"})


JSON_ENDPOINTS.add("health.healthz")


def heartbeat_path() -> Path | None:
    value = os.environ.get(HEARTBEAT_ENV, "")
    return Path(value) if value else None


def beat(path: Path) -> None:
    """Touch the heartbeat file (made, folder and all, on the first beat)."""
    try:
        path.touch()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()


def in_worker_command() -> bool:
    """Inside `flask alur worker` (the command's loop runs in the command's own thread)."""
    context = click.get_current_context(silent=True)
    return context is not None and context.info_name == WORKER_COMMAND


def init_worker_heartbeat(factory: sessionmaker[Session]) -> None:
    """With ALUR_WORKER_HEARTBEAT_FILE set, the worker beats whenever a transaction ends."""
    path = heartbeat_path()
    if path is None:
        return

    @event.listens_for(factory, "after_transaction_end")
    def _beat(_session, transaction):
        if transaction.parent is None and in_worker_command():
            try:
                beat(path)
            except OSError:  # a full or read-only disk must not stop the worker
                log.warning("cannot touch the heartbeat file %s", path, exc_info=True)


def init_health(app: Flask) -> None:
    init_worker_heartbeat(app.extensions["alur"].session_factory)
