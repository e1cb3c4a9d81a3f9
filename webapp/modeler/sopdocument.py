"""The SOP document of a deployed version (`/pemodel/versi/<id>/sop`): the SOP-AP header and
the flowchart table, drawn on the server (inline SVG, no script), cut into the pages it
prints on; the same document as a PDF (`.../sop.pdf`, engine.services.soppdf, also served
by the API); and the header's edit form for process owners (`.../sop/kepala`).

engine.services.sopdocument builds the document and checks who may read it;
engine.services.sopmetadata checks and stores the header. A refused header comes back
with a message beside each wrong field and everything as it was typed (400).
"""

from __future__ import annotations

import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import InvalidInputError
from engine.services import sopdocument, sopmetadata, soppages, soppdf
from webapp.modeler import bp
from webapp.requests import actor, now
from webapp.transaction import db

MAX_FIELD = 20_000


@bp.get("/versi/<id:version_id>/sop")
@login_required
def sop_document(version_id: int):
    document = sopdocument.build_document(db(), actor(), version_id)  # checks the role
    return _page(document, document.header.as_form(), {})


@bp.get("/versi/<id:version_id>/sop.pdf")
@login_required
def sop_pdf(version_id: int):
    document = sopdocument.build_document(db(), actor(), version_id)  # checks the role
    return pdf_attachment(document)


def pdf_attachment(document: sopdocument.SopDocument):
    """The document's PDF as a download named `SOP-<key>-v<version>.pdf`; it follows the
    header, which its owner may change at any time, so it is never cached."""
    data = soppdf.render_document(document, now=now())
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=pdf_filename(document), max_age=0, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def pdf_filename(document: sopdocument.SopDocument) -> str:
    return f"SOP-{document.definition_key}-v{document.version}.pdf"


@bp.post("/versi/<id:version_id>/sop/kepala")
@login_required
def sop_header(version_id: int):
    session, user = db(), actor()
    document = sopdocument.build_document(session, user, version_id)
    typed = {name: request.form.get(name, "")[:MAX_FIELD] for name in sopmetadata.FIELD_NAMES}
    try:
        changes = sopmetadata.update_header(session, user, document.definition_key, typed,
                                            now())
    except InvalidInputError as error:
        return _page(document, typed, _errors(error), status=400)
    flash(gettext("The SOP header has been saved.") if changes
          else gettext("Nothing was changed."), "success")
    return redirect(url_for("modeler.sop_document", version_id=version_id), code=303)


def _errors(error: InvalidInputError) -> dict[str, str]:
    details = error.details if isinstance(error.details, dict) else {}
    return {name: " ".join(gettext(message) for message in messages)
            for name, messages in details.items() if isinstance(messages, list)}


def _page(document: sopdocument.SopDocument, values: dict, errors: dict, status: int = 200):
    pages = soppages.paginate(document.rows, len(document.lanes))
    page = render_template("modeler/sop_document.html", doc=document, pages=pages,
                           values=values, errors=errors,
                           can_edit=sopmetadata.can_edit(actor()))
    return page, status
