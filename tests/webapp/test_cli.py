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
