"""Disposisi over HTTP: the task page's form for the Kepala UKPBJ, and the API endpoint."""

from __future__ import annotations

import pytest

from tests.support import answers
from tests.webapp.api_support import (  # noqa: F401  (fixtures)
    api_fixture,
    api_template_fixture,
    pg_api_fixture,
    start_instance,
)
from tests.webapp.inbox_support import (
    open_task_id,
    post_form,
    snapshot,
    start_run,
    task_state,
    text_of,
)

# ---- the task page --------------------------------------------------------------------------

def test_the_kepala_reassigns_from_the_task_page(web_app, client, login):
    task_id = open_task_id(web_app, start_run(web_app), "Task_01")
    login("kepala")
    page = text_of(client.get(f"/tasks/{task_id}"))
    assert 'data-testid="reassign-form"' in page
    assert 'value="tim1"' in page and 'value="tim2"' in page and 'value="pj.dinkes"' not in page
    answer = post_form(client, f"/tasks/{task_id}/reassign",
                       {"to": "tim2", "reason": "Tim 1 sedang dinas luar"},
                       page=f"/tasks/{task_id}")
    assert answer.status_code == 302
    state = task_state(web_app, task_id)
    assert state[1] is not None
    shown = text_of(client.get(answer.headers["Location"]))
    assert 'data-testid="flash"' in shown
    login.logout()
    login("tim2")
    mine = text_of(client.get("/?tab=mine"))
    assert f'data-task-id="{task_id}"' in mine


@pytest.mark.parametrize(("form", "status"), [
    ({"to": "tim2", "reason": "   "}, 400),
    ({"to": "pj.dinkes", "reason": "Salah jalur"}, 400),
    ({"to": "", "reason": "Tanpa penerima"}, 400),
])
def test_a_refused_reassignment_keeps_the_reason_and_changes_nothing(web_app, client, login,
                                                                     form, status):
    task_id = open_task_id(web_app, start_run(web_app), "Task_01")
    login("kepala")
    before, rows = task_state(web_app, task_id), snapshot(web_app)
    answer = post_form(client, f"/tasks/{task_id}/reassign", form, page=f"/tasks/{task_id}")
    assert answer.status_code == status
    html = text_of(answer)
    assert 'data-testid="reassign-error"' in html
    if form["reason"].strip():
        assert form["reason"] in html  # what was typed is kept
    assert task_state(web_app, task_id) == before and snapshot(web_app) == rows


def test_staff_see_no_disposition_form_and_are_refused(web_app, client, login):
    task_id = open_task_id(web_app, start_run(web_app), "Task_01")
    login("tim1")
    assert 'data-testid="reassign"' not in text_of(client.get(f"/tasks/{task_id}"))
    before = task_state(web_app, task_id)
    answer = post_form(client, f"/tasks/{task_id}/reassign", {"to": "tim2", "reason": "x"},
                       page=f"/tasks/{task_id}")
    assert answer.status_code == 403
    assert task_state(web_app, task_id) == before


def test_the_run_history_tells_the_disposition_in_words(web_app, client, login):
    instance_id = start_run(web_app)
    task_id = open_task_id(web_app, instance_id, "Task_01")
    login("kepala")
    post_form(client, f"/tasks/{task_id}/reassign", {"to": "tim2", "reason": "Beban kerja"},
              page=f"/tasks/{task_id}")
    html = text_of(client.get(f"/instances/{instance_id}"))
    assert "Fajar Ramadhan, S.Kom." in html and "Hendri Saputra" in html
    assert "Beban kerja" in html
    assert '"to_user_id"' not in html  # the kepala reads words, not the stored payload


# ---- the API --------------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def http(request):
    return request.getfixturevalue("api" if request.param == "sqlite" else "pg_api")


def _row1(http) -> int:
    run = start_instance(http)
    [task] = [t for t in http.ok(http.get("tim1", "/tasks", instance_id=run["id"]))["items"]
              if t["element_id"] == "Task_01"]
    return task["id"]


def test_the_api_reassigns_and_answers_with_the_task(http):
    task_id = _row1(http)
    people = http.ok(http.get("kepala", f"/tasks/{task_id}/eligible-assignees"))["items"]
    assert {p["username"] for p in people} == {"tim1", "tim2"}
    body = http.ok(http.post("kepala", f"/tasks/{task_id}/reassign",
                             {"to": "tim2", "reason": "Cuti"}))
    assert body["id"] == task_id and body["assignee"]["username"] == "tim2"
    assert body["claimed_at"] is not None and "is_overdue" in body
    mine = http.ok(http.get("tim2", "/tasks", scope="mine"))["items"]
    assert [t["id"] for t in mine] == [task_id]


REFUSALS = [
    ("kepala", {"to": "pj.dinkes", "reason": "x"}, 400, "assignee_wrong_role"),
    ("kepala", {"to": "tidak.ada", "reason": "x"}, 400, "assignee_unknown"),
    ("kepala", {"to": "tim2", "reason": " "}, 400, "reassign_reason_required"),
    ("kepala", {"to": "tim2"}, 400, "invalid_input"),
    ("kepala", {"to": "tim2", "reason": "x", "extra": 1}, 400, "unknown_field"),
    ("tim1", {"to": "tim2", "reason": "x"}, 403, "reassign_not_allowed"),
    ("auditor", {"to": "tim2", "reason": "x"}, 403, "read_only_role"),
    ("pj.dinkes", {"to": "tim2", "reason": "x"}, 404, "task_not_found"),
]


def test_the_api_refuses_with_a_code_and_changes_nothing(api):
    task_id = _row1(api)
    for who, body, status, code in REFUSALS:
        api.token(who)  # signing in is logged: done before the counts are taken
        before, counts = api.task_row(task_id), api.counts()
        answer = api.post(who, f"/tasks/{task_id}/reassign", body)
        assert answer.status_code == status, (who, body, answer.get_json())
        assert answer.get_json()["error"]["code"] == code
        assert api.task_row(task_id) == before and api.counts() == counts


def test_a_completed_task_is_a_409(api):
    task_id = _row1(api)
    api.ok(api.post("tim1", f"/tasks/{task_id}/complete",
                    {**answers("perencanaan-tujuan"), "confirmed": True}))
    answer = api.post("kepala", f"/tasks/{task_id}/reassign", {"to": "tim2", "reason": "x"})
    assert answer.status_code == 409
