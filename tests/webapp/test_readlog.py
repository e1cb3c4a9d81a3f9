"""The read log (webapp/readlog.py): every successful GET or HEAD by an auditor, page or
API, is recorded after the answer has gone out, with the run and version it was about;
nobody else's reads, no refused request, no write, no static file or health check. A
streamed answer or a file is recorded once it is complete, and a read that cannot be recorded is
logged while the page is delivered as usual.

Werkzeug's test client closes a response (which is when a WSGI server says the answer is
out) only when asked: these tests ask with `buffered=True` or `response.close()`.
"""

from __future__ import annotations

import io
import logging

import pytest
from flask import Response, send_file, stream_with_context
from flask_login import login_required
from sqlalchemy import func, select

from engine.models import AuditRead
from tests.conftest import PG_SKIP, PG_URL, T0
from tests.support import PLANNING, start_committed, user
from tests.webapp.access_support import Visitor, database_for, make_app

FAKE_RUN = 987_654  # a run id with no row: recording a read of it breaks a foreign key


def _test_routes(app) -> None:
    """Views this test needs and the app lacks: a streamed answer about a run, a read of a
    version, and a read of a run that does not exist (so its record fails)."""
    @login_required
    def streamed(instance_id: int):
        def chunks():
            yield "first "
            yield "second"
        return Response(stream_with_context(chunks()), mimetype="text/plain")

    @login_required
    def version(version_id: int):
        return {"version": version_id}

    @login_required
    def any_run(instance_id: int):
        return {"ok": True}

    @login_required
    def a_file(instance_id: int):  # send_file hands its body straight to the server
        return send_file(io.BytesIO(b"isi berkas"), mimetype="text/plain",
                         download_name="berkas.txt")

    app.add_url_rule("/uji-baca/aliran/<int:instance_id>", "readlog_test_stream", streamed)
    app.add_url_rule("/uji-baca/versi/<int:version_id>", "readlog_test_version", version)
    app.add_url_rule("/uji-baca/pelaksanaan/<int:instance_id>", "readlog_test_any", any_run)
    app.add_url_rule("/uji-baca/berkas/<int:instance_id>", "readlog_test_file", a_file)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    if request.param == "postgresql" and not PG_URL:
        pytest.skip(PG_SKIP)
    tmp = tmp_path_factory.mktemp(f"readlog-{request.param}")
    app = make_app(database_for(request.param, tmp, "readlog"), tmp / "uploads")
    _test_routes(app)
    instance_id = start_committed(app.extensions["alur"].session_factory, T0, PLANNING[:2])
    people = {name: Visitor(app, name) for name in ("auditor", "admin", "kepala", "tim1")}
    yield app, instance_id, people
    app.extensions["alur"].engine.dispose()


def reads(app) -> list[AuditRead]:
    with app.extensions["alur"].session_factory() as session:
        return list(session.scalars(select(AuditRead).order_by(AuditRead.id)))


def count(app) -> int:
    with app.extensions["alur"].session_factory() as session:
        return session.scalar(select(func.count(AuditRead.id)))


def get(person: Visitor, path: str, method: str = "GET"):
    return person.request(method, path, buffered=True)


def test_an_auditors_page_read_names_the_run(world):
    app, instance_id, people = world
    before = count(app)
    page = get(people["auditor"], f"/instances/{instance_id}?events=all")
    assert page.status_code == 200
    [row] = reads(app)[before:]
    assert (row.endpoint, row.via, row.instance_id, row.version_id) == (
        "inbox.instance", "page", instance_id, None)
    assert row.path == f"/instances/{instance_id}?events=all"
    assert row.read_at == T0
    with app.extensions["alur"].session_factory() as session:
        assert row.user_id == user(session, "auditor").id


def test_an_auditors_api_read_is_recorded_as_api(world):
    app, instance_id, people = world
    before = count(app)
    answer = get(people["auditor"], f"/api/v1/instances/{instance_id}")
    assert answer.status_code == 200
    listing = get(people["auditor"], "/api/v1/instances?per_page=5")
    assert listing.status_code == 200
    first, second = reads(app)[before:]
    assert (first.endpoint, first.via, first.instance_id) == (
        "api.get_instance", "api", instance_id)
    assert (second.endpoint, second.instance_id, second.path) == (
        "api.list_instances", None, "/api/v1/instances?per_page=5")


def test_the_audit_search_and_a_version_are_recorded(world):
    app, instance_id, people = world
    before = count(app)
    assert get(people["auditor"], "/audit/?q=AK").status_code == 200
    assert get(people["auditor"], "/uji-baca/versi/1").status_code == 200
    search, version = reads(app)[before:]
    assert (search.endpoint, search.path) == ("audit.search", "/audit/?q=AK")
    assert (version.version_id, version.instance_id) == (1, None)


def test_head_is_a_read_too(world):
    app, instance_id, people = world
    before = count(app)
    assert get(people["auditor"], f"/instances/{instance_id}", "HEAD").status_code == 200
    [row] = reads(app)[before:]
    assert row.instance_id == instance_id


def test_other_roles_refusals_writes_and_plumbing_are_not_reads(world):
    app, instance_id, people = world
    before = count(app)
    for name in ("admin", "kepala", "tim1"):
        assert get(people[name], f"/instances/{instance_id}").status_code == 200
        assert get(people[name], f"/api/v1/instances/{instance_id}").status_code == 200
    auditor = people["auditor"]
    assert get(auditor, "/admin/kunci").status_code == 403
    assert get(auditor, "/instances/999999").status_code == 404
    assert get(auditor, "/api/v1/instances/999999").status_code == 404
    assert get(auditor, "/static/app.css").status_code == 200
    assert get(auditor, "/healthz").status_code == 200
    refused = auditor.request("POST", "/api/v1/instances", json={}, buffered=True)
    assert refused.status_code in (400, 403)
    anonymous = app.test_client()
    assert anonymous.get("/login", buffered=True).status_code == 200
    assert count(app) == before


def test_a_streamed_answer_is_recorded_once_it_is_out(world):
    app, instance_id, people = world
    before = count(app)
    response = people["auditor"].request("GET", f"/uji-baca/aliran/{instance_id}")
    assert count(app) == before  # nothing yet: the body has not been sent
    assert response.get_data(as_text=True) == "first second"
    response.close()
    [row] = reads(app)[before:]
    assert (row.endpoint, row.instance_id) == ("readlog_test_stream", instance_id)


def test_a_file_sent_as_it_is_is_recorded_once_it_is_out(world):
    app, instance_id, people = world
    before = count(app)
    response = people["auditor"].request("GET", f"/uji-baca/berkas/{instance_id}")
    assert count(app) == before
    assert response.get_data() == b"isi berkas"
    response.close()
    [row] = reads(app)[before:]
    assert (row.endpoint, row.instance_id) == ("readlog_test_file", instance_id)


def test_a_read_that_cannot_be_recorded_is_logged_and_the_page_still_served(world, caplog):
    app, instance_id, people = world
    before = count(app)
    with caplog.at_level(logging.ERROR, logger="webapp.readlog"):
        answer = get(people["auditor"], f"/uji-baca/pelaksanaan/{FAKE_RUN}")
        page = get(people["auditor"], f"/instances/{instance_id}")
    assert answer.status_code == 200 and answer.get_json() == {"ok": True}
    assert page.status_code == 200  # the next read is recorded as usual
    [row] = reads(app)[before:]
    assert row.endpoint == "inbox.instance"
    [logged] = [r for r in caplog.records if r.name == "webapp.readlog"]
    assert "could not record the read" in logged.getMessage()
    assert f"/uji-baca/pelaksanaan/{FAKE_RUN}" in logged.getMessage()
