"""The definitions page (`/pemodel/`): every process with its versions and the open drafts,
downloads of a version's diagram and forms, a new draft from a version or from an upload.

Everything goes through engine.services.definitions and .processdrafts, which check the
modeler role (403 for everyone else). An upload that cannot become a draft re-renders the
page with a message saying what to fix and a 4xx status, so nothing is stored.
"""

from __future__ import annotations

import io
import json
import zipfile

from flask import current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from engine.errors import DomainError
from engine.models import DefinitionVersion
from engine.services import access, processdrafts
from engine.services import definitions as catalogue
from engine.services.diagramfiles import clean_filename
from webapp.modeler import bp
from webapp.modeler.uploads import FORM_SUFFIX, read_forms, read_upload
from webapp.requests import actor, now
from webapp.transaction import db


@bp.app_context_processor
def modeler_navigation() -> dict:
    """`can_model()` for the header's link to the modeler (process owners and admins)."""
    def can_model() -> bool:
        return bool(current_user.is_authenticated and access.is_modeler(current_user))

    return {"can_model": can_model}


@bp.get("/")
@login_required
def definitions():
    return render_definitions()


def render_definitions(upload_error: str | None = None, status: int = 200):
    session, user = db(), actor()
    found = catalogue.list_definitions(session, user)
    drafts = processdrafts.list_drafts(session, user)
    page = render_template("modeler/definitions.html", definitions=found, drafts=drafts,
                           upload_error=upload_error,
                           max_bpmn_bytes=current_app.extensions["alur"].settings.max_bpmn_bytes)
    return page, status


# ---- downloads ---------------------------------------------------------------------------

def _attachment(data: bytes, name: str, mimetype: str):
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=name, max_age=0, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _base_name(version: DefinitionVersion) -> str:
    return f"{version.definition.key}-v{version.version}"


@bp.get("/versi/<id:version_id>/diagram.bpmn")
@login_required
def download_bpmn(version_id: int):
    version = catalogue.get_version(db(), actor(), version_id)
    return _attachment(version.bpmn_xml.encode("utf-8"), f"{_base_name(version)}.bpmn",
                       "application/xml")


@bp.get("/versi/<id:version_id>/formulir.zip")
@login_required
def download_forms(version_id: int):
    """The version's forms as `<key>.form.json` files in one .zip (what the upload takes)."""
    version = catalogue.get_version(db(), actor(), version_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, schema in sorted((version.forms or {}).items()):
            text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
            archive.writestr(f"{key}{FORM_SUFFIX}", text.encode("utf-8"))
    return _attachment(buffer.getvalue(), f"{_base_name(version)}-formulir.zip",
                       "application/zip")


# ---- new drafts --------------------------------------------------------------------------

@bp.post("/versi/<id:version_id>/draf")
@login_required
def start_draft(version_id: int):
    draft = processdrafts.create_from_version(db(), actor(), version_id, now())
    return redirect(url_for("modeler.editor", draft_id=draft.id), code=303)


@bp.post("/unggah")
@login_required
def upload():
    user = actor()
    access.ensure_modeler(user)  # before reading any file of someone who may not
    limit = current_app.extensions["alur"].settings.max_bpmn_bytes
    try:
        filename, data = read_upload(request.files.get("bpmn"), limit)
        forms = read_forms(request.files.getlist("forms"))
        draft = processdrafts.create_from_upload(db(), user, filename=filename, data=data,
                                                 forms=forms, now=now())
    except DomainError as error:
        if error.status == 403:
            raise
        return render_definitions(upload_message(error), status=error.status)
    return redirect(url_for("modeler.editor", draft_id=draft.id), code=303)


def upload_message(error: DomainError) -> str:
    """What the page says about a refused upload: the file and what to fix."""
    details = error.details if isinstance(error.details, dict) else {}
    found = UPLOAD_MESSAGES.get(error.code)
    if found is None:
        return gettext(error.message)
    return found(error, details, _file_named(details))


def _file_named(details: dict) -> str:
    """The file a refusal is about: the one it names, else the diagram."""
    if details.get("file"):
        return details["file"]
    sent = request.files.get("bpmn")
    return clean_filename(sent.filename) if sent is not None and sent.filename else ""


def _form_refused(error: DomainError, _details: dict, _name: str) -> str:
    return gettext("A form cannot be used: %(reason)s", reason=error.message)


UPLOAD_MESSAGES = {
    "bpmn_missing": lambda e, d, n: gettext("Choose a .bpmn file to upload."),
    "bpmn_too_large": lambda e, d, n: gettext(
        "%(name)s is larger than the limit of %(limit)s bytes.", name=n,
        limit=d.get("max_bytes")),
    "bpmn_malformed": lambda e, d, n: gettext(
        "%(name)s is not well-formed XML (line %(line)s). Export it again from the modeler "
        "that made it.", name=n, line=d.get("line", "?")),
    "bpmn_not_bpmn": lambda e, d, n: gettext(
        "%(name)s is not a BPMN diagram.", name=n),
    "bpmn_doctype_forbidden": lambda e, d, n: gettext(
        "%(name)s declares a DOCTYPE or ENTITY, which a BPMN diagram never needs; it was "
        "refused for safety.", name=n),
    "bpmn_not_utf8": lambda e, d, n: gettext("%(name)s is not encoded in UTF-8.", name=n),
    "form_file_name": lambda e, d, n: gettext(
        "%(name)s is not a .form.json file or a .zip of them.", name=n),
    "form_not_json": lambda e, d, n: gettext(
        "%(name)s is not valid JSON: %(reason)s", name=n, reason=d.get("reason", "")),
    "form_duplicate": lambda e, d, n: gettext(
        "The form %(form)s was given twice.", form=d.get("form", "")),
    "zip_invalid": lambda e, d, n: gettext("%(name)s is not a readable .zip file.", name=n),
    "zip_empty": lambda e, d, n: gettext("%(name)s holds no .form.json file.", name=n),
    "too_many_forms": lambda e, d, n: gettext(
        "At most %(count)s forms can be uploaded at once.", count=d.get("max_forms")),
    "form_too_large": lambda e, d, n: gettext(
        "The form %(form)s is larger than the limit of %(limit)s bytes.",
        form=d.get("form", ""), limit=d.get("max_bytes")),
    "forms_too_large": lambda e, d, n: gettext(
        "The forms together are larger than the limit of %(limit)s bytes.",
        limit=d.get("max_bytes")),
    "invalid_form_key": lambda e, d, n: gettext(
        "%(name)s: a form's name may hold only letters, digits, '-', '_' and '.'.",
        name=d.get("form", n)),
    "invalid_form": _form_refused,
}
