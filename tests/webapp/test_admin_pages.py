"""The administrators' pages: the signing key (`/admin/kunci`: key id, public key PEM to
copy or download, fingerprint, key file, latest checkpoints) and the auditors' reads
(`/admin/bacaan`: who read which run, what and when; filters; bad filters named beside
their fields). Administrators only: everyone else gets 403."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from flask import url_for
from sqlalchemy import select

from engine.db import unit_of_work
from engine.models import ChainCheckpoint, ProcessInstance
from engine.services import checkpoints
from engine.signing import public_key_path
from tests.conftest import PG_SKIP, PG_URL, T0
from tests.support import PLANNING, start_committed, user
from tests.webapp.access_support import Visitor, database_for, make_app

OTHERS = ("auditor", "kepala", "tim1", "pj.dinkes", "pemilik")
READ_ROW = re.compile(r'data-testid="read-row"')


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """One run at row 3, two checkpoints of its head, and the auditor's reads of it."""
    if request.param == "postgresql" and not PG_URL:
        pytest.skip(PG_SKIP)
    tmp = tmp_path_factory.mktemp(f"admin-{request.param}")
    app = make_app(database_for(request.param, tmp, "admin_pages"), tmp / "uploads")
    factory = app.extensions["alur"].session_factory
    instance_id = start_committed(factory, T0, PLANNING[:1])
    with unit_of_work(factory) as session:
        checkpoints.write_checkpoint(session, T0)
        session.commit()
    start_committed(factory, T0, PLANNING[:2])  # a second run moves heads: another checkpoint
    with unit_of_work(factory) as session:
        checkpoints.write_checkpoint(session, T0 + timedelta(minutes=5))
        session.commit()
    people = {name: Visitor(app, name) for name in ("admin", *OTHERS)}
    for path in (f"/instances/{instance_id}", "/audit/?q=AK", f"/api/v1/instances/{instance_id}"):
        assert people["auditor"].request("GET", path, buffered=True).status_code == 200
    yield app, instance_id, people
    app.extensions["alur"].engine.dispose()


def get(person: Visitor, path: str, status: int = 200) -> str:
    response = person.request("GET", path, buffered=True)
    assert response.status_code == status, response.get_data(as_text=True)[-1500:]
    return response.get_data(as_text=True)


def test_only_administrators_open_them(world):
    app, _, people = world
    for path in ("/admin/kunci", "/admin/bacaan", "/admin/kunci/publik.pem"):
        get(people["admin"], path)
        for name in OTHERS:
            get(people[name], path, status=403)
        anonymous = app.test_client().get(path, buffered=True)
        assert anonymous.status_code == 302 and "/login" in anonymous.location


def test_the_key_page_shows_the_servers_public_key(world):
    app, _, people = world
    shown = html.unescape(get(people["admin"], "/admin/kunci"))
    signer = app.extensions["alur"].runtime.signer
    key_file = app.extensions["alur"].settings.signing_key_path
    assert f'data-testid="key-id">{signer.key_id}<' in shown
    assert signer.public_key_pem.strip() in shown
    assert public_key_path(Path(key_file)).read_text().strip() in shown
    assert f'data-testid="key-path">{key_file}<' in shown
    raw = serialization.load_pem_public_key(signer.public_key_pem.encode()).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    printed = re.search(r'data-testid="key-fingerprint">([0-9a-f ]+)<', shown).group(1)
    assert printed.replace(" ", "") == hashlib.sha256(raw).hexdigest()
    assert printed.replace(" ", "").startswith(signer.key_id)
    assert 'data-testid="nav-admin"' in shown


def test_the_public_key_downloads_as_a_pem_file(world):
    app, _, people = world
    response = people["admin"].request("GET", "/admin/kunci/publik.pem", buffered=True)
    signer = app.extensions["alur"].runtime.signer
    assert response.get_data(as_text=True) == signer.public_key_pem
    assert f"alur-{signer.key_id}.pub.pem" in response.headers["Content-Disposition"]


def test_the_latest_checkpoints_newest_first(world):
    app, _, people = world
    shown = get(people["admin"], "/admin/kunci")
    with app.extensions["alur"].session_factory() as session:
        written = session.scalars(select(ChainCheckpoint).order_by(
            ChainCheckpoint.seq.desc())).all()
    assert [c.seq for c in written] == [2, 1]
    rows = re.findall(r'data-testid="checkpoint-row">\s*<td class="num">(\d+)</td>', shown)
    assert rows == ["2", "1"]
    for checkpoint in written:
        assert f'title="{checkpoint.hash}">{checkpoint.hash[:12]}…' in shown
        assert f'<td class="num">{checkpoint.head_count}</td>' in shown
    assert "2026" in shown and "WIB" in shown  # when, in the deployment's zone


def test_a_key_file_that_cannot_be_read_is_said_not_500(tmp_path, monkeypatch):
    broken = tmp_path / "signing-key.pem"
    broken.write_text("not a key\n")
    monkeypatch.setenv("ALUR_SIGNING_KEY_FILE", str(broken))
    app = make_app(database_for("sqlite", tmp_path, "broken_key"), tmp_path / "uploads")
    try:
        admin = Visitor(app, "admin")
        shown = get(admin, "/admin/kunci")
        assert 'data-testid="key-problem"' in shown and str(broken) in shown
        assert 'data-testid="no-checkpoints"' in shown
        assert get(admin, "/admin/kunci/publik.pem", status=404)
    finally:
        app.extensions["alur"].engine.dispose()


def test_the_reads_page_says_who_read_which_run_what_and_when(world):
    app, instance_id, people = world
    shown = get(people["admin"], "/admin/bacaan")
    assert len(READ_ROW.findall(shown)) == 3  # the admin's own reads are not recorded
    with app.extensions["alur"].session_factory() as session:
        run = session.get(ProcessInstance, instance_id)
    with app.test_request_context():
        target = "audit.history" if "audit.history" in app.view_functions else "inbox.instance"
        link = url_for(target, instance_id=instance_id)
    assert shown.count(f'href="{link}" data-testid="read-run">{run.registration_no}<') == 2
    assert html.escape(run.title) in shown
    vias = re.findall(r'data-testid="read-via">([^<]+)<', shown)
    assert len(vias) == 3 and len(set(vias)) == 2  # the API read is told apart
    assert f'data-testid="read-path">/api/v1/instances/{instance_id}<' in shown
    assert 'data-testid="read-path">/audit/?q=AK<' in shown
    assert "Auditor" in shown or "auditor" in shown


def test_reads_filtered_by_person_run_and_day(world):
    app, instance_id, people = world
    admin = people["admin"]
    with app.extensions["alur"].session_factory() as session:
        run = session.get(ProcessInstance, instance_id)
        auditor_id = user(session, "auditor").id
    assert len(READ_ROW.findall(get(admin, f"/admin/bacaan?user={auditor_id}"))) == 3
    assert len(READ_ROW.findall(get(admin, f"/admin/bacaan?run={run.registration_no}"))) == 2
    day = T0.date().isoformat()
    assert len(READ_ROW.findall(get(admin, f"/admin/bacaan?from={day}&until={day}"))) == 3
    later = (T0.date() + timedelta(days=1)).isoformat()
    empty = get(admin, f"/admin/bacaan?from={later}")
    assert 'data-testid="empty-state"' in empty


@pytest.mark.parametrize("query, field", [
    ("from=kemarin", "from"),
    ("until=2026-13-01", "until"),
    ("from=2026-02-01&until=2026-01-01", "until"),
    ("run=AK-1999-99999", "run"),
    ("user=abc", "user"),
    ("run=AK%00", "run"),
])
def test_bad_filters_are_named_beside_their_fields(world, query, field):
    app, _, people = world
    shown = get(people["admin"], f"/admin/bacaan?{query}", status=400)
    assert f'data-testid="error-{field}"' in shown
    assert f'aria-describedby="f-{field}-error"' in shown
    typed = query.split("&")[-1].split("=", 1)[1].replace("%00", "\x00")
    assert typed in shown  # what was typed is kept
    assert 'data-testid="read-table"' not in shown
