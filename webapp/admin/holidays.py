"""The holiday table (`/admin/libur`): a year's days with a year picker, adding, changing
and removing a day, re-seeding a year from the `holidays` package, and the open tasks
whose due dates the table now gives differently, with the explicit "Hitung ulang tenggat"
that moves them. An edit alone never moves a due date. Administrators only."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import N_, InvalidInputError
from engine.models.holidays import KINDS
from engine.services import adminusers, duerecompute, holidayedits
from engine.services.holidayedits import HolidayInput
from webapp.admin import bp
from webapp.admin.users import errors_of
from webapp.requests import actor, now
from webapp.transaction import db

KIND_LABELS = {
    "libur_nasional": N_("Libur nasional"),
    "cuti_bersama": N_("Cuti bersama"),
    "libur_daerah": N_("Libur daerah"),
    "hari_kerja_pengganti": N_("Hari kerja pengganti (a day off that is worked)"),
}
FIELDS = ("day", "name", "kind", "legal_basis")


@bp.get("/libur", endpoint="holidays")
@login_required
def holidays_page():
    return _year_page(_year(request.args.get("tahun")), HolidayInput(), {})


@bp.post("/libur/baru", endpoint="holiday_new")
@login_required
def holiday_new():
    session, user = db(), actor()
    adminusers.ensure_admin(user, writing=True)
    data = _read_form()
    try:
        row = holidayedits.add_holiday(session, user, data, now())
    except InvalidInputError as error:
        year = _year(data.day[:4]) if data.day[:4].isdigit() else _this_year()
        return _year_page(year, data, errors_of(error, "day"))
    flash(_saved_note(), "success")
    return redirect(url_for("admin.holidays", tahun=row.on.year))


@bp.route("/libur/<day>", methods=["GET", "POST"], endpoint="holiday_edit")
@login_required
def holiday_edit(day: str):
    session, user = db(), actor()
    adminusers.ensure_admin(user, writing=request.method == "POST")
    on = _day(day)
    row = holidayedits.get_holiday(session, user, on, writing=request.method == "POST")
    data = HolidayInput(on.isoformat(), row.name, row.kind, row.legal_basis or "")
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = _read_form(day=on.isoformat())
        try:
            changes = holidayedits.update_holiday(session, user, on, data, now())
        except InvalidInputError as error:
            errors = errors_of(error, "name")
        else:
            flash(_saved_note() if changes else gettext("Nothing was changed."), "success")
            return redirect(url_for("admin.holidays", tahun=on.year))
    page = render_template("admin/holiday_form.html", row=row, data=data, errors=errors,
                           kinds=KINDS, kind_labels=KIND_LABELS)
    return page, 400 if errors else 200


@bp.post("/libur/<day>/hapus", endpoint="holiday_remove")
@login_required
def holiday_remove(day: str):
    adminusers.ensure_admin(actor(), writing=True)
    on = _day(day)
    holidayedits.remove_holiday(db(), actor(), on, now())
    flash(_saved_note(), "success")
    return redirect(url_for("admin.holidays", tahun=on.year))


@bp.post("/libur/isi-ulang", endpoint="holidays_reseed")
@login_required
def holidays_reseed():
    session, user = db(), actor()
    adminusers.ensure_admin(user, writing=True)
    raw = request.form.get("year", "")[:10]
    try:
        result = holidayedits.reseed_year(session, user, raw, now())
    except InvalidInputError as error:
        return _year_page(_this_year(), HolidayInput(), {}, reseed_error=gettext(error.message))
    flash(gettext("Re-seeded %(year)s from the package: %(added)s added, %(updated)s updated, "
                  "%(kept)s edited by hand kept.", year=raw, added=result.added,
                  updated=result.updated, kept=result.kept_manual), "success")
    return redirect(url_for("admin.holidays", tahun=raw))


@bp.post("/libur/hitung-ulang", endpoint="due_recompute")
@login_required
def due_recompute():
    moves = duerecompute.recompute_due_dates(db(), actor(), now())
    flash(gettext("Due dates recomputed: %(num)s open tasks moved.", num=len(moves)), "success")
    return redirect(url_for("admin.holidays", tahun=request.form.get("year", "")[:4] or None))


# ---- helpers -----------------------------------------------------------------------------------

def _year_page(year: int, data: HolidayInput, errors: dict, *, reseed_error: str | None = None):
    session, user = db(), actor()
    rows = holidayedits.list_year(session, user, year)  # refuses anyone but an admin first
    page = render_template(
        "admin/holidays.html", year=year, rows=rows, data=data, errors=errors, kinds=KINDS,
        kind_labels=KIND_LABELS, moves=duerecompute.preview_moves(session, user, now()),
        years=range(_this_year() - 2, _this_year() + 3), reseed_error=reseed_error)
    return page, 400 if errors or reseed_error else 200


def _read_form(day: str | None = None) -> HolidayInput:
    form = request.form
    return HolidayInput(day=day or form.get("day", "")[:40], name=form.get("name", "")[:400],
                        kind=form.get("kind", "")[:40],
                        legal_basis=form.get("legal_basis", "")[:400])


def _saved_note() -> str:
    return gettext("The holiday table has been saved. Due dates of open tasks have not "
                   "changed: check below which would move, then recompute them.")


def _this_year() -> int:
    return now().year


def _year(raw: str | None) -> int:
    try:
        return holidayedits.check_year(raw or _this_year())
    except InvalidInputError:
        return _this_year()


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(404)
