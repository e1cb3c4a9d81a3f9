"""The staff's pages: Kotak Masuk, task pages with their forms, Pelaksanaan and bukti dukung.

One blueprint, `bp`, split by subject: routes.py (the inbox itself), tasks.py, instances.py
and documents.py add their views to it; webapp/__init__.py registers it from routes.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Blueprint, current_app, request, url_for
from flask_login import current_user

from engine.models import User

bp = Blueprint("inbox", __name__, template_folder="../templates")


def actor() -> User:
    """The signed-in user (every view of the blueprint requires a sign-in)."""
    return current_user._get_current_object()


def clock() -> datetime:
    """Now, in UTC; tests may pin it with the NOW setting (a datetime or a callable)."""
    fixed = current_app.config.get("NOW")
    if callable(fixed):
        return fixed()
    return fixed or datetime.now(UTC)


def positive_int(name: str, default: int = 1, limit: int = 100_000) -> int:
    raw = request.args.get(name, "")
    return min(int(raw), limit) if raw.isdigit() and int(raw) > 0 else default


def back_to(default_endpoint: str, **values) -> str:
    """The `next` field of a posted form if it is a path on this site, else the default page."""
    target = request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc \
            and not parts.scheme and "\\" not in target:
        return target
    return url_for(default_endpoint, **values)
