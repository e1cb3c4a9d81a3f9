"""The one commit point: one database transaction per request.

The session is opened lazily. A request that only reads (GET, HEAD, OPTIONS) gets a read
transaction: on SQLite it takes no write lock, so reads never queue behind each other or
behind a write, and it is never committed. Any other request gets a write transaction;
after the view returns, a response below 400 commits and anything else rolls back, so a
refused request never leaves half its work behind. A compare-and-set failure at commit
(someone else changed the instance first) becomes a 409 instead of a lost update.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.db import is_read_only, read_only_session
from engine.errors import ConflictError

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def db() -> Session:
    if "db" not in g:
        g.db = _open_session()
    return g.db


def _open_session() -> Session:
    factory = current_app.extensions["alur"].session_factory
    return read_only_session(factory) if request.method in READ_METHODS else factory()


def _finish(response):
    session: Session | None = g.pop("db", None)
    if session is None:
        return response
    try:
        if response.status_code < 400 and not is_read_only(session):
            session.commit()
        else:
            session.rollback()
    except StaleDataError:
        session.rollback()
        from webapp.errors import error_response

        response = error_response(
            ConflictError(
                "Someone else changed this process at the same moment; reload and try again",
                code="stale_version",
            )
        )
    finally:
        session.close()
    return response


def _discard(_exc):
    session: Session | None = g.pop("db", None)
    if session is not None:
        session.rollback()
        session.close()


def init_transactions(app: Flask) -> None:
    app.after_request(_finish)
    app.teardown_request(_discard)
