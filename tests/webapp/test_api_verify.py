"""GET /api/v1/instances/{id}/verify: audit readers only, the verdict with its message in
the caller's language, the first broken event named."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.support import Translations
from sqlalchemy import select, update

from engine.db import unit_of_work
from engine.models import Event, HumanTask
from engine.models.tasks import TASK_OPEN
from engine.services import documents
from tests.conftest import T0
from tests.support import user
from tests.webapp.api_support import (
    ApiClient,
    Clock,
    api_template_fixture,  # noqa: F401  (registers the fixture)
    close_client,
    start_instance,
)

TRANSLATIONS = Path(__file__).resolve().parents[2] / "webapp" / "translations"


@pytest.fixture()
def api(api_template, tmp_path, monkeypatch) -> Iterator[ApiClient]:
    """Like api_support's client, with uploads in a folder of the test's own."""
    from webapp import create_app

    monkeypatch.setenv("ALUR_SECRET_KEY", "api-tests-only")
    target = tmp_path / "api.sqlite3"
    with sqlite3.connect(api_template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    clock = Clock(T0)
    app = create_app({"DATABASE_URL": f"sqlite:///{target}", "TESTING": True, "NOW": clock,
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    client = ApiClient(app, clock)
    yield client
    close_client(client)


def verify(api: ApiClient, username: str, instance_id: int):
    return api.get(username, f"/instances/{instance_id}/verify")


def indonesian(msgid: str, params: dict) -> str:
    return Translations.load(str(TRANSLATIONS), ["id"]).gettext(msgid) % params


@pytest.mark.parametrize("username", ["auditor", "admin", "kepala"])
def test_audit_readers_get_the_verdict(api, username):
    run = start_instance(api)
    answer = api.ok(verify(api, username, run["id"]))
    assert answer["ok"] and answer["signature_ok"] and answer["broken_seq"] is None
    assert answer["instance_id"] == run["id"] and answer["events_checked"] >= 2
    assert answer["message"] == indonesian(
        "Verified: %(events)s events, their head and %(checkpoints)s checkpoint entries hold",
        answer["params"])


@pytest.mark.parametrize("username", ["tim1", "pj.dinkes", "pemilik"])
def test_everyone_else_gets_403_json(api, username):
    run = start_instance(api)
    response = verify(api, username, run["id"])
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "audit_only"


def test_an_unknown_run_is_404_json_and_no_token_401(api):
    response = verify(api, "auditor", 4242)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "instance_not_found"
    assert api.http.get("/api/v1/instances/1/verify").status_code == 401


def test_an_edited_event_is_named(api):
    run = start_instance(api)
    with unit_of_work(api.session_factory) as session:
        session.execute(update(Event).where(Event.instance_id == run["id"], Event.seq == 2)
                        .values(payload={"diubah": True}))
        session.commit()
    answer = api.ok(verify(api, "auditor", run["id"]))
    assert (answer["ok"], answer["problem"], answer["broken_seq"]) == (False, "hash_mismatch", 2)
    assert answer["message"] == indonesian("Event %(seq)s was changed after it was recorded",
                                           {"seq": 2})


def test_a_document_changed_on_disk_is_named(api):
    run = start_instance(api)
    storage = Path(api.app.config["UPLOAD_DIR"])
    with unit_of_work(api.session_factory) as session:
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == run["id"],
                                                       HumanTask.state == TASK_OPEN)).first()
        documents.add_document(session, user(session, "tim1"), task.id, "bukti.txt",
                               io.BytesIO(b"bukti dukung\n"), T0, storage_dir=storage,
                               max_bytes=1024)
        seq = session.scalar(select(Event.seq).where(Event.instance_id == run["id"],
                                                     Event.type == "document_added"))
        session.commit()
    assert api.ok(verify(api, "auditor", run["id"]))["documents_checked"] == 1
    next(path for path in storage.rglob("*") if path.is_file()).write_bytes(b"palsu\n")
    answer = api.ok(verify(api, "auditor", run["id"]))
    assert (answer["problem"], answer["broken_seq"]) == ("document_changed", seq)
    assert "bukti.txt" in answer["message"]
