"""The visual diff: two versions of a process, or a draft and its base, side by side.

GET /pemodel/beda?definisi=<key>&dari=<n>&ke=<m>, or ?draf=<id> (modeler.diff): the
pickers (a plain GET form), the list of changes in the SOP's language (rendered here, so
it reads without JavaScript) and two diagram viewers that the page's script
(frontend/src/diff/) fills from GET /pemodel/beda/data with the same query
(modeler.diff_data: both diagrams' XML and the changes). With only `definisi`, the newest
version is compared with the one before it.

Every view calls engine.services.diffs, which checks the modeler role itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from engine.errors import InvalidInputError, NotFoundError
from engine.services import diffs
from webapp.modeler import bp
from webapp.modeler.difftext import role_names, side_json, with_text
from webapp.requests import actor
from webapp.transaction import db

MAX_NUMBER = 2**31 - 1


@dataclass(frozen=True)
class Selection:
    """What to compare: a draft with its base, or two versions of one process."""

    key: str | None = None
    old: int | None = None
    new: int | None = None
    draft_id: int | None = None

    @property
    def ready(self) -> bool:
        return self.draft_id is not None or None not in (self.key, self.old, self.new)

    def query(self) -> dict:
        if self.draft_id is not None:
            return {"draf": self.draft_id}
        return {"definisi": self.key, "dari": self.old, "ke": self.new}


def read_selection(args: Mapping[str, str], choices: list[dict]) -> Selection:
    """The query as a Selection; a version left out is the newest (`ke`) and the one
    before it (`dari`). Malformed numbers are a 400, an unknown process a 404."""
    draft_id = _number(args, "draf")
    key = (args.get("definisi") or "").strip()
    if draft_id is not None and key:
        raise InvalidInputError("Compare either a draft or two versions, not both",
                                code="invalid_parameter",
                                details={"draf": ["Give either draf or definisi"]})
    if draft_id is not None:
        return Selection(draft_id=draft_id)
    if not key:
        return Selection()
    versions = next((c["versions"] for c in choices if c["key"] == key), None)
    if versions is None:
        raise NotFoundError("There is no such process", code="definition_not_found",
                            details={"definition": key})
    new = _number(args, "ke") or versions[-1]
    earlier = [number for number in versions if number < new]
    old = _number(args, "dari") or (earlier[-1] if earlier else new)
    return Selection(key=key, old=old, new=new)


def _number(args: Mapping[str, str], name: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_NUMBER:
        raise InvalidInputError("Versions and drafts are named by positive whole numbers",
                                code="invalid_parameter",
                                details={name: ["Not a positive whole number"]})
    return int(raw)


def compute(session, user, selection: Selection) -> dict:
    if selection.draft_id is not None:
        return diffs.diff_draft(session, user, selection.draft_id)
    return diffs.diff_versions(session, user, selection.key, selection.old, selection.new)


@bp.get("/beda")
@login_required
def diff():
    session, user = db(), actor()
    choices = diffs.list_comparable(session, user)  # checks the modeler role
    selection = read_selection(request.args, choices)
    result = compute(session, user, selection) if selection.ready else None
    changes = with_text(result["changes"], role_names(session)) if result else []
    picked = selection.key or (result["definition"]["key"] if result else None)
    return render_template(
        "modeler/diff.html", choices=choices, selection=selection, diff=result,
        picked=next((c for c in choices if c["key"] == picked), choices[0] if choices else None),
        changes=[c for c in changes if c["kind"] != "layout"],
        layout=[c for c in changes if c["kind"] == "layout"],
        engine_count=sum(1 for c in changes if c.get("engine")),
        config=page_config(selection, choices, ready=result is not None),
    )


@bp.get("/beda/data")
@login_required
def diff_data():
    session, user = db(), actor()
    selection = read_selection(request.args, diffs.list_comparable(session, user))
    if not selection.ready:
        raise InvalidInputError("Name a draft, or a process and two versions",
                                code="invalid_parameter",
                                details={"definisi": ["Missing"], "draf": ["Missing"]})
    result = compute(session, user, selection)
    old_xml, new_xml = diffs.diagrams_of(session, result)
    return {
        "definition": result["definition"],
        "from": side_json(result["from"]),
        "to": side_json(result["to"]),
        "changes": with_text(result["changes"], role_names(session)),
        "oldXml": old_xml,
        "newXml": new_xml,
    }


def page_config(selection: Selection, choices: list[dict], *, ready: bool) -> dict:
    """What the page's script reads from its JSON block (no inline script: CSP)."""
    return {
        "dataUrl": url_for("modeler.diff_data", **selection.query()) if ready else None,
        "definitions": choices,
        "texts": {
            "added": gettext("Added"),
            "removed": gettext("Removed"),
            "changed": gettext("Changed"),
            "layout": gettext("Layout only"),
            "notInOld": gettext("This element is not in the older diagram."),
            "notInNew": gettext("This element is not in the newer diagram."),
            "failed": gettext("The diagrams could not be shown. The list below names every "
                              "change."),
            "version": gettext("Version %(n)s", n="{n}"),
        },
    }
