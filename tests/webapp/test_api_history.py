"""The replay over HTTP: GET /api/v1/instances/<id>/history (whole, and ?until=k).

A run is driven over the API (a revision at row 6), then read back with an auditor's
bearer token: the whole history and every step agree, labels come in Bahasa Indonesia,
and refusals are JSON: 403 for anyone but audit readers, 404 for an unknown run, 400 for
a step that is not a whole number or outside the run's history.
"""

from __future__ import annotations

import pytest

from tests.webapp.api_support import (  # noqa: F401  (fixtures)
    ApiClient,
    api_fixture,
    api_template_fixture,
    complete_all_over_api,
    pg_api_fixture,
    run_rows_over_api,
    start_instance,
)

PLAN = ("Task_01", "Task_02", "Task_03", "Task_04", "Task_05")


def drive_revision(api: ApiClient) -> int:
    """Rows 1-5, a revision at row 6, and rows 1-2 again: row 3 of the second round is open."""
    instance_id = start_instance(api)["id"]
    run_rows_over_api(api, instance_id, *PLAN)
    complete_all_over_api(api, instance_id, "Task_06", keputusan_rencana="perbaiki",
                          catatan_perbaikan="Perbaiki target")
    run_rows_over_api(api, instance_id, "Task_01", "Task_02")
    return instance_id


def check_history(api: ApiClient) -> None:
    instance_id = drive_revision(api)
    path = f"/instances/{instance_id}/history"
    whole = api.ok(api.get("auditor", path))
    n = whole["event_count"]
    assert [e["seq"] for e in whole["events"]] == list(range(1, n + 1))
    assert whole["events"][0]["label"] == "Pelaksanaan dimulai"
    assert whole["instance"]["id"] == instance_id
    passes = {key: a["passes"] for key, a in whole["activities"].items()}
    assert (passes["Task_01"], passes["Task_02"], passes["Task_03"], passes["Task_06"]) == (
        2, 2, 2, 1)
    assert (whole["flows"]["F6b"], whole["flows"]["F1"], whole["flows"]["F6a"]) == (1, 2, 0)
    assert [(t["element_id"], t["kind"]) for t in whole["final"]["tokens"]] == [
        ("Task_03", "task")]
    [revision] = [e for e in whole["events"] if e["element_id"] == "Task_06"
                  and e["type"] == "task_completed"]
    k = revision["seq"]
    at = api.ok(api.get("auditor", path, until=k))
    assert (at["k"], at["event_count"]) == (k, n)
    assert at["event"] == revision
    assert {c["key"]: c["after"] for c in at["changes"]}["catatan_perbaikan"] == (
        "Perbaiki target")
    assert at["data"]["process"]["keputusan_rencana"] == "perbaiki"
    assert at["tokens"] == [] and at["passes"]["Task_06"] == 1
    last = api.ok(api.get("kepala", path, until=str(n)))  # Kepala UKPBJ reads audits too
    assert last["tokens"] == whole["final"]["tokens"] and last["flows"] == whole["flows"]
    check_refusals(api, instance_id, n)


def check_refusals(api: ApiClient, instance_id: int, n: int) -> None:
    path = f"/instances/{instance_id}/history"
    for username in ("pj.dinkes", "tim1"):
        refused(api.get(username, path), 403, "audit_only")
        refused(api.get(username, path, until="1"), 403, "audit_only")
    refused(api.get("auditor", f"/instances/{instance_id + 1000}/history"), 404,
            "instance_not_found")
    for bad in ("abc", "1.5", "", "1e3", "0x10"):
        error = refused(api.get("auditor", path, until=bad), 400, "invalid_parameter")
        assert "whole number" in error["message"]
    for outside in ("0", "-3", str(n + 1), "999999999999"):
        error = refused(api.get("auditor", path, until=outside), 400,
                        "history_step_out_of_range")
        assert error["details"]["max"] == n
    refused(api.get("auditor", path, step="2"), 400, "unknown_parameter")
    refused(api.get(None, path), 401, "unauthenticated")


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


def test_history_over_http(api):
    check_history(api)


def test_history_over_http_on_postgresql(pg_api):
    check_history(pg_api)


@pytest.mark.parametrize("username", ["auditor", "admin"])
def test_audit_readers_get_the_history_of_a_new_run(api, username):
    instance_id = start_instance(api)["id"]
    whole = api.ok(api.get(username, f"/instances/{instance_id}/history"))
    assert [e["type"] for e in whole["events"]] == ["instance_started", "task_created"]
    assert whole["activities"]["Task_01"]["passes"] == 1
