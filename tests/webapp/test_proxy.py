"""Behind reverse proxies: X-Forwarded-* believed from ALUR_PROXY_COUNT proxies, never
otherwise; the session cookie is Secure with ALUR_COOKIE_SECURE=1.

A probe route added to the app shows what a view sees: the client's address, the scheme,
and the absolute link url_for(_external=True) builds (links in mail are built this way).
"""

from __future__ import annotations

import pytest
from flask import jsonify, request, url_for

from tests.conftest import T0
from tests.webapp.conftest import _copy_database, _template

FORWARDED = {
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "alur.example.go.id",
    "X-Forwarded-Port": "443",
    "X-Forwarded-Prefix": "/alur",
}


@pytest.fixture()
def make_app(tmp_path, tmp_path_factory, monkeypatch):
    """create_app with the given environment, over a copy of the reference database."""
    from webapp import create_app

    apps = []

    def make(**env: str):
        monkeypatch.setenv("ALUR_SECRET_KEY", "proxy-tests-only")
        for name in ("ALUR_PROXY_COUNT", "ALUR_PROXY_HOPS", "ALUR_COOKIE_SECURE"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        target = tmp_path / f"web{len(apps)}.sqlite3"
        _copy_database(_template(tmp_path_factory), target)
        app = create_app({"DATABASE_URL": f"sqlite:///{target}", "TESTING": True,
                          "UPLOAD_DIR": str(tmp_path / "uploads"), "NOW": T0})
        app.add_url_rule("/_probe", "probe", _probe)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["alur"].engine.dispose()


def _probe():
    return jsonify(client=request.remote_addr, scheme=request.scheme,
                   login=url_for("auth.login", _external=True))


def probe(app, headers: dict) -> dict:
    return app.test_client().get("/_probe", headers=headers).get_json()


def test_forwarded_headers_are_believed_from_the_counted_proxy(make_app):
    seen = probe(make_app(ALUR_PROXY_COUNT="1"), FORWARDED)
    assert seen == {"client": "203.0.113.9", "scheme": "https",
                    "login": "https://alur.example.go.id/alur/login"}


def test_only_the_counted_proxies_are_believed(make_app):
    """With two proxies, the address the outer proxy saw; whatever the client wrote in
    front of it is ignored."""
    headers = {**FORWARDED, "X-Forwarded-For": "10.6.6.6, 198.51.100.7, 203.0.113.9",
               "X-Forwarded-Proto": "https, https"}
    seen = probe(make_app(ALUR_PROXY_COUNT="2"), headers)
    assert seen["client"] == "198.51.100.7"
    assert seen["scheme"] == "https"


def test_the_older_name_still_counts(make_app):
    assert probe(make_app(ALUR_PROXY_HOPS="1"), FORWARDED)["scheme"] == "https"


def test_without_a_proxy_count_forwarded_headers_are_ignored(make_app):
    seen = probe(make_app(), FORWARDED)
    assert seen == {"client": "127.0.0.1", "scheme": "http",
                    "login": "http://localhost/login"}


def _session_cookie(app, headers: dict | None = None) -> str:
    answer = app.test_client().get("/login", headers=headers or {})
    assert answer.status_code == 200
    [cookie] = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_session_cookie_is_secure_when_asked(make_app):
    cookie = _session_cookie(make_app(ALUR_COOKIE_SECURE="1", ALUR_PROXY_COUNT="1"), FORWARDED)
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_not_secure_by_default(make_app):
    assert "Secure" not in _session_cookie(make_app())
