"""Akun saya: one's sessions (this one marked) and API tokens, ending them, signing out on
every device, and a new password that ends the other sessions and every token."""

from __future__ import annotations

from sqlalchemy import select

from engine.models import UserSession
from tests.webapp.conftest import SignIn
from tests.webapp.inbox_support import app_session, post_form, squash, text_of

NEW_PASSWORD = "kata-sandi-baru-1"


def second_device(web_app, username: str = "tim1"):
    other = web_app.test_client()
    SignIn(other)(username)
    return other


def api_token(client, username: str = "tim1", password: str = "demo12345") -> str:
    response = client.post("/api/v1/auth/token", json={"username": username,
                                                       "password": password,
                                                       "label": "skrip laporan"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def api_works(client, token: str) -> bool:
    status = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    return status.status_code == 200


def session_ids(web_app, username: str) -> list[int]:
    from engine.models import User

    with app_session(web_app) as session:
        return list(session.scalars(select(UserSession.id).join(User)
                                    .where(User.username == username)
                                    .order_by(UserSession.id)))


def test_the_page_lists_sessions_and_tokens(web_app, client, login):
    login("tim1")
    second_device(web_app)
    api_token(client)
    html = client.get("/akun", headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) "
                                                      "Chrome/130.0 Mobile"}).get_data(as_text=True)
    page = squash(html)
    assert "Akun saya" in page and "Sesi aktif" in page and "Token API" in page
    assert html.count('data-testid="session-row"') == 2
    assert html.count('data-testid="this-session"') == 1
    assert html.count('data-testid="end-session"') == 1
    assert "skrip laporan" in page and html.count('data-testid="token-row"') == 1
    assert 'href="/akun" aria-current="page"' in html


def test_ending_the_other_session_signs_that_device_out(web_app, client, login):
    login("tim1")
    other = second_device(web_app)
    mine, theirs = session_ids(web_app, "tim1")
    response = post_form(client, f"/akun/sessions/{theirs}/end", {}, page="/akun")
    assert response.status_code == 302
    assert other.get("/").status_code == 302
    assert client.get("/").status_code == 200
    # this session is ended by signing out, not here; another person's is not there at all
    assert post_form(client, f"/akun/sessions/{mine}/end", {}, page="/akun").status_code == 404
    kepala = second_device(web_app, "kepala")
    [kepala_session] = session_ids(web_app, "kepala")
    answer = post_form(client, f"/akun/sessions/{kepala_session}/end", {}, page="/akun")
    assert answer.status_code == 404
    assert kepala.get("/").status_code == 200


def test_revoking_a_token_from_the_page(web_app, client, login):
    login("tim1")
    token = api_token(client)
    html = client.get("/akun").get_data(as_text=True)
    action = html.split('action="/akun/tokens/')[1].split('"')[0]
    assert post_form(client, f"/akun/tokens/{action}", {}, page="/akun").status_code == 302
    assert not api_works(client, token)
    assert 'data-testid="no-tokens"' in client.get("/akun").get_data(as_text=True)


def test_sign_out_everywhere_ends_every_session_and_token(web_app, client, login):
    login("tim1")
    other = second_device(web_app)
    token = api_token(client)
    response = post_form(client, "/akun/sign-out-everywhere", {}, page="/akun")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = squash(text_of(client.get("/login")))
    assert "Anda telah keluar dari semua perangkat" in page
    assert client.get("/").status_code == 302 and other.get("/").status_code == 302
    assert not api_works(client, token)


def test_a_wrong_or_weak_new_password_is_refused_with_a_message(client, login):
    login("tim1")
    for form, message in (
        ({"current_password": "salah", "new_password": NEW_PASSWORD,
          "confirm_password": NEW_PASSWORD}, "Kata sandi saat ini salah"),
        ({"current_password": "demo12345", "new_password": "pendek",
          "confirm_password": "pendek"}, "Kata sandi minimal 10 karakter"),
        ({"current_password": "demo12345", "new_password": NEW_PASSWORD,
          "confirm_password": NEW_PASSWORD + "x"}, "Kedua kata sandi baru tidak sama"),
    ):
        response = post_form(client, "/akun/password", form, page="/akun")
        assert response.status_code == 400
        assert message in squash(text_of(response))
        assert NEW_PASSWORD not in response.get_data(as_text=True)


def test_a_new_password_ends_the_other_sessions_and_tokens(web_app, client, login):
    login("tim1")
    other = second_device(web_app)
    token = api_token(client)
    response = post_form(client, "/akun/password",
                         {"current_password": "demo12345", "new_password": NEW_PASSWORD,
                          "confirm_password": NEW_PASSWORD}, page="/akun")
    assert response.status_code == 302
    assert client.get("/akun").status_code == 200  # this device stays signed in
    assert other.get("/").status_code == 302
    assert not api_works(client, token)
    assert api_works(client, api_token(client, password=NEW_PASSWORD))


def test_the_forms_need_their_csrf_token(client, login):
    login("tim1")
    assert client.post("/akun/sign-out-everywhere").status_code == 400
    assert client.get("/").status_code == 200


# ---- mail: which notices, in which language ------------------------------------------------

def mail_settings(web_app, username: str = "tim1") -> tuple[dict, str | None]:
    from engine.models import User
    from engine.services import notifications

    with app_session(web_app) as session:
        person = session.scalars(select(User).where(User.username == username)).one()
        return notifications.preferences_of(session, person.id), person.locale


def checked(html: str, kind: str) -> bool:
    tag = html.split(f'data-testid="notify-{kind}"')[1].split(">")[0]
    return " checked" in tag


def test_mail_settings_start_all_on_and_say_when_there_is_no_address(web_app, client, login):
    login("tim1")
    html = client.get("/akun").get_data(as_text=True)
    assert 'data-testid="account-mail"' in html and 'data-testid="no-email"' in html
    assert all(checked(html, kind) for kind in ("assigned", "due_soon", "overdue", "reassigned"))
    assert '<option value="id" lang="id" selected>' in html
    from engine.models import User

    with app_session(web_app) as session:
        session.scalars(select(User).where(User.username == "tim1")).one().email = "rina@x.id"
    html = client.get("/akun").get_data(as_text=True)
    assert 'data-testid="no-email"' not in html and "rina@x.id" in html


def test_saving_mail_settings(web_app, client, login):
    login("tim1")
    response = post_form(client, "/akun/notifications",
                         [("notify", "assigned"), ("notify", "overdue"), ("locale", "en")],
                         page="/akun")
    assert response.status_code == 302 and response.headers["Location"] == "/akun"
    assert mail_settings(web_app) == ({"assigned": True, "due_soon": False, "overdue": True,
                                       "reassigned": False}, "en")
    html = client.get("/akun").get_data(as_text=True)
    assert checked(html, "assigned") and not checked(html, "due_soon")
    assert '<option value="en" lang="en" selected>' in html


def test_bad_mail_settings_are_refused_and_keep_what_was_chosen(web_app, client, login):
    login("tim1")
    before = mail_settings(web_app)
    for form, code in (
        ([("notify", "due_soon"), ("locale", "fr")], "locale"),
        ([("notify", "due_soon"), ("notify", "everything"), ("locale", "en")], "notice"),
    ):
        response = post_form(client, "/akun/notifications", form, page="/akun")
        html = response.get_data(as_text=True)
        assert response.status_code == 400, code
        assert 'data-testid="mail-error"' in html
        assert checked(html, "due_soon") and not checked(html, "assigned")  # as submitted
        assert mail_settings(web_app) == before
    assert '<option value="en" lang="en" selected>' in html
    assert client.post("/akun/notifications", data={"locale": "en"}).status_code == 400  # no CSRF
    assert mail_settings(web_app) == before
