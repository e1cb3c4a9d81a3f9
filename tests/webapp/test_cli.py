"""`flask alur deploy`: the shared validation, a clear refusal and an audit trace."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.db import read_only
from engine.models import Event
from tests.conftest import isolated_database
from tests.support import SOP_BPMN, make_factory
from webapp import create_app

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"


@pytest.fixture()
def cli_app(database_url, tmp_path):
    url = isolated_database(database_url, "cli", tmp_path)
    return create_app({"DATABASE_URL": url, "TESTING": True}), url


def test_deploy_refuses_scripts_naming_each_element(cli_app, tmp_path):
    app, url = cli_app
    target = tmp_path / "script-injection.bpmn"
    target.write_bytes((HOSTILE / "script-injection.bpmn").read_bytes())
    (tmp_path / "lane-roles.toml").write_text((SOP_BPMN.parent / "lane-roles.toml").read_text())
    result = app.test_cli_runner().invoke(args=["alur", "deploy", str(target)])
    assert result.exit_code == 1
    for element_id in ("evil_script", "f_evil", "f_evil2"):
        assert f"  - {element_id}:" in result.output
    factory = make_factory(url)
    with read_only(factory) as session:
        rejected = session.scalars(select(Event).where(Event.type == "deployment_rejected")).all()
    factory.kw["bind"].dispose()
    assert len(rejected) == 1 and rejected[0].payload["filename"] == "script-injection.bpmn"


def test_deploy_the_sop_again_is_unchanged(cli_app):
    app, _ = cli_app
    result = app.test_cli_runner().invoke(args=["alur", "deploy", str(SOP_BPMN)])
    assert result.exit_code == 0, result.output
    assert "unchanged: sop-pengelolaan-kinerja.bpmn version 1" in result.output


# ---- accounts and OPDs from the shell ------------------------------------------------------


def run(app, *args, stdin: str | None = None):
    return app.test_cli_runner().invoke(args=["alur", *args], input=stdin)


def test_first_administrator_from_the_shell_can_sign_in(cli_app):
    app, _ = cli_app
    added = run(app, "user", "add", "kepala.bagian", "--name", "Kepala Bagian PBJ",
                "--role", "admin", "--role", "kepala_ukpbj",
                stdin="rahasia-kantor-1\nrahasia-kantor-1\n")
    assert added.exit_code == 0, added.output
    assert "added: kepala.bagian (admin, kepala_ukpbj)" in added.output
    assert "rahasia-kantor-1" not in added.output  # asked with hide_input
    client = app.test_client()
    response = client.post("/api/v1/auth/token",
                           json={"username": "kepala.bagian", "password": "rahasia-kantor-1"})
    assert response.status_code == 201, response.get_json()
    listed = run(app, "user", "list")
    line = next(row for row in listed.output.splitlines() if row.startswith("kepala.bagian"))
    assert line.split()[-3:] == ["admin,kepala_ukpbj", "-", "yes"]


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["--role", "boss"], None, "Unknown role (unknown_role)"),
    (["--role", "pj_kinerja"], "panjang-sekali\n", "A PJ Kinerja needs an OPD (opd_required)"),
    (["--role", "pj_kinerja", "--opd", "NOPE"], "panjang-sekali\n", "(opd_not_found)"),
    (["--role", "tim_kelembagaan"], "pendek\n", "(password_too_short)"),
])
def test_user_add_refuses_clearly(cli_app, args, stdin, message):
    app, _ = cli_app
    result = run(app, "user", "add", "baru", "--name", "Baru", *args, "--password-stdin",
                 stdin=stdin)
    assert result.exit_code == 1 and message in result.output
    assert "baru" not in run(app, "user", "list").output.split()


def test_duplicate_username_is_refused(cli_app):
    app, _ = cli_app
    result = run(app, "user", "add", "tim1", "--name", "Lagi", "--role", "tim_kelembagaan",
                 "--password-stdin", stdin="panjang-sekali\n")
    assert result.exit_code == 1 and "(username_taken)" in result.output


def test_set_password_and_deactivate_cut_off_tokens(cli_app):
    app, _ = cli_app
    client = app.test_client()
    token = client.post("/api/v1/auth/token",
                        json={"username": "tim2", "password": "demo12345"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    changed = run(app, "user", "set-password", "tim2", "--password-stdin",
                  stdin="kata-sandi-baru\n")
    assert changed.exit_code == 0 and "tokens revoked: 1" in changed.output
    assert client.get("/api/v1/tasks", headers=headers).status_code == 401
    deactivated = run(app, "user", "deactivate", "tim2")
    assert deactivated.exit_code == 0, deactivated.output
    refused = client.post("/api/v1/auth/token",
                          json={"username": "tim2", "password": "kata-sandi-baru"})
    assert refused.status_code == 401
    assert run(app, "user", "deactivate", "nobody").exit_code == 1


def test_opd_add_and_list(cli_app):
    app, _ = cli_app
    assert run(app, "opd", "add", "arsip", "Dinas Kearsipan").exit_code == 0
    again = run(app, "opd", "add", "ARSIP", "Lagi")
    assert again.exit_code == 1 and "(opd_taken)" in again.output
    rows = [line.split(None, 1) for line in run(app, "opd", "list").output.splitlines()]
    assert ["ARSIP", "Dinas Kearsipan                          yes"] in rows
    pj = run(app, "user", "add", "pj.arsip", "--name", "PJ Arsip", "--role", "pj_kinerja",
             "--opd", "arsip", "--password-stdin", stdin="panjang-sekali\n")
    assert pj.exit_code == 0, pj.output
