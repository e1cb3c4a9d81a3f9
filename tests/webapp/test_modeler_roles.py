"""Who reaches the modeler: every modeler route (`modeler.*`, /pemodel/...) and every
definitions API route (/api/v1/definitions...), for every method, tried by every role.

The routes come from the app's URL map, so a route another part adds later is tried too
(or this test fails, asking how to fill its arguments). Process owners (pemilik_proses)
and administrators get anything but 403; every other role gets 403 (JSON from the API and
the editors' JSON routes) and changes nothing, except on the SOP document of a version
(READERS): it is the procedure everyone works by, so every signed-in role reads it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.models import Definition, DefinitionVersion, ProcessDraft
from engine.services import processdrafts
from engine.services.deployments import latest_version
from tests.conftest import T0
from tests.support import SOP_KEY, user
from tests.webapp.access_support import Visitor, database_for, is_owners_route, make_app
from tests.webapp.inbox_support import page_token
from webapp.modeler.drafts import JSON_ENDPOINTS

MODELERS = ("admin", "pemilik")
OTHERS = ("kepala", "tim1", "pj.disdikbud", "auditor")
FORM_KEY = "persetujuan-rencana"
# Routes every signed-in role reads (GET); editing the SOP header stays the owners'.
READERS = {"modeler.sop_document", "modeler.sop_pdf", "api.definition_sop_document"}
# Query strings that make a route do its real work rather than refuse a missing parameter.
QUERIES = {
    "modeler.diff": {"definisi": SOP_KEY, "dari": 1, "ke": 1},
    "modeler.diff_data": {"definisi": SOP_KEY, "dari": 1, "ke": 1},
    "api.definition_diff": {"from": 1, "to": 1},
}


def modeler_routes(app) -> list[tuple[str, str, object]]:
    """(method, endpoint, rule) of every modeler and definitions API route."""
    found = []
    for rule in app.url_map.iter_rules():
        # a version's heatmap sits under /definitions but is the auditors' (test_api_heatmap)
        is_api = rule.rule.startswith("/api/v1/definitions") and is_owners_route(app, rule.endpoint)
        if not (rule.endpoint.startswith("modeler.") or is_api):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.endpoint, rule))
    return found


def fill(rule, world: dict) -> str:
    values = {}
    for name in rule.arguments:
        if name == "key":  # a definition's key on the API, a form's key in the modeler
            values[name] = SOP_KEY if rule.rule.startswith("/api/") else FORM_KEY
        else:
            assert name in world, f"{rule.rule}: fill <{name}> in test_modeler_roles.fill"
            values[name] = world[name]
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("modeler-roles")
    app = make_app(database_for("sqlite", tmp, "modeler_roles"), tmp / "uploads")
    with app.extensions["alur"].session_factory() as session:
        version = latest_version(session, SOP_KEY)
        draft = processdrafts.create_from_version(session, user(session, "pemilik"),
                                                  version.id, T0)
        session.commit()
        ids = {"draft_id": draft.id, "version_id": version.id, "number": version.version}
    yield app, ids
    app.extensions["alur"].engine.dispose()


def counts(app) -> dict[str, int]:
    with app.extensions["alur"].session_factory() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (ProcessDraft, Definition, DefinitionVersion)}


def attempt(visitor: Visitor, token: str, method: str, endpoint: str, path: str):
    """The request as its page or script would send it, CSRF token included."""
    query = QUERIES.get(endpoint, {})
    if path.startswith("/api/"):
        body = {"bpmn_xml": "<x/>", "forms": {}} if method != "GET" else None
        return visitor.request(method, path, json=body, query_string=query)
    if endpoint in JSON_ENDPOINTS:
        body = {"revision": 1} if method != "GET" else None
        return visitor.request(method, path, json=body, query_string=query,
                               headers={"X-CSRFToken": token})
    data = {"csrf_token": token} if method != "GET" else None
    return visitor.request(method, path, data=data, query_string=query)


@pytest.mark.parametrize("username", OTHERS)
def test_other_roles_get_403_everywhere_in_the_modeler(world, username):
    app, ids = world
    routes = modeler_routes(app)
    assert {"modeler.definitions", "modeler.draft_deploy", "api.deploy_version"} <= {
        endpoint for _, endpoint, _ in routes}
    visitor = Visitor(app, username)
    token = page_token(visitor.client, "/akun")
    before = counts(app)
    for method, endpoint, rule in routes:
        path = fill(rule, ids)
        answer = attempt(visitor, token, method, endpoint, path)
        if endpoint in READERS and method == "GET":
            assert answer.status_code == 200, (username, method, path, answer.status_code)
            continue
        assert answer.status_code == 403, (username, method, path, answer.status_code)
        if path.startswith("/api/") or endpoint in JSON_ENDPOINTS:
            assert answer.get_json()["error"]["code"] in ("modeler_only", "forbidden")
    assert counts(app) == before


@pytest.mark.parametrize("username", MODELERS)
def test_process_owners_and_admins_get_in(world, username):
    app, ids = world
    visitor = Visitor(app, username)
    token = page_token(visitor.client, "/akun")
    for method, endpoint, rule in modeler_routes(app):
        path = fill(rule, ids)
        answer = attempt(visitor, token, method, endpoint, path)
        assert answer.status_code != 403 and answer.status_code < 500, (
            username, method, path, answer.status_code, answer.get_data(as_text=True)[:300])
