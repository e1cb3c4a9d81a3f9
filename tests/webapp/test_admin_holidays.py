"""`/admin/libur`: a year's holidays, adding and changing a day (refusals keep what was
typed), and the due-date preview and explicit recompute on a real run."""

from __future__ import annotations

from datetime import date

from engine.models import Event, Holiday, HumanTask
from tests.conftest import T0
from tests.support import start_committed
from tests.webapp.test_admin_users import rows, token


def test_only_administrators(client, login):
    login("kepala")
    csrf = token(client, "/akun")
    for path in ("/admin/libur", "/admin/libur/2026-01-01"):
        assert client.get(path).status_code == 403
    for path in ("/admin/libur/baru", "/admin/libur/2026-01-01", "/admin/libur/2026-01-01/hapus",
                 "/admin/libur/isi-ulang", "/admin/libur/hitung-ulang"):
        assert client.post(path, data={"csrf_token": csrf}).status_code == 403


def test_a_year_and_a_refused_day(web_app, client, login):
    login("admin")
    page = client.get("/admin/libur?tahun=2026").get_data(as_text=True)
    assert 'data-day="2026-03-19"' in page
    csrf = token(client, "/admin/libur")
    refused = client.post("/admin/libur/baru", data={
        "csrf_token": csrf, "day": "2026-01-07", "name": "Hari Jadi",
        "kind": "hari_kerja_pengganti", "legal_basis": "Perda 9"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'value="Perda 9"' in text
    assert 'data-testid="error-kind"' in text
    assert not rows(web_app, Holiday, Holiday.on == date(2026, 1, 7))


def test_preview_then_recompute(web_app, client, login):
    factory = web_app.extensions["alur"].session_factory
    instance_id = start_committed(factory, T0)
    login("admin")
    csrf = token(client, "/admin/libur")
    assert client.post("/admin/libur/baru", data={
        "csrf_token": csrf, "day": "2026-01-07", "name": "Hari Jadi", "kind": "libur_daerah",
        "legal_basis": ""}).status_code == 302
    task = rows(web_app, HumanTask, HumanTask.instance_id == instance_id)[0]
    assert task.due_on == date(2026, 1, 12)
    page = client.get("/admin/libur?tahun=2026").get_data(as_text=True)
    assert f'data-task="{task.id}"' in page
    assert client.post("/admin/libur/hitung-ulang", data={"csrf_token": csrf}).status_code == 302
    assert rows(web_app, HumanTask, HumanTask.id == task.id)[0].due_on == date(2026, 1, 13)
    assert rows(web_app, Event, Event.type == "due_dates_recomputed")
    assert client.post("/admin/libur/2026-01-07", data={
        "csrf_token": csrf, "name": "Hari Jadi Kota", "kind": "libur_daerah"}).status_code == 302
    assert client.post("/admin/libur/2026-01-07/hapus", data={"csrf_token": csrf}
                       ).status_code == 302
    assert client.post("/admin/libur/isi-ulang", data={"csrf_token": csrf, "year": "2026"}
                       ).status_code == 302
