"""Sign in and out (Flask-Login session, CSRF-protected form) and choose the language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user

from engine.errors import AuthenticationError
from engine.models import User
from engine.services import users
from webapp.extensions import login_manager
from webapp.i18n import LANGUAGES
from webapp.transaction import db

bp = Blueprint("auth", __name__, template_folder="../templates")


@login_manager.user_loader
def load_user(user_id: str):
    user = db().get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.is_active else None


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, so the login form cannot redirect elsewhere."""
    if not target:
        return url_for("inbox.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("inbox.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    error = None
    if request.method == "POST":
        try:
            user = users.authenticate(
                db(), request.form.get("username", ""), request.form.get("password", "")
            )
        except AuthenticationError:
            error = gettext("Wrong username or password")
        else:
            session.clear()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    status = 401 if error else 200
    return render_template("auth/login.html", error=error), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():
    chosen = request.form.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(_safe_next(request.form.get("next")))
