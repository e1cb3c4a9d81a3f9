"""Refused deploys: every invalid diagram of tests/fixtures/invalid and the hostile set of
../shared/conformance/hostile is refused with its rule (or whole-file code), stores no
definition, no version and no event but the `deployment_rejected` one; and the problems
read well in the reader's language (webapp.modeler.problems)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from flask_babel import gettext
from sqlalchemy import func, select

from engine.errors import DomainError
from engine.events import EventType
from engine.forms import load_forms
from engine.models import Definition, DefinitionVersion, Event
from engine.runtime import runtime_of
from engine.services import deployments
from tests.conftest import SHARED
from tests.support import ROOT, SOP_BPMN, SOP_LANE_ROLES
from tests.webapp.api_support import api_fixture, api_template_fixture  # noqa: F401
from webapp.modeler.problems import STEP, element_label, localize

INVALID = ROOT / "tests" / "fixtures" / "invalid"
EXPECTED: dict[str, dict] = json.loads((INVALID / "expected.json").read_text())
CONTOH_DIR = ROOT / "tests" / "fixtures" / "lint" / "forms"
HOSTILE_DIR = SHARED / "conformance" / "hostile"
HOSTILE = {
    "xxe-external-entity.bpmn": ("bpmn_doctype_forbidden", set()),
    "billion-laughs.bpmn": ("bpmn_doctype_forbidden", set()),
    "script-injection.bpmn": ("invalid_diagram", {
        ("alur/no-script", "evil_script"), ("alur/expression-grammar", "f_evil"),
        ("alur/expression-grammar", "f_evil2")}),
}
PROCESS_ID = re.compile(rb'<(?:bpmn:)?process id="([^"]+)"')


def forms_for(name: str) -> tuple[Path, dict]:
    folder = INVALID / EXPECTED[name]["forms"] if "forms" in EXPECTED[name] else CONTOH_DIR
    forms = {path.name[: -len(".form.json")]: json.loads(path.read_text())
             for path in folder.glob("*.form.json")}
    return folder, forms


def oversize(limit: int) -> bytes:
    return SOP_BPMN.read_bytes() + b"<!--" + b" " * limit + b"-->"


def counts(session) -> tuple[int, int, int]:
    return tuple(session.scalar(select(func.count()).select_from(model))
                 for model in (Definition, DefinitionVersion, Event))


def problem_set(error: DomainError) -> set[tuple[str, str | None]]:
    problems = (error.details or {}).get("problems", [])
    return {(p["rule"], p["element_id"]) for p in problems}


# ---- through the engine: what the CLI, the API and the editor all call -----------------

def refuse(session, now, data: bytes, filename: str, forms: dict) -> DomainError:
    """Deploy, expect a refusal, log it as every caller does; only that event is new."""
    before = counts(session)
    with pytest.raises(DomainError) as refused:
        deployments.deploy_diagram(
            session, data, filename=filename, forms=forms,
            lane_roles=deployments.load_lane_roles(SOP_LANE_ROLES), now=now,
        )
    assert counts(session) == before
    deployments.record_rejected_deploy(session, filename=filename, data=data,
                                       error=refused.value, now=now)
    assert counts(session) == (before[0], before[1], before[2] + 1)
    latest = session.scalars(select(Event).order_by(Event.seq.desc()).limit(1)).one()
    assert latest.type == EventType.DEPLOYMENT_REJECTED
    assert latest.payload["code"] == refused.value.code
    return refused.value


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_invalid_diagram_is_refused_with_its_rule(session, now, name):
    error = refuse(session, now, (INVALID / name).read_bytes(), name, forms_for(name)[1])
    assert error.code == EXPECTED[name]["code"]
    assert problem_set(error) == {tuple(p) for p in EXPECTED[name]["problems"]}


def test_an_oversize_diagram_is_refused_before_parsing(session, now):
    limit = runtime_of(session).settings.max_bpmn_bytes
    error = refuse(session, now, oversize(limit), "besar.bpmn", load_forms(CONTOH_DIR))
    assert (error.code, error.status) == ("bpmn_too_large", 413)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_diagram_is_refused(session, now, name):
    if not HOSTILE_DIR.is_dir():
        pytest.skip(f"../shared is not beside the clone ({HOSTILE_DIR} missing)")
    error = refuse(session, now, (HOSTILE_DIR / name).read_bytes(), name, {})
    code, problems = HOSTILE[name]
    assert error.code == code
    assert problems <= problem_set(error)


# ---- through the API: POST /api/v1/definitions/<key>/versions as `pemilik` --------------

def api_counts(api) -> tuple[int, int, int]:
    with api.session_factory() as session:
        return counts(session)


def events_since(api, count: int) -> list[str]:
    with api.session_factory() as session:
        return list(session.scalars(select(Event.type).order_by(Event.seq).offset(count)))


def deploy_over_api(api, data: bytes, filename: str, forms_dir: Path, *, multipart: bool):
    """The diagram and its forms as JSON ({"bpmn_xml", "forms"}) or as multipart files, to
    the definition its (first) process names."""
    found = PROCESS_ID.search(data)
    url = f"/definitions/{found.group(1).decode() if found else 'proses_contoh'}/versions"
    if multipart:
        files = {"bpmn": (io.BytesIO(data), filename),
                 "forms": [(io.BytesIO(path.read_bytes()), path.name)
                           for path in sorted(forms_dir.glob("*.form.json"))]}
        return api.post("pemilik", url, data=files, content_type="multipart/form-data")
    forms = {path.name[: -len(".form.json")]: json.loads(path.read_text())
             for path in forms_dir.glob("*.form.json")}
    body = {"bpmn_xml": data.decode("utf-8"), "forms": forms, "filename": filename}
    return api.post("pemilik", url, body)


def assert_refused_over_api(api, data: bytes, filename: str, forms_dir: Path, status: int,
                            code: str, *, multipart: bool = False) -> dict:
    api.token("pemilik")  # signing in is an event of its own: not part of the deploy
    before = api_counts(api)
    response = deploy_over_api(api, data, filename, forms_dir, multipart=multipart)
    body = response.get_json()
    assert response.status_code == status, body
    assert body["error"]["code"] == code
    assert api_counts(api)[:2] == before[:2]
    assert events_since(api, before[2]) == [EventType.DEPLOYMENT_REJECTED]
    return body


TEXT_FILES = sorted(name for name in EXPECTED if EXPECTED[name]["code"] != "bpmn_not_utf8")


@pytest.mark.parametrize("name", TEXT_FILES)
def test_the_api_refuses_an_invalid_diagram_with_its_problems(api, name):
    body = assert_refused_over_api(api, (INVALID / name).read_bytes(), name, forms_for(name)[0],
                                   400, EXPECTED[name]["code"])
    problems = (body["error"].get("details") or {}).get("problems", [])
    assert all(p["message"] and p["text"] for p in problems)
    if not EXPECTED[name]["problems"]:  # a whole-file refusal: its code says it all
        assert all(p["element_id"] is None for p in problems)
        return
    assert {(p["rule"], p["element_id"]) for p in problems} == {
        tuple(p) for p in EXPECTED[name]["problems"]}


@pytest.mark.parametrize("name", ["utf16.bpmn", "form-with-unknown-component.bpmn"])
def test_the_api_refuses_an_invalid_upload_sent_as_files(api, name):
    body = assert_refused_over_api(api, (INVALID / name).read_bytes(), name, forms_for(name)[0],
                                   400, EXPECTED[name]["code"], multipart=True)
    problems = (body["error"].get("details") or {}).get("problems", [])
    expected = {tuple(p) for p in EXPECTED[name]["problems"]}
    assert {(p["rule"], p["element_id"]) for p in problems if expected} == expected


def test_the_api_refuses_an_oversize_diagram(api):
    with api.session_factory() as session:
        limit = runtime_of(session).settings.max_bpmn_bytes
    api.token("pemilik")
    before = api_counts(api)
    response = deploy_over_api(api, oversize(limit), "besar.bpmn", CONTOH_DIR, multipart=True)
    assert response.status_code == 413, response.get_json()
    # whichever limit is smaller answers: the API's body limit or the diagram's own
    assert response.get_json()["error"]["code"] in ("payload_too_large", "bpmn_too_large")
    assert api_counts(api)[:2] == before[:2]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_api_refuses_a_hostile_diagram(api, name):
    if not HOSTILE_DIR.is_dir():
        pytest.skip(f"../shared is not beside the clone ({HOSTILE_DIR} missing)")
    assert_refused_over_api(api, (HOSTILE_DIR / name).read_bytes(), name, CONTOH_DIR, 400,
                            HOSTILE[name][0])


def test_the_api_deploys_a_valid_diagram_once(api):
    data = (ROOT / "tests" / "fixtures" / "lint" / "pass" / "minimal.bpmn").read_bytes()
    first = deploy_over_api(api, data, "contoh.bpmn", CONTOH_DIR, multipart=False)
    assert first.status_code == 201, first.get_json()
    again = deploy_over_api(api, data, "contoh.bpmn", CONTOH_DIR, multipart=False)
    assert (again.status_code, again.get_json()["created"]) == (200, False)


# ---- in the reader's language -------------------------------------------------------------

def refusal_problems(session, now, name: str) -> list[dict]:
    return refuse(session, now, (INVALID / name).read_bytes(), name,
                  forms_for(name)[1]).details["problems"]


def test_problems_read_in_indonesian_by_default(web_app, session, now):
    waktu = refusal_problems(session, now, "waktu-zero.bpmn")
    lane = refusal_problems(session, now, "lane-without-role.bpmn")
    with web_app.test_request_context("/"):
        assert gettext(STEP) != STEP  # the Indonesian catalog has the lint's sentences
        [text] = [p["text"] for p in localize(waktu)]
        assert text.startswith("Langkah 1 “Menyusun usulan”: waktu (waktu_hari_kerja) harus")
        assert "“0”" in text
        texts = {p["element_id"]: p["text"] for p in localize(lane)}
        assert texts["Lane_Kepala"].startswith("Lajur “Pelaksana” belum memiliki peran")
        assert "lajur “Pelaksana”" in texts["Task_B"]


def test_every_refusal_reads_as_a_sentence_naming_the_element(web_app, session, now):
    names = [name for name, case in EXPECTED.items() if case["problems"]]
    problems = [p for name in names for p in refusal_problems(session, now, name)]
    with web_app.test_request_context("/"):
        for problem in localize(problems):
            assert problem["text"] and problem["text"] != problem["message"]
            assert "%(" not in problem["text"]
            if problem["rule"] != "alur/executable":  # the whole diagram: no element named
                assert element_label(problem) in problem["text"]


def test_an_unknown_rule_falls_back_to_a_generic_sentence(web_app):
    problem = {"element_id": "Task_X", "rule": "alur/masa-depan", "message": "something new",
               "params": {"kind": "userTask", "name": "Tugas baru"}}
    with web_app.test_request_context("/"):
        [shown] = localize([problem])
    assert "something new" in shown["text"] and "Tugas baru" in shown["text"]
    assert {k: shown[k] for k in problem} == problem
