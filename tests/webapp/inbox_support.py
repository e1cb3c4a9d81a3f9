"""Helpers for the HTML page tests (test_inbox*.py, test_documents*.py).

Set-up steps that are not under test run through the services on the app's own database
and commit, exactly as the pages would leave it; every form post carries the CSRF token
scraped from the page that shows the form.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from engine.models import Document, Event, HumanTask, InstanceState, ProcessInstance
from engine.services import instances
from tests.conftest import T0
from tests.support import SOP_KEY, answers, open_tasks, run_rows_committed, user
from tests.webapp.conftest import SignIn


@contextmanager
def app_session(web_app):
    session = web_app.extensions["alur"].session_factory()
    try:
        yield session
        session.commit()
    finally:
        session.close()


def start_run(web_app, username: str = "tim1", **overrides) -> int:
    with app_session(web_app) as session:
        instance = instances.start_instance(session, user(session, username), SOP_KEY,
                                            answers("mulai-pelaksanaan", **overrides), T0)
        return instance.id


def run_rows_through_services(web_app, instance_id: int, *element_ids: str, **overrides) -> None:
    """Rows done through the services on the app's database, one commit each, as the pages
    would leave them: set-up for the step a test drives through the pages."""
    run_rows_committed(web_app.extensions["alur"].session_factory, instance_id, element_ids,
                       T0, **overrides)


def open_task_id(web_app, instance_id: int, element_id: str, opd: str | None = None) -> int:
    with app_session(web_app) as session:
        rows = [t for t in open_tasks(session, instance_id, element_id)
                if opd is None or (t.opd and t.opd.code == opd)]
        assert rows, f"no open {element_id}"
        return rows[0].id


def task_state(web_app, task_id: int) -> tuple:
    with app_session(web_app) as session:
        task = session.get(HumanTask, task_id)
        return (task.state, task.claimed_by_id, task.completed_at, task.data,
                task.instance.row_version, task.instance.event_count)


def snapshot(web_app) -> dict:
    """Row counts of every table a refused request must leave alone."""
    with app_session(web_app) as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (HumanTask, Event, InstanceState, ProcessInstance, Document)}


def page_token(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return SignIn.csrf_from(page.get_data(as_text=True))


def post_form(client, path: str, data: dict | list, *, page: str | None = None, **kwargs):
    """POST `data` to `path` with the CSRF token of `page` (default: the same path)."""
    token = page_token(client, page or path)
    items = list(data.items()) if isinstance(data, dict) else list(data)
    return client.post(path, data=MultiDict([("csrf_token", token), *items]), **kwargs)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def squash(html: str) -> str:
    """The page's text with tags dropped and whitespace collapsed, for phrase checks."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
