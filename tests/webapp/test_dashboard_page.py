"""The dashboard page (/laporan/dasbor) over HTTP: who may open it and see its link, the
charts' JSON block equal to the tables beside them (the screen reader's version of each
chart), the run selector, lenient reading of the address, and no inline script."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from engine.models import ProcessInstance
from tests.conftest import T0
from tests.engine.services.achievement_support import plan, report_period
from tests.support import complete_all, run_rows
from tests.webapp.inbox_support import app_session, squash, start_run, text_of

PAGE = "/laporan/dasbor"
DATA = re.compile(r'<script type="application/json" id="dashboard-data">(.*?)</script>', re.S)


@pytest.fixture()
def reported(web_app) -> int:
    """A run reported by two OPDs over two quarters (both on time); the clock is then
    moved to the second report's day."""
    instance_id = start_run(web_app)
    with app_session(web_app) as session:
        plan(session, instance_id, T0)
    with app_session(web_app) as session:
        instance = session.get(ProcessInstance, instance_id)
        _, later = report_period(session, instance, 1, T0)
        run_rows(session, instance_id, ["Task_13", "Task_14", "Task_15", "Task_16"], later)
        complete_all(session, instance_id, "Task_17", later, keputusan_periode="b",
                     akhir_periode="2026-06-30")
        _, later = report_period(session, instance, 2, later)
    web_app.config["NOW"] = later + timedelta(hours=1)
    return instance_id


def data_of(html: str) -> dict:
    return json.loads(DATA.search(html).group(1))


def table(html: str, testid: str) -> list[list[str]]:
    """The body rows of a table, each as the texts of its header and data cells."""
    body = re.search(rf'data-testid="{testid}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [[squash(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


@pytest.mark.parametrize("username", ["kepala", "tim1", "admin", "auditor"])
def test_overseers_open_the_page_from_the_header(client, login, reported, username):
    login(username)
    home = text_of(client.get("/"))
    assert 'data-testid="nav-dashboard"' in home
    response = client.get(PAGE)
    html = text_of(response)
    assert response.status_code == 200
    assert 'aria-current="page" data-testid="nav-dashboard"' in html
    assert 'data-testid="chart-achievement"' in html and 'data-testid="chart-discipline"' in html


def test_a_pj_kinerja_has_no_link_and_is_refused(client, login, reported):
    login("pj.dinkes")
    assert 'data-testid="nav-dashboard"' not in text_of(client.get("/"))
    response = client.get(PAGE)
    assert response.status_code == 403
    assert "dashboard-data" not in text_of(response)


def test_signing_in_comes_first(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_achievement_table_says_what_the_chart_draws(client, login, reported):
    login("kepala")
    html = text_of(client.get(f"{PAGE}?run={reported}"))
    chart = data_of(html)["achievement"]
    assert len(chart["labels"]) == 2 and chart["labels"][1].endswith(" 2")
    rows = table(html, "achievement-table")
    assert len(rows) == len(chart["datasets"]) == 11
    for row, dataset in zip(rows, chart["datasets"], strict=True):
        assert row[0] == dataset["label"]
        cells = [(text + " " + label).strip()
                 for text, label in zip(dataset["text"], dataset["periodLabels"], strict=True)]
        assert row[1:] == cells
    iku01 = next(d for d in chart["datasets"] if d["code"] == "IKU-01")
    assert (iku01["data"], iku01["text"]) == ([62.5, 107.14], ["62,50%", "107,14%"])
    iku04 = next(d for d in chart["datasets"] if d["code"] == "IKU-04")
    assert iku04["data"][0] is None  # 0 of 0 packages: no point drawn, words in the table


def test_the_discipline_table_says_what_the_bars_draw(client, login, reported):
    login("kepala")
    html = text_of(client.get(f"{PAGE}?run={reported}"))
    chart = data_of(html)["discipline"]
    rows = table(html, "discipline-table")
    assert [row[0] for row in rows] == chart["labels"]
    for index, row in enumerate(rows):
        assert row[1:] == [str(d["data"][index]) for d in chart["datasets"]]
    on_time = next(d for d in chart["datasets"] if d["state"] == "tepat_waktu")
    assert on_time["data"] == [2, 2]
    per_opd = table(html, "discipline-opd-table")
    assert [row[0] for row in per_opd] == ["Dinas Kesehatan",
                                           "Dinas Pekerjaan Umum dan Penataan Ruang"]


def test_the_running_runs_and_the_due_tasks_are_listed(web_app, client, login, reported):
    fresh = start_run(web_app)
    login("tim1")
    html = text_of(client.get(PAGE))
    assert html.count('data-testid="run-row"') == 2
    assert f'data-run-id="{fresh}"' in html
    # the fresh run is the default choice: it has no report yet
    assert 'data-testid="no-achievement"' in html and 'data-testid="no-discipline"' in html
    assert DATA.search(html) is not None
    due = table(html, "due-table")
    assert due and all(len(row) == 3 for row in due)


def test_the_address_is_read_leniently_and_an_unknown_run_is_not_found(client, login, reported):
    login("kepala")
    assert client.get(f"{PAGE}?hari=9&run=abc").status_code == 200
    html = text_of(client.get(f"{PAGE}?hari=1"))
    assert re.search(r'<option value="1" selected>', html)
    assert client.get(f"{PAGE}?run=999999").status_code == 404


def test_no_inline_script_and_the_csp_header(client, login, reported):
    login("kepala")
    response = client.get(PAGE)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    for tag in re.findall(r"<script[^>]*>", text_of(response)):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in text_of(response)


def test_an_empty_database_shows_empty_states(client, login):
    login("kepala")
    html = text_of(client.get(PAGE))
    assert 'data-testid="run-row"' not in html
    data = data_of(html)
    assert (data["achievement"]["labels"], data["achievement"]["datasets"]) == ([], [])
    assert data["discipline"]["labels"] == []
    assert 'data-testid="chart-achievement"' not in html
