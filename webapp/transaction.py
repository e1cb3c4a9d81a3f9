"""The one commit point: one database transaction per request.

The session is opened lazily; after the view returns, a response below 400 commits and
anything else rolls back, so a refused request never leaves half its work behind. A
compare-and-set failure at commit (someone else changed the instance first) becomes a
409 instead of a lost update.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import ConflictError


def db() -> Session:
    if "db" not in g:
        g.db = current_app.extensions["alur"].session_factory()
    return g.db


def _finish(response):
    session: Session | None = g.pop("db", None)
    if session is None:
        return response
    try:
        if response.status_code < 400:
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
