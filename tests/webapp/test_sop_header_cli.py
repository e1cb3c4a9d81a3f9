"""`flask alur sop-header PATH` (and bootstrap, which runs it after deploying the SOP): the
shipped SOP's own header is written once, never over one someone edited."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.db import read_only
from engine.events import EventType
from engine.models import Event, SopMetadata
from engine.services import sopmetadata
from tests.conftest import ROOT, isolated_database
from tests.support import SOP_KEY, make_factory, user
from webapp import create_app

HEADER_FILE = ROOT / "bpmn" / "sop-pengelolaan-kinerja.sop.json"


@pytest.fixture()
def cli_app(database_url, tmp_path):
    url = isolated_database(database_url, "sopheader", tmp_path)
    return create_app({"DATABASE_URL": url, "TESTING": True}), url


def header_of(url: str):
    factory = make_factory(url)
    with read_only(factory) as session:
        return (sopmetadata.get_header(session, user(session, "pemilik"), SOP_KEY),
                session.scalar(select(func.count()).select_from(SopMetadata)),
                [event.id for event in session.scalars(select(Event).where(
                    Event.type == EventType.SOP_METADATA_UPDATED))])


def test_the_shipped_header_is_written_once(cli_app):
    app, url = cli_app
    runner = app.test_cli_runner()
    first = runner.invoke(args=["alur", "sop-header", str(HEADER_FILE)])
    assert first.exit_code == 0, first.output
    assert f"written: SOP header of {SOP_KEY}" in first.output
    header, rows, events = header_of(url)
    assert header.number == "602/09/SOP/PBJ-PS/III-2022"
    assert header.effective_on == date(2022, 3, 14) and header.approver_nip == "196709071989021001"
    assert rows == 1 and len(events) == 1
    again = runner.invoke(args=["alur", "sop-header", str(HEADER_FILE)])
    assert again.exit_code == 0 and "kept" in again.output
    assert header_of(url)[1:] == (1, events)


def test_a_bad_header_file_is_refused_and_writes_nothing(cli_app, tmp_path):
    app, url = cli_app
    broken = tmp_path / "kepala.sop.json"
    found = json.loads(HEADER_FILE.read_text(encoding="utf-8"))
    found["header"]["approver_nip"] = "12345"
    broken.write_text(json.dumps(found), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["alur", "sop-header", str(broken)])
    assert result.exit_code == 1 and "refused" in result.output
    assert header_of(url)[1:] == (0, [])
