"""The form editor page: one form of a draft in @bpmn-io/form-js-editor, with a live preview.

The page is rendered by the server (the draft's forms as links, which steps of the diagram
use each, what to do when the form does not exist yet) and hands its script a JSON block:
the addresses of the draft's JSON endpoints (webapp/modeler/drafts.py: load with GET
/isi, save with PUT /formulir/<key>, copy with POST /salin), the component types the
server can enforce (engine.forms.schemas.SUPPORTED_TYPES, so the editor's palette offers
nothing the server would refuse), sample data for the preview and every text the script
shows, already in the reader's language. The server stays the authority: every save is
checked by engine.forms.check_form, the same code that validates submissions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from flask import current_app, render_template, url_for
from flask_babel import gettext
from flask_login import login_required
from flask_wtf.csrf import generate_csrf

from engine.errors import NotFoundError
from engine.forms.schemas import SUPPORTED_TYPES
from engine.services import formusage, processdrafts
from engine.services.diagramfiles import FORM_KEY
from webapp.modeler import bp
from webapp.requests import actor
from webapp.transaction import db

# The id of the draft in a copy's address, replaced in the browser by the copy's own id.
COPY_ID = 999999999


@dataclass
class FormEntry:
    """One form of the draft in the switcher: whether it exists and which steps use it."""

    key: str
    exists: bool
    steps: list[str] = field(default_factory=list)


@bp.get("/draf/<id:draft_id>/formulir/<key>")
@login_required
def form_editor(draft_id: int, key: str):
    session, user = db(), actor()
    draft = processdrafts.get_draft(session, user, draft_id)  # checks the modeler role
    if not FORM_KEY.fullmatch(key):
        raise NotFoundError("There is no form with this key", code="form_not_found")
    entries = form_entries(draft)
    current = next((entry for entry in entries if entry.key == key), FormEntry(key, False))
    return render_template(
        "modeler/form_editor.html", draft=draft, key=key, current=current, entries=entries,
        config=page_config(draft, key, current.exists),
    )


def form_entries(draft) -> list[FormEntry]:
    """The draft's forms and the forms its diagram names but the draft lacks, by key."""
    used = steps_by_form(draft.bpmn_xml)
    keys = sorted(set(draft.forms or {}) | set(used))
    return [FormEntry(key, key in (draft.forms or {}), used.get(key, [])) for key in keys]


def steps_by_form(bpmn_xml: str) -> dict[str, list[str]]:
    """For each form key the diagram names, the steps that use it ("Langkah 6: ...")."""
    return {key: [step_label(user) for user in users]
            for key, users in formusage.form_users(bpmn_xml, FORM_KEY).items()}


def step_label(user: formusage.FormUser) -> str:
    """"Langkah 6: Analisis dan persetujuan rencana kinerja", or the bare name without a
    sop_step."""
    if not user.sop_step:
        return user.name
    return gettext("Step %(n)s: %(name)s", n=user.sop_step, name=user.name)


def page_config(draft, key: str, exists: bool) -> dict:
    """What the page's script reads from its JSON block (no inline script: CSP)."""
    copy_editor = url_for("modeler.form_editor", draft_id=COPY_ID, key=key)
    return {
        "draftId": draft.id,
        "key": key,
        "exists": exists,
        "readOnly": draft.deployed_version_id is not None,
        "csrfToken": generate_csrf(),
        "urls": {
            "load": url_for("modeler.draft_content", draft_id=draft.id),
            "save": url_for("modeler.draft_form", draft_id=draft.id, key=key),
            "copy": url_for("modeler.draft_copy", draft_id=draft.id),
            "copyEditor": copy_editor.replace(str(COPY_ID), "{id}"),
        },
        "supportedTypes": sorted(SUPPORTED_TYPES),
        "sample": sample_data(str(current_app.extensions["alur"].settings.forms_dir)).get(key, {}),
        "texts": texts(key),
    }


@cache
def _samples(path: Path) -> dict:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def sample_data(forms_dir: str) -> dict:
    """The sample answers shipped beside the forms (forms/samples/sop-answers.json), which
    fill the preview the way a real submission would; none for a form without sample."""
    return _samples(Path(forms_dir) / "samples" / "sop-answers.json")


def texts(key: str) -> dict[str, str]:
    """Every sentence the script shows, translated here (the bundle carries no words)."""
    return {
        "saved": gettext("All changes saved"),
        "savedAt": gettext("Saved at %(time)s", time="{time}"),
        "unsaved": gettext("Unsaved changes"),
        "saving": gettext("Saving…"),
        "loadFailed": gettext("The draft could not be loaded. Reload the page to try again."),
        "saveFailed": gettext("Could not save; trying again in a few seconds."),
        "offline": gettext("No connection to the server; trying again in a few seconds."),
        "refused": gettext("The server refused this form, so it was not saved:"),
        "refusedHint": gettext("Change the component named above; the form is saved again "
                               "after your next change."),
        "forbidden": gettext("You may no longer change this draft."),
        "conflictTitle": gettext("Someone else saved this draft"),
        "conflict": gettext("%(name)s saved this draft at %(time)s, after you opened it. "
                            "Your changes were not saved.", name="{name}", time="{time}"),
        "deployed": gettext("This draft has been deployed; its forms can no longer be "
                            "changed. Start a new draft from the version to change them."),
        "copyFailed": gettext("The new draft could not be created."),
        "leaveUnsaved": gettext("Changes are not saved yet."),
        "previewFailed": gettext("The preview cannot show this form yet:"),
        "importFailed": gettext("This form cannot be opened in the editor:"),
        "createFailed": gettext("The form could not be created."),
        "editorLabel": gettext("Form editor for %(key)s", key=key),
        "previewLabel": gettext("Preview of %(key)s with sample data", key=key),
    }
