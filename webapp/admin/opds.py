"""OPDs (`/admin/opd`): the list, adding one, renaming, deactivating and reactivating.
Administrators only (engine.services.opds checks the role)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import ConflictError, InvalidInputError
from engine.services import opds
from webapp.admin import bp
from webapp.admin.users import errors_of
from webapp.requests import actor, now
from webapp.transaction import db

# What a refusal's code says about which field is wrong.
FIELD_OF_CODE = {"invalid_opd_code": "code", "opd_taken": "code", "invalid_opd_name": "name"}


@bp.get("/opd", endpoint="opds")
@login_required
def opds_page():
    return _list_page({}, {})


@bp.post("/opd/baru", endpoint="opd_new")
@login_required
def opd_new():
    session, user = db(), actor()
    form = request.form
    values = {"code": form.get("code", "")[:100], "name": form.get("name", "")[:400]}
    try:
        opd = opds.create_opd(session, user, values["code"], values["name"], now())
    except (InvalidInputError, ConflictError) as error:
        return _list_page(values, {FIELD_OF_CODE.get(error.code, "code"): gettext(error.message)})
    flash(gettext("%(code)s has been added.", code=opd.code), "success")
    return redirect(url_for("admin.opds"))


@bp.route("/opd/<int:opd_id>", methods=["GET", "POST"], endpoint="opd_edit")
@login_required
def opd_edit(opd_id: int):
    session, user = db(), actor()
    opd = opds.get_opd(session, user, opd_id, writing=request.method == "POST")
    name, errors = opd.name, {}
    if request.method == "POST":
        name = request.form.get("name", "")[:400]
        try:
            opds.rename_opd(session, user, opd_id, name, now())
        except InvalidInputError as error:
            errors = errors_of(error, "name")
        else:
            flash(gettext("The changes have been saved."), "success")
            return redirect(url_for("admin.opds"))
    page = render_template("admin/opd_form.html", opd=opd, name=name, errors=errors)
    return page, 400 if errors else 200


@bp.post("/opd/<int:opd_id>/status", endpoint="opd_status")
@login_required
def opd_status(opd_id: int):
    active = request.form.get("active") == "1"
    opd = opds.set_opd_active(db(), actor(), opd_id, active, now())
    flash(gettext("%(code)s is active again.", code=opd.code) if active
          else gettext("%(code)s has been deactivated.", code=opd.code), "success")
    return redirect(url_for("admin.opds"))


def _list_page(values: dict, errors: dict):
    rows = opds.list_opds(db(), actor())
    page = render_template("admin/opds.html", opds=rows, values=values, errors=errors)
    return page, 400 if errors else 200
