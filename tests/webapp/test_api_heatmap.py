"""GET /api/v1/definitions/<key>/versions/<n>/heatmap: the figures over HTTP, for audit
readers only, with the period and OPD filters and a clear 4xx for every bad request.

The runs are those of tests/engine/services/test_heatmap.py (build_runs), committed into
the app's database; the app's clock is Monday 2 February 2026.
"""

from __future__ import annotations

import pytest

from engine.db import unit_of_work
from tests.engine.services.test_heatmap import NOW, build_runs
from tests.support import SOP_KEY
from tests.webapp.api_support import (  # noqa: F401  (fixtures)
    ApiClient,
    api_fixture,
    api_template_fixture,
    pg_api_fixture,
)

PATH = f"/definitions/{SOP_KEY}/versions/1/heatmap"


def with_runs(client: ApiClient) -> ApiClient:
    client.clock.now = NOW
    with unit_of_work(client.session_factory) as session:
        build_runs(session)
        session.commit()
    return client


@pytest.fixture()
def heat_api(api) -> ApiClient:
    return with_runs(api)


def refused(client: ApiClient, username: str | None, path: str, status: int, code: str,
            **params) -> dict:
    """The request is refused with `status` and `code`, and nothing changed."""
    client.headers(username)  # signing in is an event of its own: before counting
    before = client.counts()
    response = client.get(username, path, **params)
    body = response.get_json()
    assert response.status_code == status, body
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    assert client.counts() == before
    return body


def test_the_whole_heatmap(heat_api):
    body = heat_api.ok(heat_api.get("auditor", PATH))
    assert body["version"]["number"] == 1 and body["version"]["definition_key"] == SOP_KEY
    assert body["instances"] == 3
    first = body["activities"]["Task_01"]
    assert {key: first[key] for key in ("name", "sop_step", "waktu", "count", "median_days",
                                        "p90_days", "median_ratio", "p90_ratio", "late",
                                        "late_share")} == {
        "name": "1. Mendefinisikan tujuan PBJ dan area strategis", "sop_step": "1",
        "waktu": 5, "count": 3, "median_days": 2.0, "p90_days": 4, "median_ratio": 0.4,
        "p90_ratio": 0.8, "late": 0, "late_share": 0.0}
    assert body["slowest"][0]["element_id"] == "Task_10"
    assert body["late_opds"][0] == {"opd": "DINKES", "opd_name": "Dinas Kesehatan", "late": 2,
                                    "total": 2, "share": 1.0, "open": 0, "open_late": 0}
    assert body["periods"] == [0, 1]
    assert {opd["code"] for opd in body["opds"]} == {"DINKES", "DPUPR", "DISDIKBUD"}


@pytest.mark.parametrize("username", ["auditor", "admin", "kepala"])
def test_audit_readers(heat_api, username):
    assert heat_api.ok(heat_api.get(username, PATH))["instances"] == 3


@pytest.mark.parametrize("username", ["tim1", "pj.dinkes", "pemilik"])
def test_everyone_else_is_refused(heat_api, username):
    refused(heat_api, username, PATH, 403, "audit_only")


def test_a_token_is_needed(heat_api):
    refused(heat_api, None, PATH, 401, "unauthenticated")


def test_filter_by_period(heat_api):
    body = heat_api.ok(heat_api.get("auditor", PATH, period=1))
    assert body["filters"] == {"period": 1, "opd": None}
    assert body["activities"]["Task_11"]["median_days"] == 3.0
    assert body["activities"]["Task_01"]["count"] == 0


def test_filter_by_opd(heat_api):
    body = heat_api.ok(heat_api.get("auditor", PATH, opd="DINKES"))
    assert body["filters"] == {"period": None, "opd": "DINKES"}
    counted = {key for key, activity in body["activities"].items() if activity["count"]}
    assert counted == {"Task_10", "Task_11"}
    assert [row["opd"] for row in body["late_opds"]] == ["DINKES"]


def test_both_filters_and_empty_values(heat_api):
    both = heat_api.ok(heat_api.get("auditor", PATH, period=0, opd="DPUPR"))
    assert both["activities"]["Task_10"]["median_days"] == 4.0
    assert both["activities"]["Task_11"]["count"] == 0
    empty = heat_api.ok(heat_api.get("auditor", PATH, period="", opd=""))
    assert empty["filters"] == {"period": None, "opd": None} and empty["instances"] == 3


@pytest.mark.parametrize(("params", "code", "field"), [
    ({"period": "satu"}, "invalid_parameter", "period"),
    ({"period": "-1"}, "invalid_parameter", "period"),
    ({"period": "1.5"}, "invalid_parameter", "period"),
    ({"period": "100000"}, "invalid_parameter", "period"),
    ({"opd": "x" * 33}, "invalid_parameter", "opd"),
    ({"opd": "NOPE"}, "unknown_opd", "opd"),
    ({"periode": "1"}, "unknown_parameter", "periode"),
])
def test_bad_filters(heat_api, params, code, field):
    body = refused(heat_api, "auditor", PATH, 400, code, **params)
    assert field in body["error"]["details"]


def test_a_repeated_filter(heat_api):
    headers = heat_api.headers("auditor")
    before = heat_api.counts()
    response = heat_api.http.get(f"/api/v1{PATH}?period=1&period=2", headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_parameter"
    assert heat_api.counts() == before


@pytest.mark.parametrize("path", [
    "/definitions/no_such_process/versions/1/heatmap",
    f"/definitions/{SOP_KEY}/versions/2/heatmap",
    f"/definitions/{SOP_KEY}/versions/0/heatmap",
    f"/definitions/{SOP_KEY}/versions/99999999999/heatmap",
])
def test_unknown_process_or_version(heat_api, path):
    refused(heat_api, "auditor", path, 404, "version_not_found" if "/1/" in path
            or "/2/" in path else "not_found")


def test_the_unknown_version_is_404_for_readers_only(heat_api):
    refused(heat_api, "tim1", "/definitions/no_such_process/versions/1/heatmap", 403,
            "audit_only")


def test_on_postgresql(pg_api):
    client = with_runs(pg_api)
    body = client.ok(client.get("auditor", PATH, opd="DINKES", period=1))
    assert body["activities"]["Task_11"]["median_days"] == 5.0
    assert body["late_opds"] == [{"opd": "DINKES", "opd_name": "Dinas Kesehatan", "late": 1,
                                  "total": 1, "share": 1.0, "open": 0, "open_late": 0}]
