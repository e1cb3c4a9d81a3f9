"""Diagrams that must not take the server down (issue 8), as the CLI, the API and the pages
answer them: a refused deploy exits non-zero naming the element; a step that passes one of
the settings' bounds is a 422 with a message, changes nothing, and the run then says why.

The bounds are made tight through the settings' ALUR_* variables, so the shipped SOP hits
them: row 9 opens one row 10 per OPD taking part (three in the sample answers).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from flask_babel import gettext
from lxml import etree

from engine.bpmn.limits import LOOP_TOO_LARGE, TOO_MANY_STEPS
from tests.conftest import isolated_database
from tests.support import PLANNING, SOP_BPMN, SOP_LANE_ROLES, answers
from tests.webapp.api_support import (
    ApiClient,
    api_template_fixture,  # noqa: F401 - registers the fixture
    close_client,
    find_open,
    make_client,
    run_rows_over_api,
    start_instance,
)
from tests.webapp.inbox_support import (
    open_task_id,
    post_form,
    run_rows_through_services,
    snapshot,
    squash,
    start_run,
    text_of,
)
from webapp import create_app

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ROW_9 = {"ringkasan_sosialisasi": "Sosialisasi terlaksana", "jumlah_peserta": "12",
         "frekuensi_pelaporan": "bulanan", "akhir_periode": "2026-01-31"}


@pytest.fixture()
def loop_cap(monkeypatch):
    monkeypatch.setenv("ALUR_MAX_LOOP_CARDINALITY", "2")


@pytest.fixture()
def web_app(loop_cap, web_app):
    """The pages' app (tests/webapp/conftest.py), built with the loop cap set."""
    return web_app


@pytest.fixture()
def api(loop_cap, api_template, tmp_path, monkeypatch) -> Iterator[ApiClient]:
    yield from api_client(api_template, tmp_path, monkeypatch)


@pytest.fixture()
def steps_api(api_template, tmp_path, monkeypatch) -> Iterator[ApiClient]:
    """A second app over the same database whose bound lets no automatic step come round
    at all (the SOP never loops, so nothing else reaches the default): the last OPD's row
    10, which opens the first period, is stopped there as a real loop would be."""
    clients = api_client(api_template, tmp_path, monkeypatch)
    default = next(clients)
    monkeypatch.setenv("ALUR_MAX_ENGINE_STEPS", "0")
    strict = make_client(f"sqlite:///{tmp_path / 'api.sqlite3'}")
    yield default, strict
    close_client(strict)
    next(clients, None)


def api_client(api_template, tmp_path, monkeypatch) -> Iterator[ApiClient]:
    monkeypatch.setenv("ALUR_SECRET_KEY", "api-tests-only")
    target = tmp_path / "api.sqlite3"
    with sqlite3.connect(api_template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    client = make_client(f"sqlite:///{target}")
    yield client
    close_client(client)


def translated(app, msgid: str) -> str:
    with app.test_request_context():
        return gettext(msgid)


def test_the_api_answers_422_changes_nothing_and_the_run_says_why(api):
    instance_id = start_instance(api)["id"]
    run_rows_over_api(api, instance_id, *PLANNING[:-1])
    [(username, task)] = find_open(api, instance_id, "Task_09")
    before = api.counts()
    refused = api.post(username, f"/tasks/{task['id']}/complete",
                       {k: v for k, v in ROW_9.items() if k != "jumlah_peserta"})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "loop_cardinality_exceeded"
    assert error["message"] == LOOP_TOO_LARGE
    assert error["details"] == {"count": 3, "limit": 2, "element_id": "Task_10",
                                "element_name": "10. Memetakan paket per area strategis"}
    assert api.counts() == before
    assert find_open(api, instance_id, "Task_09") == [(username, task)]
    shown = api.ok(api.get("tim1", f"/instances/{instance_id}"))["error"]
    assert shown["reason"] == LOOP_TOO_LARGE and shown["message"] is None
    assert shown["failed_attempts"] == 1
    for_admin = api.ok(api.get("admin", f"/instances/{instance_id}"))["error"]
    assert for_admin["message"].startswith("loop_cardinality_exceeded: ")


def test_too_many_steps_in_one_request_is_a_422_and_the_run_says_why(steps_api):
    api, strict = steps_api
    instance_id = start_instance(api)["id"]
    run_rows_over_api(api, instance_id, *PLANNING)
    pending = find_open(api, instance_id, "Task_10")
    for username, task in pending[:-1]:
        api.ok(api.post(username, f"/tasks/{task['id']}/complete", answers(task["form_key"])))
    username, task = pending[-1]
    strict.token(username)  # its sign-in is an audit event of its own, before the count
    before = api.counts()
    refused = strict.post(username, f"/tasks/{task['id']}/complete", answers(task["form_key"]))
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "engine_steps_exceeded"
    assert refused.get_json()["error"]["message"] == TOO_MANY_STEPS
    assert api.counts() == before
    shown = api.ok(api.get("kepala", f"/instances/{instance_id}"))
    assert shown["status"] == "running"
    assert shown["error"]["reason"] == TOO_MANY_STEPS and shown["error"]["message"] is None


def test_the_page_shows_the_message_and_the_run_page_says_why(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING[:-1])
    task_id = open_task_id(web_app, instance_id, "Task_09")
    login("tim1")  # signing in is an audit event of its own
    before = snapshot(web_app)
    response = post_form(client, f"/tasks/{task_id}", ROW_9)
    assert response.status_code == 422
    message = translated(web_app, LOOP_TOO_LARGE)
    assert message in text_of(response)
    # the form comes back with what was typed, the reason in the summary above it
    assert ">Sosialisasi terlaksana</textarea>" in text_of(response)
    assert 'value="12"' in text_of(response)
    assert 'data-error-summary' in text_of(response)
    assert snapshot(web_app) == before
    run_page = squash(text_of(client.get(f"/instances/{instance_id}")))
    assert message in run_page
    assert translated(web_app, "A step of this run was stopped") in run_page
    assert "loop_cardinality_exceeded" not in run_page  # the technical text is for admins


def huge_loop_at_row_10() -> bytes:
    root = etree.fromstring(SOP_BPMN.read_bytes())
    loop = root.xpath("//*[@id='Task_10']/bpmn:multiInstanceLoopCharacteristics",
                      namespaces={"bpmn": BPMN})[0]
    count = etree.Element(f"{{{BPMN}}}loopCardinality")
    count.text = "1000000000"
    loop.replace(loop.find(f"{{{BPMN}}}loopDataInputRef"), count)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_flask_alur_deploy_refuses_a_huge_loop_naming_the_task(database_url, tmp_path):
    app = create_app({"DATABASE_URL": isolated_database(database_url, "bounds_cli", tmp_path),
                      "TESTING": True})
    target = tmp_path / "sop-huge-loop.bpmn"
    target.write_bytes(huge_loop_at_row_10())
    (tmp_path / "lane-roles.toml").write_text(SOP_LANE_ROLES.read_text())
    result = app.test_cli_runner().invoke(args=["alur", "deploy", str(target)])
    assert result.exit_code == 1
    assert ("  - Task_10: userTask '10. Memetakan paket per area strategis': loopCardinality "
            "1000000000 is more than the 200 copies allowed") in result.output
    app.extensions["alur"].engine.dispose()
