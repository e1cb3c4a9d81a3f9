"""The period report's page (`/laporan/pelaksanaan/<id>/periode/<n>`), its downloads, and
the run page's links to it: the run of tests/engine/services/report_support.py (two OPDs,
two reported quarters, a third open) served by the app; figures as the page writes them,
bands in words beside their colour, inline SVG trends without inline style or script, a
PJ's own OPD only, and 404 for a period the run has not opened or another OPD's PJ."""

from __future__ import annotations

import re

import pytest

from tests.conftest import T0
from tests.engine.services.report_support import two_period_run
from tests.webapp.inbox_support import app_session, snapshot, squash, text_of

PATH = "/laporan/pelaksanaan/{id}/periode/{n}"


@pytest.fixture()
def run_id(web_app):
    with app_session(web_app) as session:
        return two_period_run(session, T0).id


def page(client, login, run_id, n, username="tim1"):
    """The page as `username` (`login` None: as whoever is signed in already)."""
    if login is not None:
        login(username)
    response = client.get(PATH.format(id=run_id, n=n))
    assert response.status_code == 200, text_of(response)[:400]
    return text_of(response)


def row_cells(html: str, code: str) -> list[str]:
    row = re.search(rf'<tr data-indicator="{code}">(.*?)</tr>', html, re.S).group(1)
    return [squash(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]


def test_the_report_table_in_the_sakip_shape(web_app, client, login, run_id):
    html = page(client, login, run_id, 2)
    efisiensi = row_cells(html, "IKU-01")
    assert efisiensi[0] == "AS1 · Efisiensi"  # the Sasaran Strategis, once per group
    assert efisiensi[3:5] == ["10", "10,71"]
    assert efisiensi[5].startswith("107,14% · ")
    assert 'class="band band-baik" data-testid="achievement">107,14%' in html
    assert row_cells(html, "IKU-03")[2:5][2].startswith("85,71% · ")  # a group's 2nd row
    assert "band-cukup" in re.search(r'<tr data-indicator="IKU-03">(.*?)</tr>', html,
                                     re.S).group(1)
    assert "Reviu HPS" in efisiensi[-1]  # the Rencana Aksi beside it
    assert html.count('<svg class="trend-chart"') == 11
    assert "<desc" in html and "Triwulan I): 62,50%" in html  # the chart in words


def test_the_page_is_csp_clean_and_loads_its_own_stylesheet(web_app, client, login, run_id):
    html = page(client, login, run_id, 1)
    assert "static/reports.css" in html
    assert " style=" not in html and "<style" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # no inline script


def test_period_navigation_and_downloads(web_app, client, login, run_id):
    html = page(client, login, run_id, 2)
    assert f'href="{PATH.format(id=run_id, n=1)}" rel="prev"' in html
    assert f'href="{PATH.format(id=run_id, n=3)}" rel="next"' in html
    assert f"{PATH.format(id=run_id, n=2)}/unduh.pdf" in html
    assert f"{PATH.format(id=run_id, n=2)}/unduh.xlsx" in html
    first = page(client, None, run_id, 1)
    assert 'rel="prev"' not in first


def test_a_period_not_reported_yet_says_so(web_app, client, login, run_id):
    html = page(client, login, run_id, 3)
    assert 'data-testid="not-reported"' in html
    assert 'rel="next"' not in html
    assert "submission-belum_dibuka" in html


def test_the_run_page_links_each_period(web_app, client, login, run_id):
    login("tim1")
    html = text_of(client.get(f"/instances/{run_id}"))
    for n in (1, 2, 3):
        assert f'href="{PATH.format(id=run_id, n=n)}"' in html


def test_the_discipline_table(web_app, client, login, run_id):
    html = page(client, login, run_id, 2)
    table = html[html.index('data-testid="discipline-table"'):]
    late = re.search(r'<tr data-opd="DPUPR"><td>(.*?)</tr>', table, re.S).group(1)
    assert "Ir. Syafrizal" in late and "1 Juli 2026" in late
    assert "submission-terlambat" in late


@pytest.mark.parametrize("n", [0, 4, 99])
def test_a_period_the_run_has_not_opened_is_404(web_app, client, login, run_id, n):
    login("tim1")
    before = snapshot(web_app)
    assert client.get(PATH.format(id=run_id, n=n)).status_code == 404
    assert client.get(PATH.format(id=run_id, n=n) + "/unduh.pdf").status_code == 404
    assert snapshot(web_app) == before


@pytest.mark.parametrize("username", ["pj.dinkes", "pj.dishub"])
def test_a_pj_gets_403_and_no_link_from_the_run(web_app, client, login, run_id, username):
    login(username)
    for suffix in ("", "/unduh.pdf", "/unduh.xlsx"):
        assert client.get(PATH.format(id=run_id, n=1) + suffix).status_code == 403
    run_page = client.get(f"/instances/{run_id}")
    if run_page.status_code == 200:  # the PJ of an OPD taking part
        assert 'data-testid="period-reports"' not in run_page.get_data(as_text=True)


def test_the_downloads_are_attachments(web_app, client, login, run_id):
    login("kepala")
    with app_session(web_app) as session:
        from engine.models import ProcessInstance
        number = session.get(ProcessInstance, run_id).registration_no
    for kind, mimetype, magic in (("pdf", "application/pdf", b"%PDF"),
                                  ("xlsx", "spreadsheetml", b"PK")):
        response = client.get(PATH.format(id=run_id, n=1) + f"/unduh.{kind}")
        assert response.status_code == 200
        assert mimetype in response.headers["Content-Type"]
        assert response.headers["Content-Disposition"] == (
            f"attachment; filename=laporan-{number}-periode-1.{kind}")
        assert response.data.startswith(magic)
