"""Importing SIRUP packages (`/laporan/paket/impor`): choose a file, see what it would do,
then confirm.

The same form serves both steps. "Pratinjau" sends the file and shows the preview (rows to
add, update, leave unchanged, and every refused row with its line and reason); nothing is
written. "Impor" sends the same file again with the sha256 the preview showed, and the
service imports it whole or not at all (engine.services.packages). With JavaScript the page
keeps the chosen file and sends it with a progress bar (frontend/src/packageimport); without
it, the confirm form asks for the same file again and the sha256 proves it is the same.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import DomainError, InvalidInputError
from engine.services import packages
from engine.sirup.headers import ALIASES
from webapp.reports import bp
from webapp.requests import actor, now
from webapp.transaction import db

PREVIEW_ROWS = 200  # rows of each kind listed in the preview; the counts are of all
# a column by the label SIRUP shows for it ("Kode RUP"), never its field name
LABELS = {name: aliases[0] for name, aliases in ALIASES.items()}
LABELS["opd_id"] = "OPD"


@bp.get("/paket/impor", endpoint="package_import")
@login_required
def import_page():
    packages.ensure_importer(actor())
    return _page(None, None)


@bp.post("/paket/impor", endpoint="package_import_send")
@login_required
def import_send():
    session, user = db(), actor()
    packages.ensure_importer(user)
    confirming = request.form.get("action") == "confirm"
    try:
        filename, data = _upload()
        if confirming:
            plan = packages.confirm_import(session, user, filename, data,
                                           request.form.get("sha256", ""), now())
        else:
            plan = packages.preview_import(session, user, filename, data, now())
    except DomainError as error:
        return _refused(error)
    if confirming:
        counts = plan.counts()
        flash(gettext("%(name)s has been imported: %(added)s added, %(updated)s updated, "
                      "%(unchanged)s unchanged.", name=plan.filename, added=counts["added"],
                      updated=counts["updated"], unchanged=counts["unchanged"]), "success")
        year = plan.years[0] if len(plan.years) == 1 else None
        target = url_for("reports.packages", tahun=year)
        if request.headers.get("X-Alur-Import"):  # the page's script goes there itself, so the
            return "", 204, {"X-Location": target}  # message is shown there, not used up here
        return redirect(target)
    return _page(plan, None)


def _upload() -> tuple[str, bytes]:
    """The chosen file's name and bytes, read one byte past the import's size cap: the
    service refuses a file over it (engine.sirup.formats.check_size), as on the API."""
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise InvalidInputError("Choose a SIRUP file to upload", code="file_missing")
    limit = current_app.extensions["alur"].settings.sirup_max_bytes
    return sent.filename, sent.stream.read(limit + 1)


def _refused(error: DomainError):
    """The page again with the reason, under the error's status (415 for a file of another
    type, 413 for one too large), as on the API."""
    return _page(None, error), error.status


def _page(plan: packages.ImportPlan | None, error: DomainError | None) -> str:
    return render_template("reports/package_import.html", plan=plan, error=error,
                           preview_rows=PREVIEW_ROWS, labels=LABELS,
                           max_bytes=current_app.extensions["alur"].settings.sirup_max_bytes)
