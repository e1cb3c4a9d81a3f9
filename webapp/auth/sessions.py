"""The page session: Flask-Login's cookie names the user, a server-side row keeps it alive.

The signed cookie carries the user id (Flask-Login) and a random session key; the user
loader accepts the cookie only while engine.services.sessions finds the key's row alive
and of that user. An ended, expired or idle session signs the browser out, and the page
it asked for sends it to the sign-in page with a message and its `next` kept.

Small writes beside a request (last_seen_at, a dead session marked ended, a token's
last_used_at) go through `write_aside`: a GET's own transaction is read-only, so they run
in a short write transaction of their own; a POST's transaction already writes (and on
SQLite holds the write lock), so they join it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import login_url

from engine.db import is_read_only, unit_of_work
from engine.errors import AuthenticationError
from engine.services import sessions
from webapp.errors import error_response, wants_json
from webapp.extensions import login_manager
from webapp.requests import now
from webapp.transaction import db

SESSION_KEY = "alur_sid"
USER_KEY = "_user_id"


def client_address() -> str:
    """The peer's address (behind a proxy only when ALUR_PROXY_HOPS says one is there)."""
    return request.remote_addr or "unknown"


def write_aside(work: Callable) -> None:
    """Run `work(session)` in a committed write transaction without upsetting the request's."""
    current = db()
    if not is_read_only(current):
        work(current)
        return
    with unit_of_work(current_app.extensions["alur"].session_factory) as side:
        work(side)
        side.commit()


@login_manager.user_loader
def load_user(user_id: str):
    """The cookie's user, if its server-side session is alive (touched once a minute)."""
    key = session.get(SESSION_KEY)
    if not user_id.isdigit() or not key:
        return _signed_out()
    moment = now()
    row, dead = sessions.check(db(), key, moment)
    if row is None or row.user_id != int(user_id):
        return _signed_out()
    if dead:
        if row.ended_at is None:
            write_aside(lambda s: sessions.end(s, row.id, moment, dead))
        return _signed_out()
    if sessions.needs_touch(row, moment):
        write_aside(lambda s: sessions.touch(s, row.id, moment))
    g.alur_session_id = row.id
    return row.user


def _signed_out():
    """Forget the dead session in this browser; the next protected page says why."""
    g.alur_session_ended = True
    session.pop(SESSION_KEY, None)
    session.pop(USER_KEY, None)
    session.pop("_fresh", None)
    return None


def current_session_id() -> int | None:
    return g.get("alur_session_id")


@login_manager.unauthorized_handler
def unauthorized():
    """A page that needs a person: to the sign-in page with `next`, saying the session ended
    when it did; JSON callers get a 401 body instead of a redirect."""
    if wants_json():
        return error_response(AuthenticationError("Sign in to continue", code="unauthenticated"))
    if g.get("alur_session_ended"):
        flash(gettext("Your session has ended. Please sign in again."), "info")
    return redirect(login_url("auth.login", next_url=_next_path()))


def _next_path() -> str:
    """The page asked for, as a same-site path (what auth.routes._safe_next accepts)."""
    path = request.full_path if request.query_string else request.path
    return path if request.method == "GET" else url_for("inbox.index")
