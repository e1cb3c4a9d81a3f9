"""An auditor writes nothing anywhere: every route of the app's URL map that takes POST,
PUT, PATCH or DELETE, pages and API alike (the modeler and the definitions API included),
called by the auditor with a concrete URL (real ids and keys of a seeded run, version,
draft and document), the page session with its CSRF token or the auditor's bearer token,
answers 403, and the whole database reads the same afterwards, row for row.

The routes come from the URL map, so a write route added later is tried too, or this test
fails asking how to fill its arguments. The honest exceptions are listed with their reason:
what any signed-in person may do to their own sign-in, language and account.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from sqlalchemy import select

from engine.db import Base
from engine.models import Document, HumanTask
from engine.services import comments, documents, processdrafts
from engine.services.deployments import latest_version
from tests.conftest import PG_SKIP, PG_URL, T0
from tests.support import (
    PJ_FOR_OPD,
    PLANNING,
    SOP_BPMN,
    SOP_KEY,
    answers,
    start_committed,
    user,
)
from tests.webapp.access_support import Visitor, database_for, make_app
from tests.webapp.inbox_support import page_token

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Anyone signed in may use these on their own sign-in, session, language or account; an
# auditor is no exception (and nothing of a run, a process or another person is touched).
OWN_ACCOUNT = {
    "auth.login": "signs in: open to everyone, the auditor signs in like anyone",
    "auth.logout": "ends the caller's own session",
    "auth.language": "stores the caller's language choice in their own session cookie",
    "auth.change_password": "the caller's own password",
    "auth.end_session": "ends one of the caller's own sessions",
    "auth.sign_out_everywhere": "ends the caller's own sessions and tokens",
    "auth.revoke_token": "revokes one of the caller's own API tokens",
    "auth.save_notifications": "the caller's own mail settings (tested with the account page)",
    "api.issue_token": "signs in to the API: the auditor reads the API with a token",
    "api.revoke_calling_token": "revokes the caller's own token",
    "api.revoke_token": "revokes one of the caller's own API tokens",
}
# Discarding one's own draft of a task: nobody's draft but the caller's can go, and an
# auditor can have none (saving one is refused), so it changes nothing; it is still tried
# below and must leave everything as it was.
OWN_DRAFT = {
    "api.delete_draft": "removes only the caller's own draft of a task",
    "inbox.discard_draft": "as api.delete_draft, from the task page",
}
# The form a draft's form routes name (a form of the SOP).
FORM_KEY = "persetujuan-rencana"
# Bookkeeping of the auditor's own sign-in that a request may touch (last seen, last used):
# compared by row count, not content.
OWN_SIGN_IN_TABLES = frozenset({"user_sessions", "api_tokens", "login_attempts"})


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """A run at row 10 (an open task per OPD), DINKES's with a document and a comment; a
    process draft of the deployed version; the auditor signed in on the pages and the API."""
    if request.param == "postgresql" and not PG_URL:
        pytest.skip(PG_SKIP)
    tmp = tmp_path_factory.mktemp(f"auditor-writes-{request.param}")
    app = make_app(database_for(request.param, tmp, "auditor_writes"), tmp / "uploads")
    factory = app.extensions["alur"].session_factory
    instance_id = start_committed(factory, T0, PLANNING)
    with factory() as session:
        task = session.scalars(select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.state == "open",
            HumanTask.opd_id.is_not(None)).order_by(HumanTask.id)).first()
        pj = user(session, PJ_FOR_OPD[task.opd.code])
        documents.add_document(session, pj, task.id, "bukti.txt", io.BytesIO(b"isi\n"), T0,
                               storage_dir=tmp / "uploads", max_bytes=1024 * 1024)
        comments.add_comment(session, pj, task.id, "catatan", T0)
        version = latest_version(session, SOP_KEY)
        draft = processdrafts.create_from_version(session, user(session, "pemilik"),
                                                  version.id, T0)
        session.commit()
        values = {
            "task_id": task.id, "instance_id": instance_id, "version_id": version.id,
            "draft_id": draft.id, "form_key": FORM_KEY, "definition_key": SOP_KEY,
            "number": version.version, "task_form_key": task.form_key,
            "document_id": session.scalar(select(Document.id)),
            "filter_id": 1,  # saved inbox filters: the auditor is refused before any look-up
            "job_id": 1,  # incidents (administrators only): refused before any look-up too
            # the administrators' pages: a person, an OPD and a day of the holiday table
            "user_id": pj.id, "opd_id": task.opd_id, "day": "2026-01-01",
        }
    auditor = Visitor(app, "auditor")
    token = page_token(auditor.client, "/akun")
    yield app, values, auditor, token
    app.extensions["alur"].engine.dispose()


def write_routes(app) -> list[tuple[str, object]]:
    """(method, rule) for every route taking a write method, in a stable order."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint)):
        for method in sorted(rule.methods & WRITE_METHODS):
            found.append((method, rule))
    return found


def fill(rule, values: dict) -> str:
    """The rule's URL with real ids and keys of the seeded world."""
    filled = {}
    for name in rule.arguments:
        if name == "key":  # a definition's key on the API, a form's key in the modeler
            filled[name] = values["definition_key" if "/definitions/" in rule.rule
                                  else "form_key"]
        else:
            assert name in values, f"{rule.rule}: give <{name}> a real value in fill()"
            filled[name] = values[name]
    return rule.build(filled, append_unknown=False)[1]


def bodies(values: dict) -> dict[str, dict]:
    """What a real client sends to each write route, enough to pass any shape check, so a
    refusal comes from the role and not from a missing field (a route not named here is
    sent nothing but its CSRF token: it must refuse the auditor before reading a body)."""
    task_answers = answers(values["task_form_key"])
    return {
        "api.start_instance": {"json": {"definition_key": SOP_KEY,
                                        "data": answers("mulai-pelaksanaan")}},
        "api.complete_task": {"json": {**task_answers, "confirmed": True}},
        "api.add_comment": {"json": {"body": "ZQX"}},
        "api.put_draft": {"json": task_answers},
        "api.deploy_version": {"data": {"bpmn": (io.BytesIO(SOP_BPMN.read_bytes()),
                                                 SOP_BPMN.name)}},
        "inbox.start": {"data": {"definition": SOP_KEY, "tahun_anggaran": "2026",
                                 "judul": "ZQX"}},
        "inbox.submit": {"data": {"progres": "ZQX", "kendala": "ZQX"}},
        "inbox.comment": {"data": {"body": "ZQX"}},
        "inbox.instance_comment": {"data": {"body": "ZQX"}},
        "inbox.reassign": {"data": {"to": "tim2", "reason": "ZQX"}},
        "inbox.save_filter": {"data": {"name": "ZQX", "tab": "mine"}},
        "inbox.rename_filter": {"data": {"name": "ZQX"}},
        "api.add_instance_comment": {"json": {"body": "ZQX"}},
        "api.reassign_task": {"json": {"to": "tim2", "reason": "ZQX"}},
        "api.create_saved_filter": {"json": {"name": "ZQX", "query": {}}},
        "inbox.upload": {"data": {"file": (io.BytesIO(b"ZQX\n"), "zqx.txt")}},
        "inbox.save_draft": {"data": {"progres": "ZQX"}},
        "modeler.upload": {"data": {"bpmn": (io.BytesIO(SOP_BPMN.read_bytes()),
                                             SOP_BPMN.name)}},
        "modeler.save_draft_content": {"json": {"revision": 1, "bpmn_xml": "<x/>",
                                                "forms": {}}},
        "modeler.draft_form": {"json": {"revision": 1, "schema": {"components": []}}},
        "modeler.draft_check": {"json": {"bpmn_xml": "<x/>"}},
        "modeler.draft_deploy": {"json": {"revision": 1}},
    }


def attempt(auditor: Visitor, token: str, method: str, rule, path: str, values: dict):
    kwargs = bodies(values).get(rule.endpoint, {})
    if path.startswith("/api/"):
        return auditor.request(method, path, **kwargs)
    if "json" not in kwargs:
        kwargs["data"] = {"csrf_token": token, **kwargs.get("data", {})}
    return auditor.request(method, path, headers={"X-CSRFToken": token}, **kwargs)


def snapshot(app) -> dict[str, str]:
    """Every table: its rows' digest (the auditor's own sign-in bookkeeping: its count)."""
    found = {}
    with app.extensions["alur"].session_factory() as session:
        for table in Base.metadata.sorted_tables:
            rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
            if table.name in OWN_SIGN_IN_TABLES:
                found[table.name] = str(len(rows))
            else:
                text = json.dumps([list(row) for row in rows], default=str, sort_keys=True)
                found[table.name] = hashlib.sha256(text.encode()).hexdigest()
    return found


def test_an_auditor_gets_403_on_every_write_route(world):
    app, values, auditor, token = world
    routes = write_routes(app)
    endpoints = {rule.endpoint for _, rule in routes}
    assert not set(OWN_ACCOUNT) & set(OWN_DRAFT)
    assert set(OWN_ACCOUNT) | set(OWN_DRAFT) <= endpoints, "an exception names no route"
    tried = []
    for method, rule in routes:
        if rule.endpoint in OWN_ACCOUNT or rule.endpoint in OWN_DRAFT:
            continue
        path = fill(rule, values)
        before = snapshot(app)
        answer = attempt(auditor, token, method, rule, path, values)
        assert answer.status_code == 403, (method, path, answer.status_code,
                                           answer.get_data(as_text=True)[:300])
        if answer.is_json:
            assert answer.get_json()["error"]["code"], path
        else:  # a page that says why
            assert any(said in answer.get_data(as_text=True) for said in (
                'data-testid="error-message"', 'data-testid="comment-error"',
                'class="flash flash-error"')), path
        changed = {name for name, digest in snapshot(app).items() if before[name] != digest}
        assert not changed, (method, path, changed)
        tried.append((method, rule.endpoint))
    # the run's, the task's and the modeler's writes are all among them
    assert {"api.complete_task", "inbox.submit", "inbox.upload", "api.start_instance",
            "modeler.draft_deploy", "api.deploy_version"} <= {e for _, e in tried}
    assert len(tried) == len(routes) - len(OWN_ACCOUNT) - len(OWN_DRAFT)


def test_discarding_ones_own_draft_changes_nothing(world):
    app, values, auditor, token = world
    for method, rule in write_routes(app):
        if rule.endpoint not in OWN_DRAFT:
            continue
        path = fill(rule, values)
        before = snapshot(app)
        answer = attempt(auditor, token, method, rule, path, values)
        assert answer.status_code in (204, 302, 403), (path, answer.status_code)
        assert snapshot(app) == before, path
