"""Page sessions live on the server: a cookie copied before sign-out, after the idle limit or
past the absolute lifetime opens nothing, and says so on the sign-in page with `next` kept;
the language chosen before sign-in survives it; last_seen_at is written at most once a
minute, beside read-only GETs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.events import EventType
from engine.models import Event, UserSession
from tests.conftest import T0
from tests.webapp.inbox_support import app_session, squash, text_of

ENDED = "Sesi Anda telah berakhir"


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def session_rows(web_app) -> list[UserSession]:
    with app_session(web_app) as session:
        return list(session.scalars(select(UserSession).order_by(UserSession.id)))


def refused_to_login(client, path: str) -> str:
    """The page answers with the sign-in page (next kept) and the ended-session message."""
    response = client.get(path)
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"].startswith("/login?next=")
    page = squash(text_of(client.get(response.headers["Location"])))
    assert ENDED in page
    return response.headers["Location"]


def test_a_cookie_copied_before_sign_out_is_refused_after_it(web_app, client, login):
    login("tim1")
    copied = cookie_of(client)
    assert client.get("/").status_code == 200
    assert login.logout().status_code == 302
    thief = web_app.test_client()
    thief.set_cookie("session", copied)
    location = refused_to_login(thief, "/instances?status=running")
    assert location == "/login?next=%2Finstances%3Fstatus%3Drunning"
    [row] = session_rows(web_app)
    assert (row.ended_at, row.end_reason) == (T0, "logout")
    with app_session(web_app) as session:
        [event] = session.scalars(select(Event).where(Event.type == EventType.USER_SIGNED_OUT))
    assert event.payload == {"everywhere": False, "sessions_ended": 1, "tokens_revoked": 0}


def test_an_idle_session_ends_and_next_is_kept(web_app, client, login):
    login("tim1")
    web_app.config["NOW"] = T0 + timedelta(minutes=31)
    refused_to_login(client, "/")
    [row] = session_rows(web_app)
    assert row.end_reason == "idle"
    # signing in again works and goes where the person was going
    login("tim1")
    assert client.get("/").status_code == 200


def test_the_absolute_lifetime_holds_however_busy_the_session(web_app, client, login):
    login("tim1")
    for minutes in range(20, 12 * 60, 20):
        web_app.config["NOW"] = T0 + timedelta(minutes=minutes)
        assert client.get("/").status_code == 200
    web_app.config["NOW"] = T0 + timedelta(hours=12)
    refused_to_login(client, "/")
    assert session_rows(web_app)[0].end_reason == "expired"


def test_last_seen_is_written_at_most_once_a_minute(web_app, client, login):
    login("tim1")
    web_app.config["NOW"] = T0 + timedelta(seconds=50)
    client.get("/")
    assert session_rows(web_app)[0].last_seen_at == T0
    web_app.config["NOW"] = T0 + timedelta(minutes=2)
    client.get("/")  # a read-only GET: the touch commits in a transaction of its own
    assert session_rows(web_app)[0].last_seen_at == T0 + timedelta(minutes=2)


def test_the_cookie_expires_with_the_session_and_carries_no_user_data(client, login):
    response = login("tim1")
    header = response.headers["Set-Cookie"]
    assert "Expires=" in header and "HttpOnly" in header
    assert "tim1" not in header


def test_the_language_chosen_before_sign_in_survives_it(client, login):
    page = client.get("/login")
    token = login.csrf_from(page.get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "lang": "en", "next": "/login"})
    login("tim1")
    html = squash(text_of(client.get("/")))
    assert "My tasks" in html and "Sign out" in html


def test_a_session_of_a_deactivated_user_ends(web_app, client, login):
    from engine.services import users
    from tests.support import user

    login("tim2")
    with app_session(web_app) as session:
        users.deactivate_user(session, user(session, "tim2"), T0)
    refused_to_login(client, "/")


def test_signing_in_over_a_dead_session_cookie_does_not_wait_on_itself(web_app, client, login):
    """The sign-in form posted from a tab opened while the session was alive: the user loader
    reads the dead session in the request's write transaction, which must not keep the lock
    the sign-in's own transaction needs (SQLite: a 15 s wait, then a 500)."""
    import time

    login("tim1")
    token = login.csrf_from(client.get("/").get_data(as_text=True))
    web_app.config["NOW"] = T0 + timedelta(minutes=45)
    started = time.monotonic()
    response = client.post("/login", data={"csrf_token": token, "username": "tim1",
                                           "password": "demo12345"})
    assert response.status_code == 302 and time.monotonic() - started < 10
    assert client.get("/").status_code == 200
    assert [row.end_reason for row in session_rows(web_app)] == ["idle", None]
