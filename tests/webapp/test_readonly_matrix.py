"""Nobody writes where they may not: every write route of the app (every method but GET),
tried by an auditor on every task of a run, and by a PJ Kinerja on another OPD's tasks.

The routes come from the app's URL map, so a write route added later is tried too (or this
test fails, asking for a body for it). Each attempt must be refused (403 or 404: with a
JSON error from the API, a page with the reason from the inbox) and must leave everything
as it was: events, comments, documents, drafts, instances and every task's state.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from engine.models import Comment, Document, Event, HumanTask, ProcessInstance, TaskDraft
from engine.services import comments, documents, instances
from tests.conftest import PG_SKIP, PG_URL, T0
from tests.support import PJ_FOR_OPD, PLANNING, SOP_KEY, answers, run_rows, user
from tests.webapp.access_support import Visitor, database_for, is_owners_route, make_app
from tests.webapp.conftest import SignIn

# Write routes not tried, each with the reason: none of them touches a run's objects.
NOT_TRIED = {
    "auth.login": "signs in: no run object, and open to everyone by design",
    "auth.logout": "ends the caller's own session",
    "auth.language": "stores the caller's language choice in their own session",
    "auth.change_password": "the caller's own password (tested with the accounts)",
    "auth.end_session": "ends one of the caller's own sessions",
    "auth.sign_out_everywhere": "ends the caller's own sessions and tokens",
    "auth.revoke_token": "revokes one of the caller's own API tokens",
    "auth.save_notifications": "the caller's own mail settings (tested with the account page)",
    "api.issue_token": "signs in: an auditor reads the API with a token",
    "api.revoke_calling_token": "revokes the caller's own token",
    "api.revoke_token": "revokes one of the caller's own API tokens",
    "api.delete_draft": "removes only the caller's own draft of a task (never anyone "
                        "else's), and nobody refused here can have one: saving is refused",
    "inbox.discard_draft": "as api.delete_draft, from the task page",
    "inbox.instance_comment": "a comment on the run itself: open to every reader of the run "
                              "who may write (a PJ whose OPD takes part included); auditors "
                              "are refused in test_auditor_writes and "
                              "test_instance_comments_http",
    "api.add_instance_comment": "as inbox.instance_comment, over the API",
    "inbox.save_filter": "the caller's own saved inbox filters: no run object",
    "inbox.rename_filter": "the caller's own saved inbox filters: no run object",
    "inbox.share_filter": "the caller's own saved inbox filters: no run object",
    "inbox.delete_filter": "the caller's own saved inbox filters: no run object",
    "api.create_saved_filter": "the caller's own saved inbox filters: no run object",
    "api.delete_saved_filter": "the caller's own saved inbox filters: no run object",
    "api.retry_incident": "administrators only, no run object: refused by role in "
                          "test_admin_incidents",
    "api.import_packages": "SIRUP packages, no run object: the Tim Kelembagaan and "
                           "administrators only, refused by role in test_api_packages",
    "reports.package_import_send": "as api.import_packages, from the import page: refused by "
                                   "role in test_reports_packages",
}


# The reason, in Indonesian once the lead merges the pending translations, else the msgid.
READ_ONLY_MESSAGE = ("Your role may read everything but change nothing",
                     "Peran Anda hanya dapat membaca, tidak dapat mengubah apa pun")


def _upload():
    return {"file": (io.BytesIO(b"ZQX-bukti\n"), "ZQX-bukti.txt")}


def _task_answers(task: dict) -> dict:
    return answers(task["form_key"])


# What each write route is sent: JSON for the API, form fields for the pages.
BODIES = {
    "api.start_instance": lambda task: {"json": {"definition_key": SOP_KEY,
                                                 "data": answers("mulai-pelaksanaan")}},
    "api.claim_task": lambda task: {},
    "api.unclaim_task": lambda task: {},
    "api.complete_task": lambda task: {"json": _task_answers(task)},
    "api.add_comment": lambda task: {"json": {"body": "ZQX-komentar"}},
    "api.put_draft": lambda task: {"json": _task_answers(task)},
    "inbox.start": lambda task: {"data": {"definition": SOP_KEY, "tahun_anggaran": "2026",
                                          "judul": "ZQX-judul"}},
    "inbox.submit": lambda task: {"data": {"kendala": "ZQX", "progres": "ZQX"}},
    "inbox.claim": lambda task: {"data": {}},
    "inbox.unclaim": lambda task: {"data": {}},
    "inbox.comment": lambda task: {"data": {"body": "ZQX-komentar"}},
    "inbox.upload": lambda task: {"data": _upload()},
    "inbox.save_draft": lambda task: {"data": {"progres": "ZQX-draf"}},
    "inbox.reassign": lambda task: {"data": {"to": "tim2", "reason": "ZQX"}},
    "api.reassign_task": lambda task: {"json": {"to": "tim2", "reason": "ZQX"}},
}


def write_routes(app) -> list[tuple[str, str, object]]:
    """(method, endpoint, rule) for every route that takes anything but GET."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
            if rule.endpoint in NOT_TRIED or is_owners_route(app, rule.endpoint):
                continue
            if rule.endpoint.startswith("admin."):  # no run object; administrators only,
                continue  # refused by role in test_auditor_writes and tests/webapp/test_admin_*
            assert rule.endpoint in BODIES, f"{rule.rule}: give it a body or list it in NOT_TRIED"
            assert set(rule.arguments) <= {"task_id"}, f"{rule.rule}: fill {rule.arguments}"
            found.append((method, rule.endpoint, rule))
    return found


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """A run at row 10 (one open task per OPD), DISDIKBUD's with a document and a comment."""
    if request.param == "postgresql" and not PG_URL:
        pytest.skip(PG_SKIP)
    tmp = tmp_path_factory.mktemp(f"readonly-{request.param}")
    app = make_app(database_for(request.param, tmp, "readonly_matrix"), tmp / "uploads")
    factory = app.extensions["alur"].session_factory
    with factory() as session:
        instance = instances.start_instance(
            session, user(session, "tim1"), SOP_KEY, answers("mulai-pelaksanaan"), T0)
        run_rows(session, instance.id, PLANNING, T0)
        rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)
                               .order_by(HumanTask.id)).all()
        theirs = next(t for t in rows if t.opd is not None and t.opd.code == "DISDIKBUD")
        pj = user(session, PJ_FOR_OPD["DISDIKBUD"])
        documents.add_document(session, pj, theirs.id, "bukti.txt", io.BytesIO(b"isi\n"), T0,
                               storage_dir=tmp / "uploads", max_bytes=1024 * 1024)
        comments.add_comment(session, pj, theirs.id, "catatan", T0)
        session.commit()
        tasks = [{"id": t.id, "form_key": t.form_key, "opd": t.opd.code if t.opd else None,
                  "state": t.state} for t in rows]
    yield app, tasks
    app.extensions["alur"].engine.dispose()


def snapshot(app) -> tuple:
    with app.extensions["alur"].session_factory() as session:
        counts = tuple(session.scalar(select(func.count()).select_from(model))
                       for model in (Event, Comment, Document, TaskDraft, ProcessInstance))
        states = tuple(session.execute(select(
            HumanTask.id, HumanTask.state, HumanTask.claimed_by_id, HumanTask.completed_at)
            .order_by(HumanTask.id)).all())
        heads = tuple(session.execute(select(
            ProcessInstance.id, ProcessInstance.event_count, ProcessInstance.row_version)).all())
    return counts, states, heads


def _attempt(app, visitor: Visitor, token: str, method: str, endpoint: str, rule, task: dict):
    path = rule.build({"task_id": task["id"]} if "task_id" in rule.arguments else {},
                      append_unknown=False)[1]
    kwargs = BODIES[endpoint](task)
    if not path.startswith("/api/"):
        kwargs["data"] = {"csrf_token": token, **kwargs.get("data", {})}
    return path, visitor.request(method, path, **kwargs)


def _refused_properly(path: str, response) -> None:
    assert response.status_code in (403, 404), (path, response.status_code)
    if path.startswith("/api/"):
        error = response.get_json()["error"]
        assert error["code"] and error["message"], path
    else:
        html = response.get_data(as_text=True)
        assert any(shown in html for shown in (
            'data-testid="error-message"', 'data-testid="comment-error"',
            'class="flash flash-error"')), path


def _try_all(app, username: str, targets: list[dict]) -> int:
    visitor = Visitor(app, username)
    token = SignIn.csrf_from(visitor.client.get("/").get_data(as_text=True))
    tried = 0
    for method, endpoint, rule in write_routes(app):
        for task in targets if "task_id" in rule.arguments else targets[:1]:
            before = snapshot(app)
            path, response = _attempt(app, visitor, token, method, endpoint, rule, task)
            _refused_properly(path, response)
            assert snapshot(app) == before, (method, path)
            tried += 1
    return tried


def test_an_auditor_changes_nothing_anywhere(world):
    app, tasks = world
    assert _try_all(app, "auditor", tasks) > 10 * len(tasks)


def test_a_pj_changes_nothing_of_another_opd(world):
    app, tasks = world
    theirs = [t for t in tasks if t["opd"] == "DISDIKBUD"]
    assert theirs and all(t["state"] == "open" for t in theirs)
    assert _try_all(app, "pj.dinkes", theirs) > 10


def test_the_same_writes_go_through_for_the_tasks_own_people(world):
    """Not vacuous: the refused routes work for the person whose task it is."""
    app, tasks = world
    [mine] = [t for t in tasks if t["opd"] == "DINKES"]
    visitor = Visitor(app, "pj.dinkes")
    token = SignIn.csrf_from(visitor.client.get("/").get_data(as_text=True))
    answer = visitor.request("POST", f"/api/v1/tasks/{mine['id']}/comments",
                             json={"body": "boleh"})
    assert answer.status_code == 201
    page = visitor.request("POST", f"/tasks/{mine['id']}/documents",
                           data={"csrf_token": token, **_upload()})
    assert page.status_code == 302
    assert visitor.request("POST", f"/api/v1/tasks/{mine['id']}/claim").status_code == 200


def test_an_auditors_refusal_says_why(world):
    app, tasks = world
    [open_task] = [t for t in tasks if t["opd"] == "DINKES"]
    visitor = Visitor(app, "auditor")
    token = SignIn.csrf_from(visitor.client.get("/").get_data(as_text=True))
    answer = visitor.request("POST", f"/api/v1/tasks/{open_task['id']}/comments",
                             json={"body": "tidak boleh"})
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "read_only_role"
    page = visitor.request("POST", f"/tasks/{open_task['id']}/comments",
                           data={"csrf_token": token, "body": "tidak boleh"})
    assert page.status_code == 403
    shown = page.get_data(as_text=True)  # the task page again, the reason beside the comments
    assert 'data-testid="comment-error"' in shown
    assert any(text in shown for text in READ_ONLY_MESSAGE)
