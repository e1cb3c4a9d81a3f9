"""A run in which three OPDs have done rows 10-12, each leaving marker strings everywhere
an OPD's data can go (form answers, comments, document names and contents), and the
people who look at it: what tests/webapp/test_visibility_matrix.py and
test_readonly_matrix.py share.

Every marker of an OPD contains `marker(code)` ("ZQX-DINKES-..."), and the SHA-256 of its
documents is recorded too, so a leaked hash is caught as surely as a leaked name.
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from engine.models import Document, HumanTask
from engine.services import comments, documents, instances, tasks, timers
from engine.services.demo import DEMO_PASSWORD
from tests.conftest import PG_URL, T0, build_database, isolated_database
from tests.support import PJ_FOR_OPD, PLANNING, SOP_KEY, answers, run_rows, user
from tests.webapp.conftest import SignIn

RUN_OPDS = ("DISDIKBUD", "DINKES", "DPUPR")  # the sample row 7 invites these three
OUTSIDER_OPD = "DISHUB"
OVERSEERS = ("tim1", "kepala", "admin", "auditor")
VIEWERS = (*(PJ_FOR_OPD[code] for code in (*RUN_OPDS, OUTSIDER_OPD)), *OVERSEERS)
OPD_OF_VIEWER = {PJ_FOR_OPD[code]: code for code in PJ_FOR_OPD}
CHANNELS = ("rencana", "progres", "laporan", "komentar", "bukti", "isi")
LATER = T0 + timedelta(days=40)  # past the sample period's end (31 January 2026)


def marker(code: str, channel: str = "") -> str:
    return f"ZQX-{code}-{channel}" if channel else f"ZQX-{code}-"


@dataclass
class Run:
    instance_id: int
    task_ids: list[int] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)
    hashes: dict[str, list[str]] = field(default_factory=dict)  # OPD code -> document hashes
    tasks_of: dict[str, list[int]] = field(default_factory=dict)  # OPD code -> its task ids
    shared_task_ids: list[int] = field(default_factory=list)
    version_id: int | None = None  # the definition version the run is on

    def secrets_of(self, code: str) -> list[str]:
        return [marker(code), *self.hashes.get(code, [])]


def make_app(url: str, upload_dir: Path):
    from webapp import create_app

    os.environ.setdefault("ALUR_SECRET_KEY", "access-tests-only")
    return create_app({"DATABASE_URL": url, "TESTING": True, "UPLOAD_DIR": str(upload_dir),
                       "NOW": T0})


def database_for(kind: str, tmp: Path, name: str) -> str:
    """A database of its own, reference data committed: SQLite file or PostgreSQL schema."""
    if kind == "postgresql":
        return isolated_database(PG_URL, name, tmp)
    path = tmp / "access.sqlite3"
    template = tmp / "template.sqlite3"
    build_database(f"sqlite:///{template}")
    with sqlite3.connect(template) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    return f"sqlite:///{path}"


def _opd_answers(form_key: str, code: str) -> dict:
    data = answers(form_key)
    if form_key == "pemetaan-paket":
        data["pemetaan"]["rencana_aksi_opd"] = marker(code, "rencana")
    elif form_key == "pelaksanaan-rencana-aksi":
        data["progres"] = marker(code, "progres")
    elif form_key == "laporan-realisasi":
        data["laporan"]["ringkasan"] = marker(code, "laporan")
    return data


def _work_opd_row(session, app, run: Run, element_id: str, now) -> None:
    """Each OPD's task of the row: a document, a comment, then the marked answers."""
    rows = session.scalars(select(HumanTask).where(
        HumanTask.instance_id == run.instance_id, HumanTask.element_id == element_id,
        HumanTask.state == "open").order_by(HumanTask.id)).all()
    assert sorted(t.opd.code for t in rows) == sorted(RUN_OPDS)
    for task in rows:
        code = task.opd.code
        pj = user(session, PJ_FOR_OPD[code])
        content = f"{marker(code, 'isi')} {element_id}\n".encode()
        documents.add_document(session, pj, task.id, f"{marker(code, 'bukti')}{element_id}.txt",
                               io.BytesIO(content), now, storage_dir=Path(app.config["UPLOAD_DIR"]),
                               max_bytes=1024 * 1024)
        run.hashes.setdefault(code, []).append(hashlib.sha256(content).hexdigest())
        comments.add_comment(session, pj, task.id, f"{marker(code, 'komentar')} {element_id}", now)
        tasks.complete_task(session, pj, task.id, _opd_answers(task.form_key, code), now)
        session.commit()


def build_run(app) -> Run:
    """Rows 1-9 by the unit, rows 10-12 by three OPDs with markers; row 13 is then open."""
    factory = app.extensions["alur"].session_factory
    with factory() as session:
        instance = instances.start_instance(session, user(session, "tim1"), SOP_KEY,
                                            answers("mulai-pelaksanaan"), T0)
        run_rows(session, instance.id, PLANNING, T0)
        session.commit()
        run = Run(instance.id, version_id=instance.version_id)
        _work_opd_row(session, app, run, "Task_10", T0)
        _work_opd_row(session, app, run, "Task_11", T0)
        assert timers.fire_instance_timers(session, run.instance_id, LATER) == len(RUN_OPDS)
        session.commit()
        _work_opd_row(session, app, run, "Task_12", LATER)
        for task in session.scalars(select(HumanTask).where(
                HumanTask.instance_id == run.instance_id).order_by(HumanTask.id)):
            run.task_ids.append(task.id)
            if task.opd is None:
                run.shared_task_ids.append(task.id)
            else:
                run.tasks_of.setdefault(task.opd.code, []).append(task.id)
        run.document_ids = list(session.scalars(select(Document.id).where(
            Document.instance_id == run.instance_id).order_by(Document.id)))
    return run


class Visitor:
    """One person's browser (signed in through the login form) and API token."""

    def __init__(self, app, username: str):
        self.username = username
        self.client = app.test_client()
        SignIn(self.client)(username)
        answer = self.client.post("/api/v1/auth/token",
                                  json={"username": username, "password": DEMO_PASSWORD})
        assert answer.status_code == 201, answer.get_json()
        self.token = answer.get_json()["token"]

    def request(self, method: str, path: str, **kwargs):
        headers = kwargs.pop("headers", {})
        if path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.token}"
        return self.client.open(path, method=method, headers=headers, **kwargs)


# Process owners' routes (the modeler pages, the definitions and diff API): no run object;
# every role, the auditor included, is tried on each in tests/webapp/test_modeler_roles.py.
OWNERS_MODULES = ("webapp.modeler.", "webapp.api.definitions", "webapp.api.diffs")


def is_owners_route(app, endpoint: str) -> bool:
    return app.view_functions[endpoint].__module__.startswith(OWNERS_MODULES)


# Audit, admin and period-report routes refuse by role before they look anything up: 403
# for every id, so they tell an outsider nothing about which runs exist
# (tests/webapp/test_auditor_writes.py and the audit tests try every role on them).
AUDIT_MODULES = ("webapp.audit.", "webapp.admin.", "webapp.api.history", "webapp.api.verify",
                 "webapp.api.heatmap", "webapp.api.bundles",
                 # the period report is the overseers', as row 13's achievement is
                 "webapp.reports.report", "webapp.api.reports")


def is_audit_route(app, endpoint: str) -> bool:
    return app.view_functions[endpoint].__module__.startswith(AUDIT_MODULES)
