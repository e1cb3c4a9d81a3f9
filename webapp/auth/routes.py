"""Sign in and out (Flask-Login plus a server-side session, CSRF-protected form), choose the
language, and the throttle every sign-in goes through.

A sign-in is its own unit of work, committed whatever the answer: a wrong password is
counted although the page answers 401 (the request's own transaction would roll it back),
and while a username or an address is locked the page answers 429 with Retry-After and
checks no password at all.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required, login_user, logout_user

from engine.db import unit_of_work
from engine.events import EventType
from engine.services import audit, sessions, throttle
from webapp.auth.sessions import SESSION_KEY, client_address, current_session_id
from webapp.i18n import LANGUAGES
from webapp.requests import now
from webapp.transaction import db

bp = Blueprint("auth", __name__, template_folder="../templates")


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, so the login form cannot redirect elsewhere."""
    if not target:
        return url_for("inbox.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("inbox.index")
    return target


def locked_message(error: throttle.TooManyAttemptsError) -> str:
    return ngettext(
        "Too many sign-in attempts. Try again in %(num)s minute.",
        "Too many sign-in attempts. Try again in %(num)s minutes.",
        error.minutes,
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    if request.method == "GET":
        return render_template("auth/login.html", error=None, username="")
    username = request.form.get("username", "")
    user, key, error = _sign_in(username, request.form.get("password", ""))
    if error is None:
        _start_browser_session(user, key)
        return redirect(_safe_next(request.args.get("next")))
    if isinstance(error, throttle.TooManyAttemptsError):
        page = render_template("auth/login.html", error=locked_message(error), username=username)
        return page, 429, {"Retry-After": str(error.retry_after)}
    page = render_template("auth/login.html", error=gettext("Wrong username or password"),
                           username=username)
    return page, 401


def _sign_in(username: str, password: str):
    """(user, session key, None) or (None, None, the refusal), committed either way."""
    factory = current_app.extensions["alur"].session_factory
    moment = now()
    _release_request_transaction()
    with unit_of_work(factory) as work:
        outcome = throttle.sign_in(work, username, password, client=client_address(),
                                   now=moment, via="page")
        key = None
        if outcome.user is not None:
            key, _row = sessions.open_session(
                work, outcome.user, moment, client=client_address(),
                user_agent=request.headers.get("User-Agent"),
            )
        work.commit()
    return outcome.user, key, outcome.error


def _release_request_transaction() -> None:
    """End the request's own transaction before the sign-in opens its own. It exists when the
    cookie still named a (dead) session: the user loader read it, and on a POST it is a write
    transaction, which on SQLite holds the lock the sign-in's transaction would wait for."""
    request_session = g.pop("db", None)
    if request_session is not None:
        try:
            request_session.commit()  # at most the dead session marked ended
        finally:
            request_session.close()


def _start_browser_session(user, key: str) -> None:
    """A fresh cookie (nothing carried over from before sign-in) but the chosen language."""
    language = session.get("lang")
    session.clear()
    if language in LANGUAGES:
        session["lang"] = language
    session.permanent = True  # expires with the server-side session's absolute lifetime
    login_user(user)
    session[SESSION_KEY] = key


@bp.post("/logout")
@login_required
def logout():
    session_id = current_session_id()
    if session_id is not None:
        work, moment = db(), now()
        if sessions.end(work, session_id, moment, sessions.LOGOUT):
            audit.lock_global_chain(work)
            audit.record_event(work, None, EventType.USER_SIGNED_OUT, moment,
                               actor_id=current_user.id,
                               payload={"everywhere": False, "sessions_ended": 1,
                                        "tokens_revoked": 0})
    sign_out_browser()
    return redirect(url_for("auth.login"))


def sign_out_browser() -> None:
    """Drop the cookie's identity, keeping the chosen language."""
    language = session.get("lang")
    logout_user()
    session.clear()
    if language in LANGUAGES:
        session["lang"] = language


@bp.post("/language")
def language():
    chosen = request.form.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(_safe_next(request.form.get("next")))



from webapp.auth import account  # noqa: E402,F401  (registers the account page on bp)
