"""The audit bundle over HTTP: GET /api/v1/instances/<id>/audit-bundle (bearer token) and the
page route /audit/pelaksanaan/<id>/bundel (signed-in session), on SQLite and PostgreSQL.

The run is the one of tests/engine/services/test_bundles.py (documents, a late step, a
checkpoint), committed into the app's own database with its documents in the app's upload
folder, so the zip that comes back is checked by the offline verifier too.
"""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from engine.models import ProcessInstance
from tests.conftest import PG_SKIP, PG_URL, isolated_database
from tests.engine.services.test_bundles import LATE, drive_sop_run
from tests.webapp.api_support import ApiClient, Clock
from tests.webapp.api_support import api_template_fixture as api_template  # noqa: F401
from tests.webapp.conftest import SignIn

NOW = LATE + timedelta(days=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, api_template, tmp_path, monkeypatch):  # noqa: F811
    """The web app over a database of its own, documents in tmp_path/uploads."""
    from webapp import create_app

    monkeypatch.setenv("ALUR_SECRET_KEY", "bundle-tests-only")
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip(PG_SKIP)
        url = isolated_database(PG_URL, "bundles_api", tmp_path)
    else:
        target = tmp_path / "bundles.sqlite3"
        with sqlite3.connect(api_template) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        url = f"sqlite:///{target}"
    app = create_app({"DATABASE_URL": url, "TESTING": True, "NOW": NOW,
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    yield app
    app.extensions["alur"].engine.dispose()


@pytest.fixture()
def run(app):
    """The SOP run, committed; returns (instance id, registration no)."""
    with app.extensions["alur"].session_factory() as session:
        driven = drive_sop_run(session, Path(app.config["UPLOAD_DIR"]))
        session.commit()
        number = session.get(ProcessInstance, driven.instance_id).registration_no
    return driven.instance_id, number


@pytest.fixture()
def api(app) -> ApiClient:
    return ApiClient(app, Clock(NOW))


def bundle_path(instance_id: int) -> str:
    return f"/instances/{instance_id}/audit-bundle"


def test_an_auditor_downloads_a_bundle_that_verifies(api, run, tmp_path):
    instance_id, number = run
    response = api.get("auditor", bundle_path(instance_id))
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"audit-{number}.zip" in disposition
    assert response.headers["Cache-Control"].startswith("private")
    data = response.get_data()
    response.close()
    assert int(response.headers["Content-Length"]) == len(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        script = archive.read("verify_bundle.py")
    assert manifest["instance"]["id"] == instance_id
    assert manifest["server_verification"]["ok"] is True
    (tmp_path / "check").mkdir()
    (tmp_path / "check" / "verify_bundle.py").write_bytes(script)
    (tmp_path / "check" / "bundle.zip").write_bytes(data)
    result = subprocess.run([sys.executable, "-I", "verify_bundle.py", "bundle.zip"],
                            cwd=tmp_path / "check", capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("username", ["pj.dinkes", "tim1"])
def test_others_get_403_json(api, run, username):
    instance_id, _ = run
    response = api.get(username, bundle_path(instance_id))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "audit_only"


def test_an_unknown_run_is_404_json(api, run):
    response = api.get("auditor", bundle_path(2**31 - 1))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "instance_not_found"


def test_without_a_token_is_401(api, run):
    instance_id, _ = run
    assert api.get(None, bundle_path(instance_id)).status_code == 401


# ---- the page route ---------------------------------------------------------------------------

def test_the_page_route_gives_the_same_zip(app, api, run):
    instance_id, number = run
    client = app.test_client()
    SignIn(client)("auditor")
    page = client.get(f"/audit/pelaksanaan/{instance_id}/bundel")
    assert page.status_code == 200 and page.mimetype == "application/zip"
    assert f"audit-{number}.zip" in page.headers["Content-Disposition"]
    from_page = page.get_data()
    page.close()
    from_api = api.get("auditor", bundle_path(instance_id))
    with zipfile.ZipFile(io.BytesIO(from_page)) as one, \
            zipfile.ZipFile(io.BytesIO(from_api.get_data())) as other:
        assert json.loads(one.read("manifest.json")) == json.loads(other.read("manifest.json"))
    from_api.close()


def test_the_page_route_refuses_others_with_a_page(app, run):
    instance_id, _ = run
    client = app.test_client()
    SignIn(client)("pj.dinkes")
    page = client.get(f"/audit/pelaksanaan/{instance_id}/bundel")
    assert page.status_code == 403
    assert page.mimetype == "text/html"


def test_the_page_route_asks_to_sign_in(app, run):
    instance_id, _ = run
    page = app.test_client().get(f"/audit/pelaksanaan/{instance_id}/bundel")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_the_page_route_for_an_unknown_run_is_404(app, run):
    client = app.test_client()
    SignIn(client)("auditor")
    assert client.get("/audit/pelaksanaan/999999/bundel").status_code == 404

