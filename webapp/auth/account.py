"""Akun saya: one's own sessions and API tokens, ending them, a new password, and which
mail one receives (and in which language).

Every change is a CSRF-protected POST in the request's write transaction (committed on the
redirect, rolled back when the form is shown again with its message). A new password and
"sign out everywhere" end the person's sessions and revoke their tokens in the same commit.
"""

from __future__ import annotations

import re

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import N_, InvalidInputError, NotFoundError
from engine.events import EventType
from engine.models.mail import (
    KIND_ASSIGNED,
    KIND_DUE_SOON,
    KIND_OVERDUE,
    KIND_REASSIGNED,
    NOTICE_KINDS,
)
from engine.services import audit, notifications, sessions, users
from webapp.auth.routes import bp, sign_out_browser
from webapp.auth.sessions import current_session_id
from webapp.requests import actor, now
from webapp.transaction import db

BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
           ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
           ("Linux", "Linux"))
CLIENT_TOOLS = re.compile(r"^(curl|python-requests|httpie|Wget)/", re.IGNORECASE)


def device_of(user_agent: str | None) -> str:
    """'Chrome · Android' from a user agent string; the raw string stays off the page."""
    agent = user_agent or ""
    tool = CLIENT_TOOLS.match(agent)
    if tool:
        return tool.group(1)
    browser = next((name for marker, name in BROWSERS if marker in agent), None)
    system = next((name for marker, name in SYSTEMS if marker in agent), None)
    parts = [part for part in (browser, system) if part]
    return " · ".join(parts) if parts else gettext("Unknown device")


NOTICE_LABELS = {
    KIND_ASSIGNED: N_("A new task for me or my group"),
    KIND_DUE_SOON: N_("A task of mine is due on the next working day"),
    KIND_OVERDUE: N_("A task of mine is overdue (once, then a daily summary at 07.00)"),
    KIND_REASSIGNED: N_("A task is handed to me (disposition)"),
}
LOCALE_LABELS = (("id", "Bahasa Indonesia"), ("en", "English"))


def _mail_form(person, submitted: dict | None) -> dict:
    """The notice settings as stored, or as just typed when they were refused."""
    if submitted is not None:
        return submitted
    return {"kinds": notifications.preferences_of(db(), person.id),
            "locale": person.locale or "id"}


def _page(status: int = 200, password_error: str | None = None,
          mail_error: str | None = None, mail_form: dict | None = None):
    person, moment, session = actor(), now(), db()
    context = {
        "mail_form": _mail_form(person, mail_form),
        "mail_error": mail_error,
        "notice_labels": NOTICE_LABELS,
        "locale_labels": LOCALE_LABELS,
        "mail_on": current_app.extensions["alur"].settings.smtp_enabled,
        "person": person,
        "sessions": sessions.live_sessions(session, person.id, moment),
        "tokens": users.live_tokens(session, person.id, moment),
        "current_session": current_session_id(),
        "password_error": password_error,
        "device_of": device_of,
        "idle_minutes": current_app.extensions["alur"].settings.session_idle_minutes,
    }
    return render_template("auth/account.html", **context), status


@bp.get("/akun")
@login_required
def account():
    return _page()


@bp.post("/akun/password")
@login_required
def change_password():
    person = actor()
    form = request.form
    if form.get("new_password", "") != form.get("confirm_password", ""):
        return _page(400, gettext("The two new passwords are not the same"))
    try:
        users.change_own_password(db(), person, form.get("current_password", ""),
                                  form.get("new_password", ""), now(),
                                  keep_session=current_session_id())
    except InvalidInputError as error:
        return _page(400, gettext(error.message))
    flash(gettext("Your password has been changed. Your other sessions and API tokens have "
                  "been ended."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/akun/notifications")
@login_required
def save_notifications():
    chosen = request.form.getlist("notify")
    submitted = {"kinds": {kind: kind in chosen for kind in NOTICE_KINDS},
                 "locale": request.form.get("locale", "")}
    try:
        notifications.set_preferences(db(), actor(), {kind: True for kind in chosen},
                                      submitted["locale"])
    except InvalidInputError as error:
        return _page(400, mail_error=gettext(error.message), mail_form=submitted)
    flash(gettext("Your mail settings have been saved."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/akun/tokens/<id:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    users.revoke_token(db(), actor(), token_id, now())
    flash(gettext("The API token has been revoked."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/akun/sessions/<id:session_id>/end")
@login_required
def end_session(session_id: int):
    person = actor()
    if session_id == current_session_id() or not sessions.end_for_user(
        db(), person.id, session_id, now()
    ):
        raise NotFoundError("Session not found", code="session_not_found")
    flash(gettext("The session on the other device has been ended."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/akun/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    person, work, moment = actor(), db(), now()
    ended, revoked = sessions.end_all(work, person.id, moment, sessions.EVERYWHERE)
    audit.lock_global_chain(work)
    audit.record_event(work, None, EventType.USER_SIGNED_OUT, moment, actor_id=person.id,
                       payload={"everywhere": True, "sessions_ended": ended,
                                "tokens_revoked": revoked})
    sign_out_browser()
    flash(gettext("You have been signed out on every device."), "success")
    return redirect(url_for("auth.login"))
