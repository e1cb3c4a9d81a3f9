"""Comments on a run itself: from the run's page and over the API, logged on its chain."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.models import Comment, Event
from tests.webapp.api_support import (  # noqa: F401  (fixtures)
    api_fixture,
    api_template_fixture,
    start_instance,
)
from tests.webapp.inbox_support import app_session, open_task_id, post_form, start_run, text_of


def _comments(web_app) -> tuple[int, int]:
    """Comments and comment events: what a refused comment must leave alone (sign-ins are
    logged too, so the whole log's count would move)."""
    with app_session(web_app) as session:
        return (session.scalar(select(func.count()).select_from(Comment)),
                session.scalar(select(func.count()).select_from(Event)
                               .where(Event.type == "comment_added")))


def test_a_comment_on_the_run_is_shown_with_the_tasks_comments(web_app, client, login):
    instance_id = start_run(web_app)
    task_id = open_task_id(web_app, instance_id, "Task_01")
    login("tim1")
    post_form(client, f"/tasks/{task_id}/comments", {"body": "Catatan langkah"},
              page=f"/tasks/{task_id}")
    answer = post_form(client, f"/instances/{instance_id}/comments",
                       {"body": "Catatan pelaksanaan"}, page=f"/instances/{instance_id}")
    assert answer.status_code == 302
    html = text_of(client.get(f"/instances/{instance_id}"))
    assert html.count('data-testid="run-comment"') == 2
    assert "Catatan pelaksanaan" in html and "Catatan langkah" in html
    assert "1. Mendefinisikan tujuan PBJ" in html  # the task comment names its step


def test_an_empty_comment_comes_back_and_an_auditor_is_refused(web_app, client, login):
    instance_id = start_run(web_app)
    login("tim1")
    rows = _comments(web_app)
    answer = post_form(client, f"/instances/{instance_id}/comments", {"body": "   "},
                       page=f"/instances/{instance_id}")
    assert answer.status_code == 400 and 'data-testid="comment-error"' in text_of(answer)
    login.logout()
    login("auditor")
    page = text_of(client.get(f"/instances/{instance_id}"))
    assert 'data-testid="run-comment-form"' not in page
    answer = post_form(client, f"/instances/{instance_id}/comments", {"body": "Tidak boleh"},
                       page=f"/instances/{instance_id}")
    assert answer.status_code == 403 and 'data-testid="comment-error"' in text_of(answer)
    assert _comments(web_app) == rows


def test_the_api_lists_and_adds_run_comments(api):
    run = start_instance(api)
    added = api.ok(api.post("kepala", f"/instances/{run['id']}/comments", {"body": " Halo "}),
                   201)
    assert added["task_id"] is None and added["body"] == "Halo"
    assert added["author"]["username"] == "kepala"
    items = api.ok(api.get("tim1", f"/instances/{run['id']}/comments"))["items"]
    assert [(c["body"], c["task_id"], c["task_name"]) for c in items] == [("Halo", None, None)]
    for who, body, status, code in (("auditor", {"body": "x"}, 403, "read_only_role"),
                                    ("tim1", {"body": " "}, 400, "comment_empty"),
                                    ("pj.dinkes", {"body": "x"}, 404, "instance_not_found")):
        api.token(who)
        counts = api.counts()
        answer = api.post(who, f"/instances/{run['id']}/comments", body)
        assert answer.status_code == status and answer.get_json()["error"]["code"] == code
        assert api.counts() == counts
    assert api.get("pj.dinkes", f"/instances/{run['id']}/comments").status_code == 404
