"""`/admin/opd` and `/admin/lajur`: OPDs and lane -> role defaults, administrators only;
refused input keeps what was typed (400); each change is an audit event."""

from __future__ import annotations

from sqlalchemy import select

from engine.models import Event, LaneRoleDefault, Opd
from tests.webapp.test_admin_users import rows, token


def test_only_administrators(client, login):
    login("pemilik")
    csrf = token(client, "/akun")
    for path in ("/admin/opd", "/admin/opd/1", "/admin/lajur"):
        assert client.get(path).status_code == 403
    for path in ("/admin/opd/baru", "/admin/opd/1", "/admin/opd/1/status", "/admin/lajur"):
        assert client.post(path, data={"csrf_token": csrf}).status_code == 403


def test_opds(web_app, client, login):
    login("admin")
    csrf = token(client, "/admin/opd")
    refused = client.post("/admin/opd/baru", data={"csrf_token": csrf, "code": "DINKES",
                                                   "name": "Dinas Kesehatan Baru"})
    assert refused.status_code == 400 and 'value="Dinas Kesehatan Baru"' in refused.get_data(
        as_text=True)
    assert client.post("/admin/opd/baru", data={"csrf_token": csrf, "code": "arsip",
                                                "name": "Dinas Kearsipan"}).status_code == 302
    opd = rows(web_app, Opd, Opd.code == "ARSIP")[0]
    assert client.post(f"/admin/opd/{opd.id}", data={"csrf_token": csrf, "name": " "}
                       ).status_code == 400
    assert client.post(f"/admin/opd/{opd.id}/status", data={"csrf_token": csrf, "active": "0"}
                       ).status_code == 302
    assert not rows(web_app, Opd, Opd.code == "ARSIP")[0].is_active
    new_user_form = client.get("/admin/pengguna/baru").get_data(as_text=True)
    assert "ARSIP ·" not in new_user_form  # an inactive OPD takes nobody new
    assert [e.type for e in rows(web_app, Event, Event.type.in_(["opd_created", "opd_updated"]))
            ] == ["opd_created", "opd_updated"]


def test_lane_defaults(web_app, client, login):
    login("admin")
    page = client.get("/admin/lajur").get_data(as_text=True)
    assert page.count('data-testid="lane-row"') == 3
    csrf = token(client, "/admin/lajur")
    refused = client.post("/admin/lajur", data={"csrf_token": csrf, "new_lane": "Lajur Baru",
                                                "new_role": "raja"})
    assert refused.status_code == 400 and 'value="Lajur Baru"' in refused.get_data(as_text=True)
    assert not rows(web_app, LaneRoleDefault)
    answer = client.post("/admin/lajur", data={"csrf_token": csrf, "new_lane": "Lajur Baru",
                                               "new_role": "auditor"})
    assert answer.status_code == 302
    with web_app.extensions["alur"].session_factory() as session:
        assert session.scalars(select(LaneRoleDefault.role)).all() == ["auditor"]
    assert rows(web_app, Event, Event.type == "lane_roles_changed")[0].payload == {
        "changes": {"Lajur Baru": [None, "auditor"]}}
