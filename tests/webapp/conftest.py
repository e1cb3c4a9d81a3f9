"""Fixtures for the HTML pages: an app over a database of its own, a client, and sign-in.

The web app commits for real, so each test gets a copy of an SQLite template that is built
once per session (migrations plus reference data, like tests/conftest.py). The clock is
pinned through the app's NOW setting (T0, Monday 5 January 2026, 09.00 WIB); a test moves
it by setting web_app.config["NOW"]. CSRF stays on: forms post the token the page carries.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.services.demo import DEMO_PASSWORD
from tests.conftest import T0, build_database

_TEMPLATES: dict[Path, Path] = {}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _template(tmp_path_factory) -> Path:
    base = tmp_path_factory.getbasetemp()
    if base not in _TEMPLATES:
        path = tmp_path_factory.mktemp("web-template") / "template.sqlite3"
        build_database(f"sqlite:///{path}")
        _TEMPLATES[base] = path
    return _TEMPLATES[base]


def _copy_database(source: Path, target: Path) -> None:
    """sqlite3's backup API: a consistent copy whatever is still in the WAL file."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)



@pytest.fixture()
def web_app(tmp_path, tmp_path_factory, monkeypatch):
    from webapp import create_app

    monkeypatch.setenv("ALUR_SECRET_KEY", "web-tests-only")  # create_app writes no key file
    target = tmp_path / "web.sqlite3"
    _copy_database(_template(tmp_path_factory), target)
    app = create_app({"DATABASE_URL": f"sqlite:///{target}", "TESTING": True,
                      "UPLOAD_DIR": str(tmp_path / "uploads"), "NOW": T0})
    yield app
    app.extensions["alur"].engine.dispose()


@pytest.fixture()
def client(web_app):
    return web_app.test_client()


class SignIn:
    """`login("tim1")` signs the client in through the real form, CSRF token included."""

    def __init__(self, client):
        self.client = client

    @staticmethod
    def csrf_from(html: str) -> str:
        match = _CSRF.search(html)
        assert match, "the page carries no CSRF token"
        return match.group(1)

    def __call__(self, username: str, password: str = DEMO_PASSWORD):
        page = self.client.get("/login")
        token = self.csrf_from(page.get_data(as_text=True))
        response = self.client.post("/login", data={"csrf_token": token, "username": username,
                                                    "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def logout(self):
        page = self.client.get("/")
        token = self.csrf_from(page.get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture()
def login(client) -> Iterator[SignIn]:
    yield SignIn(client)
