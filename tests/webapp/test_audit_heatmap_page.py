"""The heatmap page (/audit/peta-panas/<version_id>): for audit readers only, readable
without JavaScript (tables, filters, version picker), with the diagram's data in a JSON
block for the page's script, and a friendly page for a bad filter.

The runs are those of tests/engine/services/test_heatmap.py (build_runs).
"""

from __future__ import annotations

import html
import json
import re

import pytest

from engine.db import unit_of_work
from tests.engine.services.test_heatmap import NOW, build_runs
from tests.support import deploy_sop, sop_forms

CONFIG = re.compile(r'<script type="application/json" id="heatmap-config">(.*?)</script>', re.S)


@pytest.fixture()
def version_id(web_app) -> int:
    web_app.config["NOW"] = NOW
    with unit_of_work(web_app.extensions["alur"].session_factory) as session:
        found = build_runs(session)
        session.commit()
    return found


def page(client, version_id: int, status: int = 200, **query) -> str:
    response = client.get(f"/audit/peta-panas/{version_id}", query_string=query)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def config_of(text: str) -> dict:
    return json.loads(CONFIG.search(text).group(1))


def rows_of(text: str) -> dict[str, str]:
    """element id -> band, from the table of all steps."""
    return dict(re.findall(r'data-testid="heatmap-row" data-element-id="(\w+)" '
                           r'data-band="(\w+)"', text))


def test_the_page_for_an_auditor(client, login, version_id):
    login("auditor")
    text = page(client, version_id)
    bands = rows_of(text)
    assert (bands["Task_01"], bands["Task_02"], bands["Task_10"], bands["Task_17c"]) == (
        "fast", "over", "late", "no_data")
    assert list(bands)[:3] == ["Task_01", "Task_02", "Task_03"]  # SOP order
    config = config_of(text)
    assert config["xml"].startswith("<?xml") and "Task_10" in config["xml"]
    assert config["activities"]["Task_10"]["band"] == "late"
    assert "n=3" in config["activities"]["Task_10"]["text"]
    assert "HK" in config["activities"]["Task_01"]["text"]
    assert [p["participant_id"] for p in config["pools"]][0] == "Participant_Main"
    assert config["calls"]["Call_Periode"] == "Participant_Periode"
    assert 'data-testid="heatmap-legend"' in text and text.count('data-band="') >= 6
    slowest = text[text.index('data-testid="slowest"'):]
    assert slowest.index('data-element-id="Task_10"') < slowest.index('data-element-id="Task_02"')
    opds = text[text.index('data-testid="late-opds"'):]
    assert opds.index('data-opd="DINKES"') < opds.index('data-opd="DISDIKBUD"')


def test_only_json_in_inline_scripts(client, login, version_id):
    login("auditor")
    text = page(client, version_id)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", text)
    assert inline and all('type="application/json"' in attrs for attrs in inline)
    assert " style=" not in text


@pytest.mark.parametrize("username", ["admin", "kepala"])
def test_other_audit_readers(client, login, version_id, username):
    login(username)
    assert rows_of(page(client, version_id))["Task_01"] == "fast"


@pytest.mark.parametrize("username", ["tim1", "pj.dinkes", "pemilik"])
def test_others_are_refused(client, login, version_id, username):
    login(username)
    page(client, version_id, 403)


def test_signing_in_is_needed(client, version_id):
    response = client.get(f"/audit/peta-panas/{version_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_filter_by_opd(client, login, version_id):
    login("auditor")
    text = page(client, version_id, opd="DINKES")
    bands = rows_of(text)
    assert (bands["Task_01"], bands["Task_10"], bands["Task_11"]) == ("no_data", "late", "late")
    assert '<option value="DINKES" selected>' in text
    assert 'data-testid="opd-note"' in text and 'data-testid="filter-clear"' in text


def test_filter_by_period(client, login, version_id):
    login("auditor")
    text = page(client, version_id, periode="1")
    bands = rows_of(text)
    assert (bands["Task_01"], bands["Task_11"]) == ("no_data", "on_time")
    assert '<option value="1" selected>' in text
    empty = rows_of(page(client, version_id, periode="", opd=""))
    assert empty["Task_01"] == "fast"


@pytest.mark.parametrize("query", [{"periode": "satu"}, {"periode": "-1"},
                                   {"opd": "NOPE"}, {"opd": "x" * 40}])
def test_a_bad_filter_is_a_friendly_page(client, login, version_id, query):
    login("auditor")
    text = page(client, version_id, 400, **query)
    assert "<html" in text and "Traceback" not in text


def test_an_unknown_version(client, login, version_id):
    login("auditor")
    page(client, 987654, 404)


def test_the_version_picker(client, login, web_app, version_id):
    forms = sop_forms()
    labelled = next(c for c in forms["perencanaan-tujuan"]["components"] if "label" in c)
    labelled["label"] += " (revisi)"
    with unit_of_work(web_app.extensions["alur"].session_factory) as session:
        newer = deploy_sop(session, NOW, forms=forms).id
        session.commit()
    login("auditor")
    text = page(client, version_id)
    picker = text[text.index('data-testid="version-picker"'):]
    picker = picker[:picker.index("</nav>")]
    assert f'href="/audit/peta-panas/{newer}"' in picker
    assert html.unescape(picker).count('aria-current="page"') == 1
    assert f'href="/audit/peta-panas/{version_id}" aria-current="page"' in picker
    other = page(client, newer)
    assert 'data-testid="slowest-empty"' in other and rows_of(other)["Task_01"] == "no_data"
