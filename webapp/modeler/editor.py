"""The diagram editor page: a draft in bpmn-js (editable, autosaved), or a deployed version
(and a draft already deployed) opened read-only in the same editor.

The page is rendered by the server and hands its script two JSON blocks (never executed, so
the Content-Security-Policy needs no inline script): `#modeler-config`, the data (the
draft's JSON endpoints from webapp/modeler/drafts.py, its revision, the known roles with
their names, the lane -> role defaults of bpmn/lane-roles.toml, the form editor's address)
and `#modeler-words`, every text the script shows, written in the template with gettext.
A version's diagram and forms come from `version_content` below; a draft's from the drafts
JSON. The services check the modeler role (403 for everyone else).
"""

from __future__ import annotations

import re

from flask import render_template, url_for
from flask_babel import get_locale, gettext
from flask_login import login_required
from flask_wtf.csrf import generate_csrf

from engine.models import DefinitionVersion, ProcessDraft, User
from engine.models.users import ROLE_CODES
from engine.services import definitions, processdrafts
from engine.services.eventviews import ROLE_LABELS
from webapp.modeler import bp
from webapp.modeler.drafts import json_route
from webapp.requests import actor
from webapp.transaction import db

# Placeholders the script replaces in URL templates (a form key, a version id).
KEY_SLOT = "__key__"
ID_SLOT = 999999999
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@bp.get("/draf/<id:draft_id>")
@login_required
def editor(draft_id: int):
    session, user = db(), actor()
    draft = processdrafts.get_draft(session, user, draft_id)  # checks the modeler role
    mode = "deployed" if draft.deployed_version_id is not None else "draft"
    return render_template(
        "modeler/editor.html", mode=mode, draft=draft, version=draft.deployed_version,
        title=draft.title, config=draft_config(session, draft, mode))


@bp.get("/versi/<id:version_id>")
@login_required
def version(version_id: int):
    session, user = db(), actor()
    found = definitions.get_version(session, user, version_id)  # checks the modeler role
    deployer = session.get(User, found.deployed_by_id) if found.deployed_by_id else None
    return render_template(
        "modeler/editor.html", mode="version", draft=None, version=found,
        deployed_by=deployer.full_name if deployer else "—",
        title=found.definition.name, config=version_config(session, found))


@json_route("/versi/<id:version_id>/isi", ["GET"])
def version_content(version_id: int):
    """A deployed version's diagram and forms, shaped like a draft's content."""
    found = definitions.get_version(db(), actor(), version_id)
    return {"id": found.id, "version": found.version, "definition_key": found.definition.key,
            "bpmn_xml": found.bpmn_xml, "forms": found.forms or {}}


# ---- what the script reads --------------------------------------------------------------

def roles() -> list[dict]:
    """Every role a lane may name, with its name in the reader's language."""
    return [{"code": code, "label": gettext(ROLE_LABELS[code]) if code in ROLE_LABELS else code}
            for code in ROLE_CODES]


def common_config(session, *, mode: str, basename: str, key: str | None) -> dict:
    return {
        "mode": mode,
        "lang": str(get_locale() or "id"),
        "csrfToken": generate_csrf(),
        "basename": UNSAFE_NAME.sub("-", basename).strip("-") or "diagram",
        "definitionKey": key,
        "roles": roles(),
        "laneDefaults": definitions.default_lane_roles(session),
    }


def draft_config(session, draft: ProcessDraft, mode: str) -> dict:
    deployed = draft.deployed_version
    return {
        **common_config(session, mode=mode, key=draft.definition_key,
                        basename=f"{draft.definition_key or 'diagram'}-draf-{draft.id}"),
        "draftId": draft.id,
        "revision": draft.revision,
        "deployedVersion": deployed.version if deployed is not None else None,
        "urls": {
            "content": url_for("modeler.draft_content", draft_id=draft.id),
            "form": url_for("modeler.draft_form", draft_id=draft.id, key=KEY_SLOT)
            .replace(KEY_SLOT, "{key}"),
            "formEditor": url_for("modeler.form_editor", draft_id=draft.id, key=KEY_SLOT)
            .replace(KEY_SLOT, "{key}"),
            "copy": url_for("modeler.draft_copy", draft_id=draft.id),
            "check": url_for("modeler.draft_check", draft_id=draft.id),
            "deploy": url_for("modeler.draft_deploy", draft_id=draft.id),
            "diff": url_for("modeler.diff"),
            "version": url_for("modeler.version", version_id=ID_SLOT)
            .replace(str(ID_SLOT), "{id}"),
        },
    }


def version_config(session, found: DefinitionVersion) -> dict:
    key = found.definition.key
    return {
        **common_config(session, mode="version", key=key, basename=f"{key}-v{found.version}"),
        "versionId": found.id,
        "version": found.version,
        "urls": {
            "content": url_for("modeler.version_content", version_id=found.id),
            "formEditor": "",
            "diff": url_for("modeler.diff"),
        },
    }
