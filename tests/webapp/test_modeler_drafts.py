"""The editors' JSON endpoints (/pemodel/draf/<id>/...): each answers JSON, errors included,
with the session cookie and the CSRF token in X-CSRFToken; a refusal changes nothing."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from engine.models import Definition, DefinitionVersion, Event, ProcessDraft
from engine.services import processdrafts
from engine.services.deployments import latest_version
from tests.conftest import T0
from tests.engine.services.test_processdrafts import with_waktu, without_form_key
from tests.support import SOP_KEY, user
from tests.webapp.inbox_support import app_session, page_token

VALID_FORM = {"components": [{"type": "textfield", "key": "judul", "label": "Judul"}]}
UNSUPPORTED_FORM = {"components": [
    {"type": "textfield", "key": "judul", "label": "Judul"},
    {"type": "iframe", "key": "peta", "label": "Peta"},
]}


def make_draft(web_app, username: str = "pemilik", **changes) -> int:
    """A committed draft of the SOP's newest version, optionally saved once with changes."""
    with app_session(web_app) as session:
        person = user(session, username)
        version = latest_version(session, SOP_KEY)
        draft = processdrafts.create_from_version(session, person, version.id, T0)
        if changes:
            processdrafts.save_draft(session, person, draft.id, revision=1, now=T0, **changes)
        return draft.id


def state(web_app, draft_id: int | None = None) -> dict:
    """Row counts a refused request must leave alone, and the draft as stored."""
    with app_session(web_app) as session:
        found = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                 for model in (ProcessDraft, Definition, DefinitionVersion, Event)}
        if draft_id is not None:
            draft = session.get(ProcessDraft, draft_id)
            found["draft"] = (draft.revision, draft.deployed_version_id, draft.updated_by_id,
                              hashlib.sha256(draft.bpmn_xml.encode()).hexdigest(),
                              sorted(draft.forms))
        return found


class Editor:
    """A signed-in browser calling the endpoints the way the editor's script does."""

    def __init__(self, client, login, username: str = "pemilik"):
        login(username)
        self.client = client
        self.token = page_token(client, "/akun")

    def call(self, method: str, path: str, body=None, *, csrf: bool = True, **kwargs):
        headers = {"X-CSRFToken": self.token} if csrf else {}
        return self.client.open(path, method=method, json=body, headers=headers, **kwargs)


@pytest.fixture()
def editor(client, login) -> Editor:
    return Editor(client, login)


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    assert response.mimetype == "application/json"
    body = response.get_json()["error"]
    assert body["code"] == code, body
    return body


# ---- GET /isi ------------------------------------------------------------------------------

def test_load_gives_the_draft_as_the_editor_needs_it(web_app, editor):
    draft_id = make_draft(web_app)
    body = editor.call("GET", f"/pemodel/draf/{draft_id}/isi").get_json()
    with app_session(web_app) as session:
        version = latest_version(session, SOP_KEY)
        assert body["bpmn_xml"] == version.bpmn_xml and body["forms"] == version.forms
        assert body["updated_by"] == user(session, "pemilik").full_name
    assert {k: body[k] for k in ("id", "revision", "definition_key", "base_version",
                                 "deployed_version", "updated_at")} == {
        "id": draft_id, "revision": 1, "definition_key": SOP_KEY, "base_version": 1,
        "deployed_version": None, "updated_at": T0.isoformat()}
    assert body["title"] == "SOP Pengelolaan Kinerja"


def test_load_answers_json_errors_whatever_the_client_accepts(web_app, client, login):
    draft_id = make_draft(web_app)
    path = f"/pemodel/draf/{draft_id}/isi"
    error_of(client.get(path, headers={"Accept": "text/html"}), 401, "unauthenticated")
    login("kepala")
    error_of(client.get(path, headers={"Accept": "text/html"}), 403, "modeler_only")
    login.logout()
    login("pemilik")
    error_of(client.get("/pemodel/draf/987654/isi"), 404, "draft_not_found")


# ---- PUT /isi ------------------------------------------------------------------------------

def test_autosave_moves_the_revision(web_app, editor):
    draft_id = make_draft(web_app)
    with app_session(web_app) as session:
        changed = with_waktu(session.get(ProcessDraft, draft_id).bpmn_xml, "Task_06", 3)
    answer = editor.call("PUT", f"/pemodel/draf/{draft_id}/isi",
                         {"revision": 1, "bpmn_xml": changed})
    assert answer.status_code == 200 and answer.get_json() == {"revision": 2,
                                                               "saved_at": T0.isoformat()}
    with app_session(web_app) as session:
        draft = session.get(ProcessDraft, draft_id)
        assert (draft.revision, draft.bpmn_xml) == (2, changed)


def test_a_stale_autosave_is_a_conflict_naming_who_saved(web_app, editor):
    draft_id = make_draft(web_app, username="admin",
                          forms={"baru": VALID_FORM})  # admin saved: revision 2
    before = state(web_app, draft_id)
    error = error_of(editor.call("PUT", f"/pemodel/draf/{draft_id}/isi",
                                 {"revision": 1, "forms": {}}), 409, "draft_conflict")
    with app_session(web_app) as session:
        admin = user(session, "admin").full_name
    assert error["details"] == {"revision": 2, "updated_by": admin,
                                "updated_at": T0.isoformat()}
    assert state(web_app, draft_id) == before


@pytest.mark.parametrize(("body", "code"), [
    ({"bpmn_xml": "<x/>"}, "invalid_input"),  # no revision
    ({"revision": "1"}, "invalid_input"),
    ({"revision": 1, "extra": True}, "unknown_field"),
    ({"revision": 1, "bpmn_xml": "<bpmn:definitions"}, "bpmn_malformed"),
    ({"revision": 1, "bpmn_xml": "<notbpmn/>"}, "bpmn_not_bpmn"),
    ({"revision": 1, "forms": {"baru": UNSUPPORTED_FORM}}, "invalid_form"),
    ({"revision": 1, "forms": {"../x": VALID_FORM}}, "invalid_form_key"),
    ({"revision": 1, "bpmn_xml": "a\u0000b"}, "invalid_json"),
])
def test_a_bad_autosave_is_400_and_changes_nothing(web_app, editor, body, code):
    draft_id = make_draft(web_app)
    before = state(web_app, draft_id)
    error_of(editor.call("PUT", f"/pemodel/draf/{draft_id}/isi", body), 400, code)
    assert state(web_app, draft_id) == before


def test_a_body_that_is_not_json_is_400(web_app, editor):
    draft_id = make_draft(web_app)
    before = state(web_app, draft_id)
    answer = editor.client.put(f"/pemodel/draf/{draft_id}/isi", data=b"{revision: 1}",
                               headers={"X-CSRFToken": editor.token,
                                        "Content-Type": "application/json"})
    error_of(answer, 400, "invalid_json")
    assert state(web_app, draft_id) == before


def test_without_the_csrf_header_nothing_is_saved(web_app, editor):
    draft_id = make_draft(web_app)
    before = state(web_app, draft_id)
    for method, path, body in (
        ("PUT", f"/pemodel/draf/{draft_id}/isi", {"revision": 1, "forms": {}}),
        ("PUT", f"/pemodel/draf/{draft_id}/formulir/baru", {"revision": 1,
                                                           "schema": VALID_FORM}),
        ("POST", f"/pemodel/draf/{draft_id}/terapkan", {"revision": 1}),
    ):
        answer = editor.call(method, path, body, csrf=False)
        error_of(answer, 400, "csrf_failed")
    assert state(web_app, draft_id) == before


def test_a_deployed_draft_cannot_be_saved(web_app, editor):
    draft_id = make_draft(web_app)
    assert editor.call("POST", f"/pemodel/draf/{draft_id}/terapkan",
                       {"revision": 1}).status_code == 200
    before = state(web_app, draft_id)
    error = error_of(editor.call("PUT", f"/pemodel/draf/{draft_id}/isi",
                                 {"revision": 2, "forms": {}}), 409, "draft_deployed")
    assert error["details"]["version"] == 1
    error_of(editor.call("PUT", f"/pemodel/draf/{draft_id}/formulir/baru",
                         {"revision": 2, "schema": VALID_FORM}), 409, "draft_deployed")
    assert state(web_app, draft_id) == before


# ---- PUT /formulir/<key> -------------------------------------------------------------------

def test_a_form_is_saved(web_app, editor):
    draft_id = make_draft(web_app)
    answer = editor.call("PUT", f"/pemodel/draf/{draft_id}/formulir/baru",
                         {"revision": 1, "schema": VALID_FORM})
    assert answer.status_code == 200 and answer.get_json()["revision"] == 2
    with app_session(web_app) as session:
        assert session.get(ProcessDraft, draft_id).forms["baru"] == VALID_FORM


def test_a_form_the_server_cannot_enforce_is_refused_naming_the_component(web_app, editor):
    draft_id = make_draft(web_app)
    before = state(web_app, draft_id)
    error = error_of(editor.call("PUT", f"/pemodel/draf/{draft_id}/formulir/baru",
                                 {"revision": 1, "schema": UNSUPPORTED_FORM}), 400,
                     "invalid_form")
    assert "'peta'" in error["message"] and "iframe" in error["message"]
    assert error["details"] == {"form": "baru"}
    assert state(web_app, draft_id) == before


def test_a_stale_form_save_is_a_conflict(web_app, editor):
    draft_id = make_draft(web_app, forms={})
    before = state(web_app, draft_id)
    error_of(editor.call("PUT", f"/pemodel/draf/{draft_id}/formulir/baru",
                         {"revision": 1, "schema": VALID_FORM}), 409, "draft_conflict")
    assert state(web_app, draft_id) == before


# ---- POST /salin ---------------------------------------------------------------------------

def test_a_copy_is_a_new_draft_with_its_editor_address(web_app, editor):
    draft_id = make_draft(web_app)
    with app_session(web_app) as session:
        changed = with_waktu(session.get(ProcessDraft, draft_id).bpmn_xml, "Task_06", 4)
    answer = editor.call("POST", f"/pemodel/draf/{draft_id}/salin",
                         {"bpmn_xml": changed, "forms": {"baru": VALID_FORM}})
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["url"] == f"/pemodel/draf/{body['id']}"
    with app_session(web_app) as session:
        copy = session.get(ProcessDraft, body["id"])
        assert (copy.bpmn_xml, copy.forms, copy.revision) == (changed, {"baru": VALID_FORM}, 1)
        assert copy.base_version_id == session.get(ProcessDraft, draft_id).base_version_id
        assert copy.title.startswith("SOP Pengelolaan Kinerja")


def test_a_copy_that_is_not_bpmn_is_refused(web_app, editor):
    draft_id = make_draft(web_app)
    before = state(web_app, draft_id)
    error_of(editor.call("POST", f"/pemodel/draf/{draft_id}/salin", {"bpmn_xml": "<a/>"}),
             400, "bpmn_not_bpmn")
    assert state(web_app, draft_id) == before


# ---- POST /periksa -------------------------------------------------------------------------

def test_check_lists_problems_with_their_text_and_stores_nothing(web_app, editor):
    draft_id = make_draft(web_app)
    with app_session(web_app) as session:
        broken = without_form_key(session.get(ProcessDraft, draft_id).bpmn_xml, "Task_06")
    clean = editor.call("POST", f"/pemodel/draf/{draft_id}/periksa")
    assert clean.status_code == 200 and clean.get_json() == {"problems": []}
    assert editor.call("PUT", f"/pemodel/draf/{draft_id}/isi",
                       {"revision": 1, "bpmn_xml": broken}).status_code == 200
    before = state(web_app, draft_id)
    problems = editor.call("POST", f"/pemodel/draf/{draft_id}/periksa").get_json()["problems"]
    mine = [p for p in problems if p["element_id"] == "Task_06"]
    assert mine and all(p["text"] and p["rule"].startswith("alur/") for p in problems)
    assert state(web_app, draft_id) == before


# ---- POST /terapkan ------------------------------------------------------------------------

def test_deploy_makes_version_2_and_identical_content_gives_it_back(web_app, editor):
    draft_id = make_draft(web_app)
    with app_session(web_app) as session:
        changed = with_waktu(session.get(ProcessDraft, draft_id).bpmn_xml, "Task_06", 3)
    editor.call("PUT", f"/pemodel/draf/{draft_id}/isi", {"revision": 1, "bpmn_xml": changed})
    answer = editor.call("POST", f"/pemodel/draf/{draft_id}/terapkan", {"revision": 2})
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    with app_session(web_app) as session:
        version = latest_version(session, SOP_KEY)
        assert version.version == 2 and version.deployed_by_id == user(session, "pemilik").id
        draft = session.get(ProcessDraft, draft_id)
        assert draft.deployed_version_id == version.id
    assert body == {"version": 2, "created": True, "definition_key": SOP_KEY,
                    "url": f"/pemodel/versi/{version.id}"}
    again = make_draft(web_app)  # from version 2, unchanged
    answer = editor.call("POST", f"/pemodel/draf/{again}/terapkan", {"revision": 1})
    assert answer.status_code == 200 and answer.get_json()["created"] is False
    assert answer.get_json()["version"] == 2


def test_a_refused_deploy_lists_problems_and_stores_only_its_audit_event(web_app, editor):
    draft_id = make_draft(web_app)
    with app_session(web_app) as session:
        broken = without_form_key(session.get(ProcessDraft, draft_id).bpmn_xml, "Task_06")
    editor.call("PUT", f"/pemodel/draf/{draft_id}/isi", {"revision": 1, "bpmn_xml": broken})
    before = state(web_app, draft_id)
    error = error_of(editor.call("POST", f"/pemodel/draf/{draft_id}/terapkan",
                                 {"revision": 2}), 400, "invalid_diagram")
    problems = error["details"]["problems"]
    assert any(p["element_id"] == "Task_06" and p["text"] for p in problems), problems
    after = state(web_app, draft_id)
    assert after == {**before, "events": before["events"] + 1}
    with app_session(web_app) as session:
        event = session.scalars(select(Event).order_by(Event.id.desc()).limit(1)).one()
        assert (event.type, event.actor_id) == ("deployment_rejected",
                                                user(session, "pemilik").id)
        assert any(p["element_id"] == "Task_06"
                   for p in event.payload["details"]["problems"])


def test_deploy_from_a_stale_revision_is_a_conflict(web_app, editor):
    draft_id = make_draft(web_app, forms={})
    before = state(web_app, draft_id)
    error_of(editor.call("POST", f"/pemodel/draf/{draft_id}/terapkan", {"revision": 1}), 409,
             "draft_conflict")
    assert state(web_app, draft_id) == before


# ---- other roles ---------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "suffix", "body"), [
    ("PUT", "isi", {"revision": 1, "forms": {}}),
    ("PUT", "formulir/baru", {"revision": 1, "schema": VALID_FORM}),
    ("POST", "salin", {"bpmn_xml": "<x/>"}),
    ("POST", "periksa", None),
    ("POST", "terapkan", {"revision": 1}),
])
def test_other_roles_get_403_and_change_nothing(web_app, client, login, method, suffix, body):
    draft_id = make_draft(web_app)
    outsider = Editor(client, login, "tim1")  # signing in is an event: count after it
    before = state(web_app, draft_id)
    error_of(outsider.call(method, f"/pemodel/draf/{draft_id}/{suffix}", body), 403,
             "modeler_only")
    assert state(web_app, draft_id) == before
