"""Definitions over the API: list them and their versions; deploy a version (201 new, 200
identical, 400 problems, 403 other roles, 413 too large), nothing stored on a refusal."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from engine.models import Definition, DefinitionVersion, Event
from tests.engine.services.test_processdrafts import with_waktu, without_form_key
from tests.support import SOP_BPMN, SOP_FORMS, SOP_KEY, sop_forms
from tests.webapp.api_support import (  # noqa: F401
    api_fixture,
    api_template_fixture,
    close_client,
    make_client,
)
from tests.webapp.test_modeler_drafts import UNSUPPORTED_FORM

VERSIONS = f"/definitions/{SOP_KEY}/versions"


def rows(api) -> dict[str, int]:
    with api.session_factory() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Definition, DefinitionVersion, Event)}


def last_event(api) -> Event:
    with api.session_factory() as session:
        return session.scalars(select(Event).order_by(Event.id.desc()).limit(1)).one()


def sop_text(days: int | None = None) -> str:
    text = SOP_BPMN.read_text(encoding="utf-8")
    return with_waktu(text, "Task_06", days) if days else text


def deploy_json(api, username="pemilik", *, text=None, forms=None, key=SOP_KEY):
    body = {"bpmn_xml": text if text is not None else sop_text(3),
            "forms": sop_forms() if forms is None else forms}
    return api.post(username, f"/definitions/{key}/versions", body)


def test_the_definitions_with_their_versions(api):
    api.ok(deploy_json(api), 201)
    items = api.ok(api.get("pemilik", "/definitions"))["items"]
    sop = next(item for item in items if item["key"] == SOP_KEY)
    assert sop["name"] == "SOP Pengelolaan Kinerja" and sop["latest_version"] == 2
    assert [v["version"] for v in sop["versions"]] == [2, 1]
    newest = sop["versions"][0]
    assert newest["deployed_by"] == "Siti Nurhaliza, S.Kom."
    assert newest["short_hash"] == newest["content_hash"][:12]
    assert (newest["running"], newest["finished"]) == (0, 0)
    listed = api.ok(api.get("admin", VERSIONS))
    assert listed["definition"] == {"key": SOP_KEY, "name": "SOP Pengelolaan Kinerja"}
    assert listed["items"] == sop["versions"]


def test_an_unknown_definition_is_404(api):
    answer = api.get("pemilik", "/definitions/tidak_ada/versions")
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "definition_not_found"


def signed_in(api, *usernames: str) -> None:
    """Tokens issued up front: a sign-in is an event of its own, not counted below."""
    for username in usernames:
        api.token(username)


def test_new_content_is_201_and_the_same_again_is_200(api):
    signed_in(api, "pemilik", "admin")
    before = rows(api)
    first = api.ok(deploy_json(api), 201)
    assert first["created"] is True and first["definition_key"] == SOP_KEY
    assert first["version"]["version"] == 2
    event = last_event(api)
    assert event.type == "deployment_created"
    assert event.payload["content_hash"] == first["version"]["content_hash"]
    after_first = rows(api)
    again = api.ok(deploy_json(api, "admin"), 200)
    assert again["created"] is False and again["version"] == first["version"]
    assert rows(api) == after_first
    assert after_first["definition_versions"] == before["definition_versions"] + 1


def test_the_shipped_sop_is_the_existing_version_1(api):
    answer = api.ok(deploy_json(api, text=sop_text()), 200)
    assert answer["version"]["version"] == 1 and answer["created"] is False


def refused(api, answer, code: str, status: int = 400) -> dict:
    assert answer.status_code == status, answer.get_json()
    error = answer.get_json()["error"]
    assert error["code"] == code, error
    return error


def test_problems_are_400_naming_the_element_and_nothing_is_stored(api):
    signed_in(api, "pemilik")
    before = rows(api)
    error = refused(api, deploy_json(api, text=without_form_key(sop_text(3), "Task_06")),
                    "invalid_diagram")
    problem = next(p for p in error["details"]["problems"] if p["element_id"] == "Task_06")
    assert problem["rule"].startswith("alur/") and problem["text"] and problem["message"]
    assert rows(api) == {**before, "events": before["events"] + 1}
    event = last_event(api)
    assert event.type == "deployment_rejected" and event.actor_id is not None
    assert any(p["element_id"] == "Task_06" for p in event.payload["details"]["problems"])


def test_a_form_the_server_cannot_enforce_is_a_problem(api):
    signed_in(api, "pemilik")
    forms = {**sop_forms(), "peta": UNSUPPORTED_FORM}
    before = rows(api)
    error = refused(api, deploy_json(api, forms=forms), "invalid_diagram")
    assert any(p["rule"] == "alur/form-schema" and "'peta'" in p["message"]
               for p in error["details"]["problems"])
    assert rows(api) == {**before, "events": before["events"] + 1}


def test_a_diagram_of_another_process_is_refused_saying_so(api):
    signed_in(api, "pemilik")
    before = rows(api)
    error = refused(api, deploy_json(api, key="proses_lain"), "definition_key_mismatch")
    assert error["details"]["main_process_id"] == SOP_KEY
    assert "sop_pengelolaan_kinerja" in error["message"] and "proses_lain" in error["message"]
    assert rows(api) == {**before, "events": before["events"] + 1}


@pytest.mark.parametrize(("body", "code"), [
    ({"forms": {}}, "invalid_input"),
    ({"bpmn_xml": "<x/>", "forms": {}, "extra": 1}, "unknown_field"),
    ({"bpmn_xml": "not xml", "forms": {}}, "bpmn_malformed"),
    ({"bpmn_xml": "<a/>", "forms": {"../x": {}}}, "invalid_form_key"),
])
def test_a_bad_body_is_400(api, body, code):
    before = rows(api)
    answer = api.post("pemilik", VERSIONS, body)
    refused(api, answer, code)
    assert rows(api)["definition_versions"] == before["definition_versions"]


@pytest.mark.parametrize("username", ("kepala", "tim1", "pj.disdikbud", "auditor"))
def test_other_roles_get_403_and_nothing_changes(api, username):
    signed_in(api, username)
    before = rows(api)
    refused(api, deploy_json(api, username), "modeler_only", 403)
    refused(api, api.get(username, "/definitions"), "modeler_only", 403)
    refused(api, api.get(username, VERSIONS), "modeler_only", 403)
    assert rows(api) == before


def test_a_body_past_the_limit_is_413(api):
    signed_in(api, "pemilik")
    before = rows(api)
    big = sop_text(3).replace("</bpmn:definitions>",
                              "<!--" + "x" * (1024 * 1024) + "--></bpmn:definitions>")
    refused(api, deploy_json(api, text=big), "payload_too_large", 413)
    assert rows(api) == before


def test_a_diagram_past_the_bpmn_limit_is_413(api_template, tmp_path, monkeypatch):
    monkeypatch.setenv("ALUR_SECRET_KEY", "api-tests-only")
    monkeypatch.setenv("ALUR_MAX_BPMN_BYTES", "20000")  # the SOP is about 50 KB
    target = tmp_path / "small.sqlite3"
    with sqlite3.connect(api_template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    small = make_client(f"sqlite:///{target}")
    try:
        small.token("pemilik")
        before = rows(small)
        error = refused(small, deploy_json(small), "bpmn_too_large", 413)
        assert error["details"]["max_bytes"] == 20_000
        assert rows(small) == {**before, "events": before["events"] + 1}  # a refused deploy
    finally:
        close_client(small)


def test_multipart_with_form_files_deploys_too(api):
    files = [("bpmn", (io.BytesIO(sop_text(4).encode()), "sop.bpmn"))]
    for path in sorted(SOP_FORMS.glob("*.form.json")):
        files.append(("forms", (io.BytesIO(path.read_bytes()), path.name)))
    answer = api.post("pemilik", VERSIONS, data=MultiDict(files),
                      content_type="multipart/form-data")
    body = api.ok(answer, 201)
    assert body["version"]["version"] == 2 and body["version"]["filename"] == "sop.bpmn"
    with api.session_factory() as session:
        version = session.get(DefinitionVersion, body["version"]["id"])
        assert json.dumps(version.forms["laporan-akhir"], sort_keys=True) == json.dumps(
            sop_forms()["laporan-akhir"], sort_keys=True)
