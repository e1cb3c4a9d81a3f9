"""Saved filters on the inbox: save the current view under a name, rename, share, delete.

The filter saved is the one the inbox shows (its tab, SOP row, run and order, posted
back as hidden fields and read exactly as the inbox reads them). A refused save or rename
shows the inbox again with status 400, the name typed kept and the reason beside it.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import InvalidInputError
from engine.services import savedfilters
from webapp.inbox import bp
from webapp.inbox.pages import saved_filter_url
from webapp.inbox.routes import SORTS, render_index
from webapp.requests import actor, now
from webapp.transaction import db


def _posted_query() -> dict:
    """The inbox filter posted beside the name, as the inbox reads its query string."""
    form = request.form
    tab = form.get("tab")
    instance = form.get("instance", "")
    sort = form.get("sort")
    return {
        "scope": tab if tab in ("mine", "group") else "all",
        "sop_step": form.get("step") or None,
        "instance_id": int(instance) if instance.isdigit() and 0 < int(instance) < 2**31
        else None,
        "sort": sort if sort in SORTS and sort != "due_on" else None,
    }


@bp.post("/filters")
@login_required
def save_filter():
    session, user, name = db(), actor(), request.form.get("name", "")
    query = {k: v for k, v in _posted_query().items() if v is not None}
    try:
        saved = savedfilters.create_saved_filter(session, user, name, query, now())
    except InvalidInputError as error:
        return render_index(saving={"name": name, "error": gettext(error.message)},
                            status=error.status)
    flash(gettext("The filter “%(name)s” has been saved.", name=saved.name), "success")
    return redirect(saved_filter_url(saved))


@bp.post("/filters/<id:filter_id>/rename")
@login_required
def rename_filter(filter_id: int):
    session, user, name = db(), actor(), request.form.get("name", "")
    try:
        saved = savedfilters.rename_saved_filter(session, user, filter_id, name)
    except InvalidInputError as error:
        return render_index(saving={"id": filter_id, "name": name,
                                    "error": gettext(error.message)}, status=error.status)
    flash(gettext("The filter is now called “%(name)s”.", name=saved.name), "success")
    return redirect(url_for("inbox.index"))


@bp.post("/filters/<id:filter_id>/share")
@login_required
def share_filter(filter_id: int):
    role = request.form.get("role") or None
    try:
        savedfilters.share_saved_filter(db(), actor(), filter_id, role)
    except InvalidInputError as error:
        flash(gettext(error.message), "error")
        return render_index(status=error.status)
    flash(gettext("The filter's sharing has been changed.") if role else
          gettext("The filter is no longer shared."), "success")
    return redirect(url_for("inbox.index"))


@bp.post("/filters/<id:filter_id>/delete")
@login_required
def delete_filter(filter_id: int):
    savedfilters.delete_saved_filter(db(), actor(), filter_id)
    flash(gettext("The filter has been deleted."), "success")
    return redirect(url_for("inbox.index"))

