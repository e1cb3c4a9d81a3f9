"""The staff's pages: Kotak Masuk, task pages with their forms, Pelaksanaan and bukti dukung.

One blueprint, `bp`, split by subject: routes.py (the inbox itself), tasks.py, instances.py
and documents.py add their views to it; webapp/__init__.py registers it from routes.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, request, url_for

bp = Blueprint("inbox", __name__, template_folder="../templates")


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
