"""One transaction per request: reads never take the write lock, writes commit once."""

from __future__ import annotations

import sqlite3

from sqlalchemy import select, text

from engine.db import is_read_only
from engine.models import Opd
from webapp.transaction import db


def test_reading_requests_get_a_read_only_session(web_app):
    for method in ("GET", "HEAD", "OPTIONS"):
        with web_app.test_request_context("/", method=method):
            assert is_read_only(db())
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        with web_app.test_request_context("/", method=method):
            assert not is_read_only(db())


def test_a_get_answers_while_another_connection_holds_the_write_lock(web_app, client):
    """On SQLite a request used to BEGIN IMMEDIATE even to read: it queued behind any
    writer for up to the busy timeout. Now a page is served while a write is open."""
    path = web_app.config["DATABASE_URL"].removeprefix("sqlite:///")
    writer = sqlite3.connect(path, timeout=1, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE opds SET name = 'Sedang ditulis' WHERE code = 'DINKES'")
        assert client.get("/healthz").status_code == 200
        assert client.get("/login").status_code == 200
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_write_inside_a_read_request_is_refused(web_app):
    with web_app.test_request_context("/", method="GET"):
        session = db()
        session.scalars(select(Opd)).first().name = "Tidak boleh"
        try:
            session.flush()
        except RuntimeError as error:
            assert "read-only" in str(error)
        else:  # pragma: no cover - the guard failed
            raise AssertionError("a GET request wrote")
        session.rollback()
        assert session.execute(text("SELECT 1")).scalar() == 1
