"""`/admin/pengguna`: administrators list, add and change people; a refused form keeps
what was typed (400); everyone else gets 403 on every route."""

from __future__ import annotations

from sqlalchemy import select

from engine.models import Event, User
from tests.webapp.conftest import SignIn

OTHERS = ("auditor", "kepala", "tim1", "pj.dinkes", "pemilik")


def token(client, path="/admin/pengguna"):
    return SignIn.csrf_from(client.get(path).get_data(as_text=True))


def rows(web_app, model, *where):
    with web_app.extensions["alur"].session_factory() as session:
        return list(session.scalars(select(model).where(*where)))


def test_only_administrators(client, login):
    login("tim1")
    csrf = token(client, "/akun")
    for path in ("/admin/pengguna", "/admin/pengguna/baru", "/admin/pengguna/1"):
        assert client.get(path).status_code == 403
    for path in ("/admin/pengguna/baru", "/admin/pengguna/2", "/admin/pengguna/2/nonaktifkan",
                 "/admin/pengguna/2/aktifkan", "/admin/pengguna/2/kata-sandi"):
        assert client.post(path, data={"csrf_token": csrf}).status_code == 403


def test_list_search_and_nip_shown_grouped(client, login):
    login("admin")
    page = client.get("/admin/pengguna?q=rina").get_data(as_text=True)
    assert page.count('data-testid="user-row"') == 1 and "19850315 201001 2 002" in page
    page = client.get("/admin/pengguna?role=pj_kinerja&active=1").get_data(as_text=True)
    assert page.count('data-testid="user-row"') == 4


def test_adding_a_person_and_a_refusal_keeps_what_was_typed(web_app, client, login):
    login("admin")
    csrf = token(client)
    form = {"csrf_token": csrf, "username": "budi", "full_name": "Budi Santoso",
            "nip": "1985031520100110", "email": "budi@contoh.go.id", "roles": ["tim_kelembagaan"],
            "password": "rahasia-budi-1"}
    refused = client.post("/admin/pengguna/baru", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'data-testid="error-nip"' in text
    assert 'value="Budi Santoso"' in text and 'value="budi@contoh.go.id"' in text
    assert not rows(web_app, User, User.username == "budi")
    answer = client.post("/admin/pengguna/baru", data={**form, "nip": "198503152010011002"})
    assert answer.status_code == 302
    person = rows(web_app, User, User.username == "budi")[0]
    assert person.email == "budi@contoh.go.id" and person.nip == "198503152010011002"
    assert rows(web_app, Event, Event.type == "user_created")[-1].payload["username"] == "budi"


def test_an_admin_cannot_deactivate_themselves(web_app, client, login):
    login("admin")
    admin = rows(web_app, User, User.username == "admin")[0]
    answer = client.post(f"/admin/pengguna/{admin.id}/nonaktifkan",
                         data={"csrf_token": token(client)})
    assert answer.status_code == 409 and 'data-testid="problem"' in answer.get_data(as_text=True)
    assert rows(web_app, User, User.username == "admin")[0].is_active


def test_deactivate_and_reset_password(web_app, client, login):
    login("admin")
    tim2 = rows(web_app, User, User.username == "tim2")[0]
    csrf = token(client)
    assert client.post(f"/admin/pengguna/{tim2.id}/nonaktifkan",
                       data={"csrf_token": csrf}).status_code == 302
    assert not rows(web_app, User, User.username == "tim2")[0].is_active
    short = client.post(f"/admin/pengguna/{tim2.id}/kata-sandi",
                        data={"csrf_token": csrf, "password": "short"})
    assert short.status_code == 400
    assert client.post(f"/admin/pengguna/{tim2.id}/kata-sandi",
                       data={"csrf_token": csrf, "password": "rahasia-baru-9"}).status_code == 302
    assert rows(web_app, Event, Event.type == "password_reset")
