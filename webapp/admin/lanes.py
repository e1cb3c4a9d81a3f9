"""Lane -> role defaults (`/admin/lajur`): for each lane name, the role its tasks go to
when a deployed diagram's lane names no role itself. The table's entry wins over
bpmn/lane-roles.toml; an empty choice falls back to the file. Administrators only."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import InvalidInputError
from engine.services import adminusers, lanedefaults
from webapp.admin import bp
from webapp.admin.users import errors_of
from webapp.requests import actor, now
from webapp.transaction import db

MAX_LANES = 200


@bp.route("/lajur", methods=["GET", "POST"], endpoint="lanes")
@login_required
def lanes_page():
    session, user = db(), actor()
    adminusers.ensure_admin(user, writing=request.method == "POST")
    rows = lanedefaults.list_lane_rows(session, user)
    chosen = {row.lane: row.role or "" for row in rows}
    new = {"lane": "", "role": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        chosen, new = _read_form()
        wanted = dict(chosen)
        if new["lane"].strip():
            wanted[new["lane"]] = new["role"]
        elif new["role"]:
            errors["new_lane"] = gettext("Name the lane that takes this role")
        try:
            if not errors:
                changes = lanedefaults.save_lane_defaults(session, user, wanted, now())
                flash(gettext("The lane roles have been saved. They apply from the next "
                              "deploy.") if changes else gettext("Nothing was changed."),
                      "success")
                return redirect(url_for("admin.lanes"))
        except InvalidInputError as error:
            errors = errors_of(error, "new_lane")
    page = render_template("admin/lanes.html", rows=rows, chosen=chosen, new=new, errors=errors,
                           roles=adminusers.list_roles(session, user))
    return page, 400 if errors else 200


def _read_form() -> tuple[dict[str, str], dict[str, str]]:
    form = request.form
    lanes = form.getlist("lane")[:MAX_LANES]
    roles = form.getlist("role")[:MAX_LANES]
    chosen = {lane[:300]: role[:40] for lane, role in zip(lanes, roles, strict=False)}
    return chosen, {"lane": form.get("new_lane", "")[:300], "role": form.get("new_role", "")[:40]}
