"""People (`/admin/pengguna`): the list with search and filters, adding, changing,
deactivating and reactivating someone, and setting a new password. Administrators only;
engine.services.adminusers checks the role and every field. A refused form comes back
with what was typed and a message beside each field (400)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import ConflictError, DomainError, InvalidInputError
from engine.services import adminusers, opds
from engine.services.adminusers import UserFilters, UserInput
from webapp.admin import bp, filters  # noqa: F401 - registers the `nip` filter
from webapp.requests import actor, now
from webapp.transaction import db

MAX_PAGE = 100_000


def errors_of(error: DomainError, default_field: str) -> dict[str, str]:
    """field -> translated message, from an error's details (or its message alone)."""
    details = error.details if isinstance(error.details, dict) else {}
    found = {name: " ".join(gettext(m) for m in messages) for name, messages in details.items()
             if isinstance(messages, list)}
    return found or {default_field: gettext(error.message)}


@bp.get("/pengguna", endpoint="users")
@login_required
def users_page():
    session, user = db(), actor()
    roles = adminusers.list_roles(session, user)  # refuses anyone but an admin first
    values = {name: request.args.get(name, "")[:200] for name in ("q", "role", "opd", "active")}
    raw_page = request.args.get("page", "")
    found = adminusers.list_user_page(session, user, UserFilters(
        query=values["q"], role=values["role"],
        opd_id=int(values["opd"]) if values["opd"].isdigit() and len(values["opd"]) < 10 else None,
        active={"1": True, "0": False}.get(values["active"]),
        page=min(int(raw_page), MAX_PAGE) if raw_page.isdigit() else 1))
    return render_template("admin/users.html", found=found, values=values, roles=roles,
                           opds=opds.list_opds(session, user), page_url=_page_url)


def _page_url(page: int) -> str:
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return url_for("admin.users", page=page, **args)


@bp.route("/pengguna/baru", methods=["GET", "POST"], endpoint="user_new")
@login_required
def user_new():
    session, user = db(), actor()
    adminusers.ensure_admin(user, writing=request.method == "POST")
    data, errors = UserInput(roles=[]), {}
    if request.method == "POST":
        data = _read_form(creating=True)
        try:
            person = adminusers.create_user(session, user, data, now())
        except InvalidInputError as error:
            errors = errors_of(error, "username")
        else:
            flash(gettext("%(name)s has been added.", name=person.full_name), "success")
            return redirect(url_for("admin.user_edit", user_id=person.id))
    return _form_page(None, data, errors)


@bp.route("/pengguna/<int:user_id>", methods=["GET", "POST"], endpoint="user_edit")
@login_required
def user_edit(user_id: int):
    session, user = db(), actor()
    person = adminusers.get_user(session, user, user_id, writing=request.method == "POST")
    data, errors = _as_input(person), {}
    if request.method == "POST":
        data = _read_form(creating=False)
        try:
            changes = adminusers.update_user(session, user, user_id, data, now())
        except InvalidInputError as error:
            errors = errors_of(error, "full_name")
        else:
            flash(gettext("The changes have been saved.") if changes
                  else gettext("Nothing was changed."), "success")
            return redirect(url_for("admin.user_edit", user_id=user_id))
    return _form_page(person, data, errors)


@bp.post("/pengguna/<int:user_id>/nonaktifkan", endpoint="user_deactivate")
@login_required
def user_deactivate(user_id: int):
    session, user = db(), actor()
    try:
        ended, revoked = adminusers.deactivate(session, user, user_id, now())
    except ConflictError as error:
        person = adminusers.get_user(session, user, user_id)
        return _form_page(person, _as_input(person), {}, problem=gettext(error.message),
                          status=409)
    flash(gettext("The account has been deactivated: %(sessions)s sessions ended, %(tokens)s "
                  "API tokens revoked.", sessions=ended, tokens=revoked), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.post("/pengguna/<int:user_id>/aktifkan", endpoint="user_reactivate")
@login_required
def user_reactivate(user_id: int):
    adminusers.reactivate(db(), actor(), user_id, now())
    flash(gettext("The account is active again."), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.post("/pengguna/<int:user_id>/kata-sandi", endpoint="user_password")
@login_required
def user_password(user_id: int):
    session, user = db(), actor()
    person = adminusers.get_user(session, user, user_id, writing=True)
    try:
        adminusers.reset_password(session, user, user_id, request.form.get("password", ""),
                                  now())
    except InvalidInputError as error:
        return _form_page(person, _as_input(person), {"password": gettext(error.message)})
    flash(gettext("The new password has been set and %(name)s has been signed out everywhere. "
                  "Give them the password in person.", name=person.full_name), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


def _read_form(*, creating: bool) -> UserInput:
    form = request.form
    data = UserInput(full_name=form.get("full_name", "")[:400], nip=form.get("nip", "")[:60],
                     email=form.get("email", "")[:400], roles=form.getlist("roles")[:20],
                     opd_id=form.get("opd_id", "")[:12])
    if creating:
        data.username, data.password = form.get("username", "")[:200], form.get("password", "")
    return data


def _as_input(person) -> UserInput:
    return UserInput(full_name=person.full_name, nip=person.nip or "", email=person.email or "",
                     roles=sorted(person.roles),
                     opd_id=str(person.opd_id) if person.opd_id else "", username=person.username)


def _form_page(person, data: UserInput, errors: dict, *, problem: str | None = None,
               status: int | None = None):
    session, user = db(), actor()
    choices = [o for o in opds.list_opds(session, user)
               if o.is_active or (person is not None and o.id == person.opd_id)]
    page = render_template("admin/user_form.html", person=person, data=data, errors=errors,
                           roles=adminusers.list_roles(session, user), opds=choices,
                           problem=problem, is_self=person is not None and person.id == user.id)
    return page, status or (400 if errors else 200)
