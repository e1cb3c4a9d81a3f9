"""Tokens: issued for a right password only; every other call needs a live bearer token,
and a page's session cookie is not one."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import T0
from tests.webapp.api_support import API, api_fixture, api_template_fixture  # noqa: F401


def test_token_carries_the_user_and_expiry(api):
    response = api.http.post(f"{API}/auth/token",
                             json={"username": "pj.dinkes", "password": "demo12345"})
    body = api.ok(response, 201)
    assert len(body["token"]) >= 32 and body["token_type"] == "Bearer"
    assert datetime.fromisoformat(body["expires_at"]) == T0 + timedelta(hours=12)
    assert body["user"]["username"] == "pj.dinkes"
    assert body["user"]["roles"] == ["pj_kinerja"]
    assert body["user"]["opd"] == {"code": "DINKES", "name": "Dinas Kesehatan"}
    assert "password_hash" not in body["user"]
    assert "Set-Cookie" not in response.headers


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["error"]["code"] == code
    return body


def test_wrong_password_or_unknown_user_is_401(api):
    for credentials in ({"username": "tim1", "password": "wrong"},
                        {"username": "nobody", "password": "demo12345"}):
        response = api.http.post(f"{API}/auth/token", json=credentials)
        refused(response, 401, "invalid_credentials")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_request_is_validated(api):
    refused(api.http.post(f"{API}/auth/token", json={"username": "tim1"}), 400, "invalid_input")
    refused(api.http.post(f"{API}/auth/token", json={"username": "tim1", "password": "x",
                                                     "remember": True}), 400, "unknown_field")
    refused(api.http.post(f"{API}/auth/token", json={"username": 1, "password": "x"}),
            400, "invalid_input")
    refused(api.http.post(f"{API}/auth/token", json={"username": "tim\x00", "password": "x"}),
            400, "invalid_json")


def test_no_token_is_401_with_a_challenge(api):
    response = api.http.get(f"{API}/tasks")
    body = refused(response, 401, "unauthenticated")
    assert body["error"]["message"]
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="alur-kinerja"'


def test_bad_or_malformed_token_is_401_invalid_token(api):
    api.token("tim1")
    for header in ("Bearer not-a-token", "Basic dGltMTpkZW1vMTIzNDU=", "Bearer",
                   "Bearer " + "x" * 600, "Token " + api.token("tim1")):
        response = api.http.get(f"{API}/tasks", headers={"Authorization": header})
        refused(response, 401, "invalid_token")
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_expired_token_is_refused(api):
    token = api.token("tim1")
    headers = {"Authorization": f"Bearer {token}"}
    assert api.http.get(f"{API}/tasks", headers=headers).status_code == 200
    api.clock.now = T0 + timedelta(hours=12)
    refused(api.http.get(f"{API}/tasks", headers=headers), 401, "invalid_token")


def test_session_cookie_is_not_accepted(api):
    """A signed session cookie that names a user, as Flask-Login writes it, grants nothing here."""
    with api.http.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = "1", True
    refused(api.http.get(f"{API}/tasks"), 401, "unauthenticated")
    refused(api.http.post(f"{API}/instances", json={"data": {}}), 401, "unauthenticated")
