"""Refused requests: each answers the right status and code, and changes nothing.

"Nothing" is checked on the rows a request could touch (tasks, events, workflow state,
instances) and on the task itself (state, claim, data, its instance's version).
"""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest

from tests.support import PLANNING, answers
from tests.webapp.api_support import (  # noqa: F401  (fixtures)
    API,
    ApiClient,
    api_fixture,
    api_template_fixture,
    find_open,
    pg_api_fixture,
    run_rows_over_api,
    start_instance,
)
from webapp.api.inputs import API_BODY_LIMIT


@contextmanager
def unchanged(api: ApiClient, task_id: int):
    before = api.counts(), api.task_row(task_id)
    yield
    assert (api.counts(), api.task_row(task_id)) == before


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


@pytest.fixture()
def row1(api) -> dict:
    """A fresh instance waiting at row 1 (Tim), with tokens already issued."""
    for username in ("tim1", "tim2", "kepala", "pj.dinkes", "auditor"):
        api.token(username)
    started = start_instance(api)
    return started["open_tasks"][0]


@pytest.fixture()
def row6(api, row1) -> dict:
    run_rows_over_api(api, row1["instance_id"], *PLANNING[:5])
    [(_, task)] = find_open(api, row1["instance_id"], "Task_06")
    return task


def complete(api, username, task_id, **kwargs):
    return api.post(username, f"/tasks/{task_id}/complete", **kwargs)


# ---- the body --------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["{not json", '{"tujuan_pbj": "x",}', "", "   ", "\xff\xfe{}",
                                 '{"a": NaN}', '{"a": 1e400}', "[" * 100_000 + "]" * 100_000,
                                 '{"a": ' + "9" * 5000 + "}"])
def test_bad_json_is_400(api, row1, raw):
    with unchanged(api, row1["id"]):
        data = raw.encode("latin-1") if raw.startswith("\xff") else raw.encode()
        refused(complete(api, "tim1", row1["id"], data=data, content_type="application/json"),
                400, "invalid_json")


@pytest.mark.parametrize("body", [[1, 2], "text", 3, None, True])
def test_body_must_be_a_json_object(api, row1, body):
    with unchanged(api, row1["id"]):
        raw = "null" if body is None else None
        response = complete(api, "tim1", row1["id"], data=raw, content_type="application/json") \
            if raw else complete(api, "tim1", row1["id"], json=body)
        refused(response, 400, "invalid_json")


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])
def test_text_a_database_cannot_store_is_400(api, row1, text):
    escaped = text.encode("unicode_escape").decode().replace("\\x00", "\\u0000")
    raw = '{"tujuan_pbj": "' + escaped + '", "area_strategis": []}'
    with unchanged(api, row1["id"]):
        refused(complete(api, "tim1", row1["id"], data=raw, content_type="application/json"),
                400, "invalid_json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_body_that_is_not_json_is_415(api, row1, content_type):
    with unchanged(api, row1["id"]):
        response = complete(api, "tim1", row1["id"], data=b'{"tujuan_pbj": "x"}',
                            content_type=content_type)
        refused(response, 415, "unsupported_media_type")


def test_oversized_body_is_413_before_parsing(api, row1):
    big = b'{"tujuan_pbj": "' + b"x" * API_BODY_LIMIT + b'"}'
    with unchanged(api, row1["id"]):
        refused(complete(api, "tim1", row1["id"], data=big, content_type="application/json"),
                413, "payload_too_large")
        refused(api.post("tim1", "/instances", data=big, content_type="text/plain"),
                413, "payload_too_large")
        chunked = {**api.headers("tim1"), "Content-Type": "application/json",
                   "Transfer-Encoding": "chunked"}
        refused(api.http.post(f"{API}/tasks/{row1['id']}/complete", headers=chunked,
                              input_stream=io.BytesIO(big),
                              environ_overrides={"wsgi.input_terminated": True}),
                413, "payload_too_large")


def test_body_at_the_limit_is_read(api, row1):
    head, tail = b'{"tujuan_pbj": "', b'"}'
    exact = head + b"x" * (API_BODY_LIMIT - len(head) - len(tail)) + tail
    with unchanged(api, row1["id"]):
        error = refused(complete(api, "tim1", row1["id"], data=exact,
                                 content_type="application/json"), 400, "invalid_form_data")
        assert "tujuan_pbj" in error["details"]


# ---- the form --------------------------------------------------------------------------

def test_unknown_field_is_400(api, row1):
    with unchanged(api, row1["id"]):
        error = refused(complete(api, "tim1", row1["id"],
                                 body=answers("perencanaan-tujuan", bogus=1)), 400, "unknown_field")
        assert list(error["details"]) == ["bogus"]


def test_missing_required_field_is_400_per_field(api, row1):
    data = answers("perencanaan-tujuan")
    del data["tujuan_pbj"]
    data["area_strategis"][1]["nama"] = ""
    with unchanged(api, row1["id"]):
        error = refused(complete(api, "tim1", row1["id"], body=data), 400, "invalid_form_data")
        assert set(error["details"]) == {"tujuan_pbj", "area_strategis[1].nama"}


def test_wrong_option_is_400(api, row6):
    with unchanged(api, row6["id"]):
        error = refused(complete(api, "kepala", row6["id"],
                                 body=answers("persetujuan-rencana", keputusan_rencana="tunda")),
                        400, "invalid_form_data")
        assert "keputusan_rencana" in error["details"]


def test_number_out_of_range_is_400(api, row1):
    with unchanged(api, row1["id"]):
        error = refused(api.post("tim1", "/instances", {
            "data": answers("mulai-pelaksanaan", tahun_anggaran=1999)}), 400, "invalid_form_data")
        assert "tahun_anggaran" in error["details"]
        refused(api.post("tim1", "/instances", {"data": answers("mulai-pelaksanaan"),
                                                "priority": 1}), 400, "unknown_field")
        refused(api.post("tim1", "/instances", {"data": []}), 400, "invalid_input")


# ---- who may act -----------------------------------------------------------------------

@pytest.mark.parametrize(("username", "code"),
                         [("kepala", "not_your_task"), ("auditor", "read_only_role")])
def test_task_in_another_lane_is_403(api, row1, username, code):
    data = answers("perencanaan-tujuan")
    with unchanged(api, row1["id"]):
        assert api.get(username, f"/tasks/{row1['id']}").status_code == 200
        for action, body in (("complete", data), ("claim", None), ("unclaim", None)):
            refused(api.post(username, f"/tasks/{row1['id']}/{action}", body), 403, code)


def test_task_hidden_from_the_caller_is_404(api, row1):
    with unchanged(api, row1["id"]):
        for path in (f"/tasks/{row1['id']}", f"/instances/{row1['instance_id']}",
                     f"/instances/{row1['instance_id']}/events"):
            refused(api.get("pj.dinkes", path), 404,
                    "task_not_found" if path.startswith("/tasks") else "instance_not_found")
        refused(complete(api, "pj.dinkes", row1["id"], body=answers("perencanaan-tujuan")),
                404, "task_not_found")


def test_pj_of_another_opd_gets_404_on_a_forged_id(api, row1):
    run_rows_over_api(api, row1["instance_id"], *PLANNING)
    found = find_open(api, row1["instance_id"], "Task_10")
    theirs = next(task for _, task in found if task["opd"]["code"] == "DISDIKBUD")
    with unchanged(api, theirs["id"]):
        for username in ("pj.dinkes", "pj.dishub"):
            refused(api.get(username, f"/tasks/{theirs['id']}"), 404, "task_not_found")
            for action in ("claim", "unclaim"):
                refused(api.post(username, f"/tasks/{theirs['id']}/{action}"),
                        404, "task_not_found")
            refused(complete(api, username, theirs["id"], body=answers("pemetaan-paket")),
                    404, "task_not_found")


def test_start_by_a_pj_is_403_and_unknown_process_404(api, row1):
    with unchanged(api, row1["id"]):
        refused(api.post("pj.dinkes", "/instances", {"data": answers("mulai-pelaksanaan")}),
                403, "start_not_allowed")
        refused(api.post("tim1", "/instances", {"definition_key": "nope",
                                                "data": answers("mulai-pelaksanaan")}),
                404, "definition_not_found")


# ---- conflicts -------------------------------------------------------------------------

def test_double_complete_is_409(api, row1):
    api.ok(complete(api, "tim1", row1["id"], body=answers("perencanaan-tujuan")))
    with unchanged(api, row1["id"]):
        for username in ("tim1", "tim2"):
            refused(complete(api, username, row1["id"], body=answers("perencanaan-tujuan")),
                    409, "task_already_completed")
        refused(api.post("tim1", f"/tasks/{row1['id']}/claim"), 409, "task_already_completed")


def test_claim_of_a_claimed_task_is_409(api, row1):
    claimed = api.ok(api.post("tim1", f"/tasks/{row1['id']}/claim"))
    assert claimed["assignee"]["username"] == "tim1"
    with unchanged(api, row1["id"]):
        error = refused(api.post("tim2", f"/tasks/{row1['id']}/claim"), 409,
                        "task_already_claimed")
        assert error["details"]["claimed_by"]
        refused(complete(api, "tim2", row1["id"], body=answers("perencanaan-tujuan")),
                409, "task_already_claimed")


def test_unclaim_by_someone_else_is_409(api, row1):
    with unchanged(api, row1["id"]):
        refused(api.post("tim2", f"/tasks/{row1['id']}/unclaim"), 409, "task_not_claimed_by_you")
    api.ok(api.post("tim1", f"/tasks/{row1['id']}/claim"))
    with unchanged(api, row1["id"]):
        refused(api.post("tim2", f"/tasks/{row1['id']}/unclaim"), 409, "task_not_claimed_by_you")


# ---- authentication and addressing -----------------------------------------------------

@pytest.mark.parametrize("header", [None, "Bearer forged-token"])
def test_actions_without_a_valid_token_are_401(api, row1, header):
    headers = {"Authorization": header} if header else {}
    code = "invalid_token" if header else "unauthenticated"
    with unchanged(api, row1["id"]):
        for action in ("claim", "complete"):
            refused(api.http.post(f"{API}/tasks/{row1['id']}/{action}", headers=headers,
                                  json=answers("perencanaan-tujuan")), 401, code)
        refused(api.http.post(f"{API}/instances", headers=headers,
                              json={"data": answers("mulai-pelaksanaan")}), 401, code)


def test_unknown_or_bad_query_parameters_are_400(api, row1):
    with unchanged(api, row1["id"]):
        error = refused(api.get("tim1", "/tasks", colour="red"), 400, "unknown_parameter")
        assert list(error["details"]) == ["colour"]
        refused(api.get("tim1", "/instances", sort="id"), 400, "unknown_parameter")
        refused(api.get("tim1", f"/instances/{row1['instance_id']}/events", offset=3),
                400, "unknown_parameter")
        for params in ({"per_page": 101}, {"page": 0}, {"scope": "everyone"}, {"state": "x"},
                       {"instance_id": "abc"}, {"instance_id": 2**40}, {"sort": "name"},
                       {"opd": "a\x00"}):
            refused(api.get("tim1", "/tasks", **params), 400, "invalid_parameter")
        refused(api.http.get(f"{API}/tasks?page=1&page=2", headers=api.headers("tim1")),
                400, "invalid_parameter")
        refused(api.get("tim1", f"/instances/{row1['instance_id']}/events", limit=501),
                400, "invalid_parameter")


def test_missing_or_huge_ids_are_404_and_wrong_methods_405(api, row1):
    with unchanged(api, row1["id"]):
        refused(api.get("tim1", "/tasks/999999"), 404, "task_not_found")
        refused(api.get("tim1", "/instances/999999"), 404, "instance_not_found")
        for path in ("/tasks/99999999999999999999", "/tasks/0", "/tasks/-1",
                     "/instances/99999999999999999999/events"):
            refused(api.get("tim1", path), 404, "not_found")
        refused(api.post("tim1", "/tasks/99999999999999999999/complete", {}), 404, "not_found")
        refused(api.get("tim1", f"/tasks/{row1['id']}/complete"), 405, "method_not_allowed")
        refused(api.get("tim1", "/nowhere"), 404, "not_found")


# ---- PostgreSQL, which enforces what SQLite lets pass -----------------------------------

def test_hostile_input_is_refused_on_postgresql(pg_api):
    row1 = start_instance(pg_api)["open_tasks"][0]
    nul = '{"data": {"tahun_anggaran": 2026, "judul": "a\\u0000b"}}'
    with unchanged(pg_api, row1["id"]):
        refused(pg_api.post("tim1", "/instances", data=nul, content_type="application/json"),
                400, "invalid_json")
        refused(pg_api.get("tim1", "/tasks", sop_step="1" * 17), 400, "invalid_parameter")
        refused(pg_api.get("tim1", "/tasks", opd="\x00"), 400, "invalid_parameter")
        refused(pg_api.get("tim1", "/tasks/99999999999999999999"), 404, "not_found")
        refused(pg_api.http.post(f"{API}/auth/token", json={"username": "a\x00", "password": "x"}),
                400, "invalid_json")


def test_longest_allowed_title_starts_on_postgresql(pg_api):
    data = answers("mulai-pelaksanaan", judul="J" * 200)
    response = pg_api.post("tim1", "/instances", {"data": data})
    assert response.status_code == 201
    assert len(response.get_json()["title"]) == 200
