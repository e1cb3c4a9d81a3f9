"""Fixtures and helpers for the API tests.

Each test_api*.py module imports the fixtures it uses (`api_fixture`, `api_template_fixture`,
`pg_api_fixture`); pytest registers them under their short names (`api`, `pg_api`).

The web app commits for real, so every test gets a database of its own: a copy of an
SQLite template built once per session from the migrations and the reference data. The
clock is pinned through the app's NOW setting, so due dates, token expiry and timers are
the tests' to move.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.models import Event, HumanTask, InstanceState, ProcessInstance
from engine.services.demo import DEMO_PASSWORD
from tests.conftest import PG_SKIP, PG_URL, T0, build_database, isolated_database
from tests.support import PJ_FOR_OPD, SOP_KEY, USER_FOR_ROLE, answers

API = "/api/v1"
TEAM = (*USER_FOR_ROLE.values(), *PJ_FOR_OPD.values())


class Clock:
    """The app's `NOW`: a callable the tests move forward."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class ApiClient:
    """Flask's test client with a bearer token per demo user, issued on first use."""

    def __init__(self, app, clock: Clock):
        self.app, self.clock = app, clock
        self.http = app.test_client()
        self._tokens: dict[str, tuple[str, datetime]] = {}

    @property
    def session_factory(self):
        return self.app.extensions["alur"].session_factory

    def token(self, username: str) -> str:
        cached = self._tokens.get(username)
        if cached and cached[1] > self.clock.now + timedelta(minutes=5):
            return cached[0]
        response = self.http.post(f"{API}/auth/token",
                                  json={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        self._tokens[username] = (body["token"], datetime.fromisoformat(body["expires_at"]))
        return body["token"]

    def headers(self, username: str | None) -> dict:
        return {"Authorization": f"Bearer {self.token(username)}"} if username else {}

    def get(self, username: str | None, path: str, **params):
        return self.http.get(f"{API}{path}", query_string=params, headers=self.headers(username))

    def post(self, username: str | None, path: str, body=None, **kwargs):
        headers = {**self.headers(username), **kwargs.pop("headers", {})}
        if body is not None:
            kwargs["json"] = body
        return self.http.post(f"{API}{path}", headers=headers, **kwargs)

    def ok(self, response, status: int = 200) -> dict:
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def counts(self) -> dict[str, int]:
        """Row counts of the tables a refused request must not touch."""
        with self.session_factory() as session:
            return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                    for model in (HumanTask, Event, InstanceState, ProcessInstance)}

    def task_row(self, task_id: int) -> tuple:
        with self.session_factory() as session:
            task = session.get(HumanTask, task_id)
            instance = task.instance
            return (task.state, task.claimed_by_id, task.completed_at, task.data,
                    instance.row_version, instance.event_count)


def make_client(url: str, now: datetime = T0) -> ApiClient:
    from webapp import create_app

    clock = Clock(now)
    app = create_app({"DATABASE_URL": url, "TESTING": True, "NOW": clock,
                      "WTF_CSRF_ENABLED": False})
    return ApiClient(app, clock)


def close_client(client: ApiClient) -> None:
    client.app.extensions["alur"].engine.dispose()


@pytest.fixture(scope="session", name="api_template")
def api_template_fixture(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("api-template") / "template.sqlite3"
    build_database(f"sqlite:///{path}")
    return path


@pytest.fixture(name="api")
def api_fixture(api_template, tmp_path, monkeypatch) -> Iterator[ApiClient]:
    """A client over a fresh SQLite copy of the reference database."""
    monkeypatch.setenv("ALUR_SECRET_KEY", "api-tests-only")  # create_app writes no key file
    target = tmp_path / "api.sqlite3"
    with sqlite3.connect(api_template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)  # consistent whatever is still in the WAL file
    client = make_client(f"sqlite:///{target}")
    yield client
    close_client(client)


@pytest.fixture(name="pg_api")
def pg_api_fixture(tmp_path, monkeypatch) -> Iterator[ApiClient]:
    """A client over a schema of its own in the PostgreSQL test database."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    monkeypatch.setenv("ALUR_SECRET_KEY", "api-tests-only")
    client = make_client(isolated_database(PG_URL, "api_flow", tmp_path))
    yield client
    close_client(client)


# ---- driving the SOP over HTTP ----------------------------------------------------------

def start_instance(api: ApiClient, username: str = "tim1") -> dict:
    body = {"definition_key": SOP_KEY, "data": answers("mulai-pelaksanaan")}
    return api.ok(api.post(username, "/instances", body), 201)


def open_tasks_of(api: ApiClient, username: str, instance_id: int,
                  element_id: str | None = None) -> list[dict]:
    items = api.ok(api.get(username, "/tasks", instance_id=instance_id, per_page=100))["items"]
    return [t for t in items if element_id is None or t["element_id"] == element_id]


def find_open(api: ApiClient, instance_id: int, element_id: str) -> list[tuple[str, dict]]:
    """Every open task of `element_id` with the team member whose list shows it."""
    return [(username, task) for username in TEAM
            for task in open_tasks_of(api, username, instance_id, element_id)]


def complete_all_over_api(api: ApiClient, instance_id: int, element_id: str,
                          **overrides) -> list[dict]:
    """Complete every open task of `element_id` over HTTP with the sample answers, each by
    the team member whose task list shows it."""
    pending = find_open(api, instance_id, element_id)
    assert pending, f"no open task {element_id}"
    done = []
    for username, task in pending:
        data = {**answers(task["form_key"], **overrides), "confirmed": True}
        done.append(api.ok(api.post(username, f"/tasks/{task['id']}/complete", data)))
    return done


def run_rows_over_api(api: ApiClient, instance_id: int, *element_ids: str) -> None:
    """Every task of each row in turn, over HTTP (the API tests' way of reaching a step)."""
    for element_id in element_ids:
        complete_all_over_api(api, instance_id, element_id)
