"""The diff page, its data and the diff API (webapp/modeler/diffs.py, webapp/api/diffs.py).

Version 2 is the shipped SOP with row 6's Waktu 2 -> 3 working days and one label of the
socialisation form changed (tests/engine/services/test_diffs.py), deployed through the
same deploy_diagram as the CLI, in each test's own database.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from engine.db import unit_of_work
from engine.models import DefinitionVersion, User
from engine.services import deployments, processdrafts
from tests.conftest import T0
from tests.engine.services.test_diffs import NEW_LABEL, OLD_LABEL, changed_sop
from tests.support import SOP_BPMN, SOP_KEY, SOP_LANE_ROLES
from tests.webapp.api_support import api_fixture, api_template_fixture  # noqa: F401

PAGE = "/pemodel/beda"
DATA = "/pemodel/beda/data"
OTHERS = ("tim1", "kepala", "pj.disdikbud", "auditor")
JSON = {"Accept": "application/json"}


def deploy_version_2(factory) -> None:
    data, forms = changed_sop()
    with unit_of_work(factory) as session:
        deployments.deploy_diagram(session, data, filename=SOP_BPMN.name, forms=forms,
                                   lane_roles=deployments.load_lane_roles(SOP_LANE_ROLES),
                                   now=T0)
        session.commit()


@pytest.fixture()
def two_versions(web_app):
    deploy_version_2(web_app.extensions["alur"].session_factory)
    return web_app


def changes_on(html: str) -> list[tuple[str, str]]:
    """(kind, element id) of each change the page lists, in order."""
    return re.findall(r'data-testid="diff-change" data-kind="(\w+)" data-element-id="(\w+)"',
                      html)


def version_count(factory) -> int:
    with unit_of_work(factory) as session:
        return session.scalar(select(func.count()).select_from(DefinitionVersion))


# ---- the page ----------------------------------------------------------------------------

def test_the_page_lists_exactly_the_edit(client, login, two_versions):
    login("pemilik")
    response = client.get(PAGE, query_string={"definisi": SOP_KEY, "dari": 1, "ke": 2})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert changes_on(html) == [("changed", "Task_06"), ("changed", "Task_09")]
    texts = re.findall(r'data-testid="diff-change-text">([^<]*)<', html)
    assert "2 → 3" in texts[0] and "laporan-sosialisasi" in texts[1]
    assert "“" + OLD_LABEL + "”" in texts[1].replace("&#34;", '"')
    assert NEW_LABEL in texts[1]
    assert 'data-testid="diff-layout"' not in html  # nothing only moved


def test_the_page_has_no_inline_script_and_hands_its_config_as_json(client, login,
                                                                    two_versions):
    login("admin")
    html = client.get(PAGE, query_string={"definisi": SOP_KEY}).get_data(as_text=True)
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="' in tag or 'type="application/json"' in tag, tag
    block = re.search(r'<script type="application/json" id="diff-config">(.*?)</script>', html,
                      re.S).group(1)
    config = json.loads(block)
    assert config["dataUrl"].startswith(DATA)
    assert config["definitions"] == [{"key": SOP_KEY, "name": "SOP Pengelolaan Kinerja",
                                      "versions": [1, 2]}]
    assert 'style="' not in html


def test_a_process_alone_compares_its_two_newest_versions(client, login, two_versions):
    login("pemilik")
    html = client.get(PAGE, query_string={"definisi": SOP_KEY}).get_data(as_text=True)
    assert changes_on(html) == [("changed", "Task_06"), ("changed", "Task_09")]
    assert re.search(r'<option value="1" selected>1</option>', html)
    assert re.search(r'<option value="2" selected>2</option>', html)


def test_without_a_choice_the_page_offers_the_pickers(client, login, two_versions):
    login("pemilik")
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="diff-picker"' in html and 'data-testid="diff-change"' not in html


def test_moving_a_shape_is_listed_apart_as_layout(client, login, web_app):
    xml = SOP_BPMN.read_text(encoding="utf-8").replace(
        '<dc:Bounds x="1510" y="350" width="100" height="80"/>',
        '<dc:Bounds x="1530" y="350" width="100" height="80"/>')
    with unit_of_work(web_app.extensions["alur"].session_factory) as session:
        deployments.deploy_diagram(session, xml.encode(), filename="sop.bpmn",
                                   forms=changed_sop()[1],
                                   lane_roles=deployments.load_lane_roles(SOP_LANE_ROLES),
                                   now=T0)
        session.commit()
    login("pemilik")
    html = client.get(PAGE, query_string={"definisi": SOP_KEY}).get_data(as_text=True)
    assert changes_on(html) == [("changed", "Task_09"), ("layout", "Task_08")]
    assert 'data-testid="diff-layout"' in html


def test_a_draft_is_compared_with_its_base(client, login, web_app):
    factory = web_app.extensions["alur"].session_factory
    with unit_of_work(factory) as session:
        owner = session.scalars(select(User).where(User.username == "pemilik")).one()
        base = session.scalars(select(DefinitionVersion)).one()
        draft = processdrafts.create_from_version(session, owner, base.id, T0)
        data, forms = changed_sop()
        draft.bpmn_xml, draft.forms = data.decode(), forms
        session.commit()
        draft_id = draft.id
    login("pemilik")
    response = client.get(PAGE, query_string={"draf": draft_id})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert changes_on(html) == [("changed", "Task_06"), ("changed", "Task_09")]
    assert 'data-testid="diff-draft-note"' in html
    data = client.get(DATA, query_string={"draf": draft_id}, headers=JSON).get_json()
    assert (data["from"]["kind"], data["to"]["kind"], data["to"]["id"]) == (
        "version", "draft", draft_id)
    assert client.get(PAGE, query_string={"draf": draft_id + 99}).status_code == 404


def test_the_data_holds_both_diagrams_and_the_changes(client, login, two_versions):
    login("pemilik")
    response = client.get(DATA, query_string={"definisi": SOP_KEY, "dari": 1, "ke": 2},
                          headers=JSON)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"definition", "from", "to", "changes", "oldXml", "newXml"}
    assert body["oldXml"] == SOP_BPMN.read_text(encoding="utf-8")
    assert 'name="waktu_hari_kerja" value="3"' in body["newXml"]
    assert [(c["element_id"], c["kind"]) for c in body["changes"]] == [
        ("Task_06", "changed"), ("Task_09", "changed")]
    assert all(c["text"] for c in body["changes"])
    assert body["from"]["deployed_at"].startswith("2026-01-05T02:00")


@pytest.mark.parametrize("username", OTHERS)
def test_other_roles_may_not_open_the_page_or_its_data(client, login, two_versions, username):
    login(username)
    assert client.get(PAGE, query_string={"definisi": SOP_KEY}).status_code == 403
    response = client.get(DATA, query_string={"definisi": SOP_KEY}, headers=JSON)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "modeler_only"


def test_signing_in_comes_first(client, two_versions):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(("query", "status", "code"), [
    ({"definisi": SOP_KEY, "dari": "abc"}, 400, "invalid_parameter"),
    ({"definisi": SOP_KEY, "ke": "0"}, 400, "invalid_parameter"),
    ({"definisi": SOP_KEY, "dari": "-1"}, 400, "invalid_parameter"),
    ({"definisi": SOP_KEY, "dari": "99999999999"}, 400, "invalid_parameter"),
    ({"definisi": SOP_KEY, "draf": "1"}, 400, "invalid_parameter"),
    ({"draf": "x"}, 400, "invalid_parameter"),
    ({"definisi": "tidak_ada"}, 404, "definition_not_found"),
    ({"definisi": SOP_KEY, "dari": 1, "ke": 9}, 404, "version_not_found"),
    ({}, 400, "invalid_parameter"),
])
def test_bad_queries_are_specific_errors(client, login, two_versions, query, status, code):
    login("pemilik")
    before = version_count(two_versions.extensions["alur"].session_factory)
    response = client.get(DATA, query_string=query, headers=JSON)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    if query:  # the page answers the same, as a page
        assert client.get(PAGE, query_string=query).status_code == status
    assert version_count(two_versions.extensions["alur"].session_factory) == before


# ---- the API -----------------------------------------------------------------------------

@pytest.fixture()
def api_two(api):
    deploy_version_2(api.session_factory)
    return api


def test_the_api_answers_the_same_changes(api_two):
    body = api_two.ok(api_two.get("pemilik", f"/definitions/{SOP_KEY}/diff", **{"from": 1,
                                                                              "to": 2}))
    assert set(body) == {"definition", "from", "to", "changes"}
    assert body["definition"] == {"key": SOP_KEY, "name": "SOP Pengelolaan Kinerja"}
    assert (body["from"]["version"], body["to"]["version"]) == (1, 2)
    assert [(c["kind"], c["element_id"], c["subject"], c["before"], c["after"])
            for c in body["changes"]] == [
        ("changed", "Task_06", "property:waktu_hari_kerja", "2", "3"),
        ("changed", "Task_09", "field.label", OLD_LABEL, NEW_LABEL)]
    assert "2 → 3" in body["changes"][0]["text"]
    assert body["changes"][0]["engine"] is True
    assert isinstance(body["to"]["deployed_at"], str)


def test_the_api_lets_admins_in_too(api_two):
    body = api_two.ok(api_two.get("admin", f"/definitions/{SOP_KEY}/diff", **{"from": 2,
                                                                            "to": 1}))
    assert [c["after"] for c in body["changes"]] == ["2", OLD_LABEL]


@pytest.mark.parametrize("username", OTHERS)
def test_the_api_refuses_other_roles_whatever_they_ask(api_two, username):
    for params in ({"from": 1, "to": 2}, {"from": "x"}):
        response = api_two.get(username, f"/definitions/{SOP_KEY}/diff", **params)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "modeler_only"


def test_the_api_needs_a_token(api_two):
    response = api_two.get(None, f"/definitions/{SOP_KEY}/diff", **{"from": 1, "to": 2})
    assert response.status_code == 401


@pytest.mark.parametrize(("key", "params", "status", "code"), [
    (SOP_KEY, {"to": 2}, 400, "invalid_parameter"),
    (SOP_KEY, {"from": "satu", "to": 2}, 400, "invalid_parameter"),
    (SOP_KEY, {"from": 0, "to": 2}, 400, "invalid_parameter"),
    (SOP_KEY, {"from": 1, "to": 2, "extra": 1}, 400, "unknown_parameter"),
    ("tidak_ada", {"from": 1, "to": 2}, 404, "definition_not_found"),
    (SOP_KEY, {"from": 1, "to": 3}, 404, "version_not_found"),
])
def test_the_api_refuses_bad_requests(api_two, key, params, status, code):
    before = version_count(api_two.session_factory)
    response = api_two.get("pemilik", f"/definitions/{key}/diff", **params)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    assert version_count(api_two.session_factory) == before
