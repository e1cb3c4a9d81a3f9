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


# ---- revocation, listing and throttling ----------------------------------------------------


def issue(api, username="tim1", password="demo12345", **extra):
    return api.http.post(f"{API}/auth/token",
                         json={"username": username, "password": password, **extra})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_the_calling_token_can_be_revoked(api):
    body = api.ok(issue(api, label="skrip laporan"), 201)
    assert body["label"] == "skrip laporan" and isinstance(body["id"], int)
    headers = bearer(body["token"])
    assert api.http.get(f"{API}/tasks", headers=headers).status_code == 200
    response = api.http.delete(f"{API}/auth/token", headers=headers)
    assert response.status_code == 204 and response.data == b""
    again = api.http.get(f"{API}/tasks", headers=headers)
    refused(again, 401, "invalid_token")
    assert 'error="invalid_token"' in again.headers["WWW-Authenticate"]


def test_tokens_are_listed_without_hashes_and_revoked_one_by_one(api):
    first = api.ok(issue(api, label="satu"), 201)
    second = api.ok(issue(api), 201)
    other = api.ok(issue(api, "tim2"), 201)
    listed = api.ok(api.http.get(f"{API}/auth/tokens", headers=bearer(second["token"])))
    assert [row["id"] for row in listed["items"]] == [second["id"], first["id"]]
    assert set(listed["items"][0]) == {"id", "label", "created_at", "expires_at",
                                       "last_used_at", "revoked_at"}
    assert first["token"] not in str(listed) and "hash" not in str(listed)
    # another person's token is not there to revoke
    refused(api.http.delete(f"{API}/auth/tokens/{other['id']}", headers=bearer(first["token"])),
            404, "token_not_found")
    assert api.http.get(f"{API}/tasks", headers=bearer(other["token"])).status_code == 200
    assert api.http.delete(f"{API}/auth/tokens/{first['id']}",
                           headers=bearer(second["token"])).status_code == 204
    refused(api.http.get(f"{API}/tasks", headers=bearer(first["token"])), 401, "invalid_token")
    listed = api.ok(api.http.get(f"{API}/auth/tokens", headers=bearer(second["token"])))
    assert listed["items"][1]["revoked_at"] == T0.isoformat()
    assert api.http.delete(f"{API}/auth/tokens/99999999999",
                           headers=bearer(second["token"])).status_code == 404


def test_last_used_is_noted_at_most_once_a_minute(api):
    body = api.ok(issue(api), 201)
    headers = bearer(body["token"])

    def last_used():
        items = api.ok(api.http.get(f"{API}/auth/tokens", headers=headers))["items"]
        return items[0]["last_used_at"]

    last_used()  # a use, in a read-only GET: noted in a transaction of its own
    assert last_used() == T0.isoformat()
    api.clock.now = T0 + timedelta(seconds=30)
    assert last_used() == T0.isoformat()
    api.clock.now = T0 + timedelta(minutes=2)
    last_used()
    assert last_used() == (T0 + timedelta(minutes=2)).isoformat()


def test_thirty_wrong_then_the_right_password_is_429(api):
    statuses = [issue(api, password=f"salah{i}").status_code for i in range(30)]
    assert statuses == [401] * 5 + [429] * 25
    response = issue(api)
    body = refused(response, 429, "too_many_attempts")
    assert body["error"]["details"] == {"retry_after": 900}
    assert response.headers["Retry-After"] == "900"
    api.clock.now = T0 + timedelta(minutes=15)
    assert issue(api).status_code == 201


def test_the_page_and_the_api_share_one_count(api):
    from tests.webapp.conftest import SignIn

    for _ in range(3):
        issue(api, "kepala", "salah")
    page = api.http.get("/login")
    token = SignIn.csrf_from(page.get_data(as_text=True))
    for _ in range(2):
        answer = api.http.post("/login", data={"csrf_token": token, "username": "kepala",
                                               "password": "salah"})
        assert answer.status_code == 401
    refused(issue(api, "kepala"), 429, "too_many_attempts")
