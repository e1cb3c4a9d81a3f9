"""GET /api/v1/instances/{id}/reports/{period}: the period report as JSON (the figures of
tests/engine/services/test_reports.py), as PDF and XLSX attachments, and its refusals: a
period the run has not opened and another OPD's PJ are 404 (the run's rule), an unknown
format or parameter 400, no token 401; none of them changes a row."""

from __future__ import annotations

import pytest

from engine.models import ProcessInstance
from tests.conftest import T0
from tests.engine.services.report_support import two_period_run
from tests.webapp.api_support import api_fixture, api_template_fixture, pg_api_fixture  # noqa: F401


def build_run(client) -> tuple[int, str]:
    with client.session_factory() as session:
        instance = two_period_run(session, T0)
        session.commit()
        return instance.id, instance.registration_no


@pytest.fixture()
def run(api):
    return build_run(api)


def indicators(body) -> dict:
    return {row["code"]: row for group in body["groups"] for row in group["indicators"]}


def test_the_report_as_json(api, run):
    run_id, number = run
    body = api.ok(api.get("tim1", f"/instances/{run_id}/reports/2"))
    assert body["run"]["registration_no"] == number
    assert body["period"] == {"number": 2, "label": "Triwulan II", "start": "2026-04-01",
                              "end": "2026-06-30", "previous": 1, "next": 3, "count": 3}
    efisiensi = indicators(body)["IKU-01"]
    assert (efisiensi["target"], efisiensi["realisation"], efisiensi["achievement"],
            efisiensi["band"]) == (10.0, 10.71, 107.14, "baik")
    assert [(p["period_no"], p["achievement"]) for p in efisiensi["trend"]] == [
        (1, 62.5), (2, 107.14)]
    assert efisiensi["actions"] == [{"action": "Reviu HPS", "schedule": "Triwulan I",
                                     "responsible": "Tim"}]
    late = {s["opd_code"]: s for s in body["submissions"]}["DPUPR"]
    assert (late["state"], late["days_late"], late["due_on"]) == ("terlambat", 2, "2026-07-01")
    assert body["signatory"]["nip"] == "19780412 200501 1 003"
    assert body["analysis"]["recommendations"] == [["IKU-03", "Percepat evaluasi"]]


@pytest.mark.parametrize(("kind", "mimetype", "magic"), [
    ("pdf", "application/pdf", b"%PDF"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK")])
def test_the_files(api, run, kind, mimetype, magic):
    run_id, number = run
    response = api.get("kepala", f"/instances/{run_id}/reports/1", format=kind)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == mimetype
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=laporan-{number}-periode-1.{kind}")
    assert response.data.startswith(magic)


@pytest.mark.parametrize(("username", "path", "params", "status", "code"), [
    ("tim1", "/reports/4", {}, 404, "period_not_found"),
    ("tim1", "/reports/0", {}, 404, "period_not_found"),
    ("pj.dishub", "/reports/1", {}, 403, "report_overseers_only"),
    ("pj.dinkes", "/reports/1", {"format": "pdf"}, 403, "report_overseers_only"),
    ("tim1", "/reports/1", {"format": "docx"}, 400, "invalid_parameter"),
    ("tim1", "/reports/1", {"lang": "en"}, 400, "unknown_parameter"),
])
def test_refusals_change_nothing(api, run, username, path, params, status, code):
    api.token(username)  # issuing a token is logged: not part of the request under test
    before = api.counts()
    response = api.get(username, f"/instances/{run[0]}{path}", **params)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert api.counts() == before


def test_a_missing_run_and_no_token(api, run):
    response = api.get("tim1", "/instances/99999/reports/1")
    assert (response.status_code, response.get_json()["error"]["code"]) == (
        404, "instance_not_found")
    assert api.get(None, f"/instances/{run[0]}/reports/1").status_code == 401


def test_the_report_on_postgresql(pg_api):
    run_id, _ = build_run(pg_api)
    body = pg_api.ok(pg_api.get("tim1", f"/instances/{run_id}/reports/2"))
    assert indicators(body)["IKU-03"]["achievement"] == 85.71
    with pg_api.session_factory() as session:
        assert session.get(ProcessInstance, run_id).period_no == 3
    response = pg_api.get("tim1", f"/instances/{run_id}/reports/2", format="xlsx")
    assert response.status_code == 200 and response.data.startswith(b"PK")
