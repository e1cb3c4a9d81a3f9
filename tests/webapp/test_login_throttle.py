"""Guessing passwords on the sign-in page: after five failures the username is locked (429,
Retry-After, an Indonesian message), the right password included, although each failure
answered 401 and so rolled back the request's own transaction."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engine.events import EventType
from engine.models import Event, LoginAttempt
from engine.services.demo import DEMO_PASSWORD
from tests.conftest import T0
from tests.webapp.conftest import SignIn
from tests.webapp.inbox_support import app_session, squash, text_of


def post_login(client, username: str, password: str):
    token = SignIn.csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "username": username,
                                       "password": password})


def count(web_app, model, *where) -> int:
    with app_session(web_app) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_thirty_wrong_then_the_right_password_is_refused(web_app, client):
    answers = [post_login(client, "tim1", f"salah{i}").status_code for i in range(30)]
    assert answers == [401] * 5 + [429] * 25
    right = post_login(client, "tim1", DEMO_PASSWORD)
    assert right.status_code == 429
    assert right.headers["Retry-After"] == str(15 * 60)
    page = squash(text_of(right))
    assert "Terlalu banyak percobaan masuk. Coba lagi dalam 15 menit." in page
    assert 'value="tim1"' in right.get_data(as_text=True)  # what was typed stays
    assert client.get("/").status_code == 302  # not signed in
    assert count(web_app, LoginAttempt, LoginAttempt.succeeded.is_(False)) == 5
    assert count(web_app, Event, Event.type == EventType.SIGN_IN_LOCKED) == 1


def test_the_lock_lifts_after_the_window_and_the_sign_in_is_logged(web_app, client, login):
    for _ in range(5):
        assert post_login(client, "kepala", "salah").status_code == 401
    web_app.config["NOW"] = T0 + timedelta(minutes=14)
    assert post_login(client, "kepala", DEMO_PASSWORD).headers["Retry-After"] == "60"
    web_app.config["NOW"] = T0 + timedelta(minutes=15)
    login("kepala")
    assert client.get("/").status_code == 200
    with app_session(web_app) as session:
        [event] = session.scalars(select(Event).where(Event.type == EventType.USER_SIGNED_IN))
    assert event.instance_id is None and event.payload == {"client": "127.0.0.1", "via": "page"}


def test_a_wrong_password_keeps_the_username_and_says_so(client):
    response = post_login(client, "tim2", "salah")
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in squash(text_of(response))
    assert 'value="tim2"' in response.get_data(as_text=True)
