"""Drafts on the task page and over the API: Simpan draf, a draft kept by an upload or a
comment (the task's fields ride along with them), restored for the same person only,
gone when the task completes; refusals change nothing."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from engine.models.drafts import TaskDraft
from tests.support import PLANNING, answers
from tests.webapp.api_support import (
    API,
    api_fixture,  # noqa: F401
    api_template_fixture,  # noqa: F401
    run_rows_over_api,
    start_instance,
)
from tests.webapp.inbox_support import (
    app_session,
    open_task_id,
    post_form,
    run_rows_through_services,
    start_run,
    text_of,
)

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TYPED = "Tujuan yang belum selesai diketik"


def drafts_in(web_app) -> list[tuple]:
    with app_session(web_app) as session:
        return [(d.task_id, d.user_id, d.data) for d in session.scalars(select(TaskDraft))]


def row1(web_app) -> int:
    return open_task_id(web_app, start_run(web_app), "Task_01")


def typed(**extra) -> dict:
    return {"tujuan_pbj": TYPED, "area_strategis[0][kode]": "AS9", "keep_draft": "1", **extra}


def test_save_draft_then_it_comes_back_for_the_same_person_only(web_app, client, login):
    task_id = row1(web_app)
    login("tim1")
    saved = post_form(client, f"/tasks/{task_id}/draft", typed(), page=f"/tasks/{task_id}")
    assert saved.status_code == 302
    [(_, _, data)] = drafts_in(web_app)
    assert data["tujuan_pbj"] == TYPED and data["area_strategis"] == [{"kode": "AS9"}]
    page = text_of(client.get(f"/tasks/{task_id}"))
    assert TYPED in page and 'data-testid="draft-restored"' in page
    login.logout()
    login("tim2")
    other = text_of(client.get(f"/tasks/{task_id}"))
    assert TYPED not in other and 'data-testid="draft-restored"' not in other


def test_an_upload_keeps_what_was_typed(web_app, client, login):
    task_id = row1(web_app)
    login("tim1")
    sent = post_form(client, f"/tasks/{task_id}/documents",
                     {**typed(), "file": (io.BytesIO(PDF), "notulen.pdf")},
                     page=f"/tasks/{task_id}", content_type="multipart/form-data")
    assert sent.status_code == 302
    page = text_of(client.get(f"/tasks/{task_id}"))
    assert "notulen.pdf" in page and TYPED in page


def test_a_refused_upload_shows_what_was_typed_and_keeps_nothing(web_app, client, login):
    task_id = row1(web_app)
    login("tim1")
    refused = post_form(client, f"/tasks/{task_id}/documents",
                        {**typed(), "file": (io.BytesIO(b"MZ\x90\x00" * 50), "x.exe")},
                        page=f"/tasks/{task_id}", content_type="multipart/form-data")
    assert refused.status_code == 400
    assert TYPED in text_of(refused) and 'data-testid="upload-error"' in text_of(refused)
    assert drafts_in(web_app) == []


def test_a_comment_keeps_what_was_typed(web_app, client, login):
    task_id = row1(web_app)
    login("tim1")
    sent = post_form(client, f"/tasks/{task_id}/comments", typed(body="Pertanyaan saya"),
                     page=f"/tasks/{task_id}")
    assert sent.status_code == 302
    page = text_of(client.get(f"/tasks/{task_id}"))
    assert "Pertanyaan saya" in page and TYPED in page


def test_a_reader_comment_saves_no_draft(web_app, client, login):
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING[:5])
    row6 = open_task_id(web_app, instance_id, "Task_06")
    login("auditor")
    page = text_of(client.get(f"/tasks/{row6}"))
    assert 'data-testid="save-draft"' not in page
    sent = post_form(client, f"/tasks/{row6}/draft", {"keputusan_rencana": "setujui"},
                     page=f"/tasks/{row6}")
    assert sent.status_code == 403
    assert drafts_in(web_app) == []


def test_completing_discards_the_draft(web_app, client, login):
    task_id = row1(web_app)
    login("tim1")
    post_form(client, f"/tasks/{task_id}/draft", typed(), page=f"/tasks/{task_id}")
    form = answers("perencanaan-tujuan")
    fields = {"tujuan_pbj": form["tujuan_pbj"]}
    for index, row in enumerate(form["area_strategis"]):
        fields.update({f"area_strategis[{index}][{k}]": v for k, v in row.items() if v})
    sent = post_form(client, f"/tasks/{task_id}", fields)
    assert sent.status_code == 302, text_of(sent)[:2000]
    assert drafts_in(web_app) == []


def test_discard_draft_on_the_page(web_app, client, login):
    task_id = row1(web_app)
    login("tim1")
    post_form(client, f"/tasks/{task_id}/draft", typed(), page=f"/tasks/{task_id}")
    gone = post_form(client, f"/tasks/{task_id}/draft/discard", {}, page=f"/tasks/{task_id}")
    assert gone.status_code == 302 and drafts_in(web_app) == []
    assert TYPED not in text_of(client.get(f"/tasks/{task_id}"))


def put(api, username, task_id, body):
    return api.http.put(f"{API}/tasks/{task_id}/draft", json=body, headers=api.headers(username))


def draft_count(api) -> int:
    with api.session_factory() as session:
        return session.scalar(select(func.count()).select_from(TaskDraft))


def test_api_put_get_delete(api):
    task_id = start_instance(api)["open_tasks"][0]["id"]
    saved = api.ok(put(api, "tim1", task_id, {"tujuan_pbj": TYPED}))
    assert saved["data"] == {"tujuan_pbj": TYPED} and saved["saved_at"]
    assert api.ok(api.get("tim1", f"/tasks/{task_id}/draft"))["data"] == {"tujuan_pbj": TYPED}
    missing = api.get("tim2", f"/tasks/{task_id}/draft")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "draft_not_found"
    deleted = api.http.delete(f"{API}/tasks/{task_id}/draft", headers=api.headers("tim1"))
    assert deleted.status_code == 204 and draft_count(api) == 0


def test_api_refusals_change_nothing(api):
    task_id = start_instance(api)["open_tasks"][0]["id"]
    for username, status, code in (("auditor", 403, "read_only_role"),
                                   ("kepala", 403, "not_your_task"),
                                   ("pj.dinkes", 404, "task_not_found")):
        refused = put(api, username, task_id, {"x": 1})
        assert refused.status_code == status, (username, refused.get_json())
        assert refused.get_json()["error"]["code"] == code
    big = put(api, "tim1", task_id, {"tujuan_pbj": "x" * (300 * 1024)})
    assert big.status_code == 413 and big.get_json()["error"]["code"] == "draft_too_large"
    listed = put(api, "tim1", task_id, [1, 2])
    assert listed.status_code == 400
    assert draft_count(api) == 0


def test_api_completion_discards_the_draft(api):
    instance_id = start_instance(api)["id"]
    task_id = api.ok(api.get("tim1", "/tasks"))["items"][0]["id"]
    api.ok(put(api, "tim1", task_id, {"tujuan_pbj": TYPED}))
    run_rows_over_api(api, instance_id, "Task_01")
    assert draft_count(api) == 0
    after = api.get("tim1", f"/tasks/{task_id}/draft")
    assert after.status_code == 404
