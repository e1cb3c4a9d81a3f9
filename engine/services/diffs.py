"""What changed between two versions of a process, or between a draft and its base version.

One list of changes covers the diagram (engine.bpmn.compare: elements added, removed,
changed fact by fact, or only moved) and the forms the diagram uses (engine.forms.compare:
forms and fields added, removed or changed). A form's change is placed on the step that
shows the form, so "Langkah 9" lists its own changes and its form's together. Changes are
sorted by SOP step, then element; changes of the drawing alone come after all the others.

Each change of an element the engine runs also says whether SpiffWorkflow builds that
element differently (`engine`, from the library's own SpecDiff): such a change alters how
new runs proceed. Runs already started keep the version they started on either way.

The dict a change is (contract 6): kind, element_id, element_type, sop_step, name,
subject, before, after, form_key, field; plus field_label and field_type for a form's
field, and engine (True / False, or None where the question does not apply). The web
layer turns each into a sentence in the reader's language (webapp/modeler/difftext.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn import compare as diagram_compare
from engine.bpmn.parser import load_xml
from engine.errors import InvalidInputError, NotFoundError
from engine.forms import compare as form_compare
from engine.models import Definition, DefinitionVersion, ProcessDraft, User
from engine.runtime import runtime_of
from engine.services import access, definitions

MAX_VERSION = 2**31 - 1
KEY_LENGTH = 120
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
# Elements that are no task spec of their own: the engine's opinion does not apply.
NOT_SPECS = frozenset({"lane", "process", "participant", "collaboration", "dataObject",
                       "dataObjectReference", "dataStoreReference", "textAnnotation",
                       "association", "message", "signal", "error", "escalation"})
# Task-spec attributes that follow from the flows; a changed flow is reported itself.
FLOW_ATTRIBUTES = frozenset({"inputs", "outputs", "cond_task_specs", "default_task_spec"})


# ---- the bench's entry: two contents -----------------------------------------------------

def compare_contents(
    old_xml: str | bytes,
    old_forms: Mapping[str, dict],
    new_xml: str | bytes,
    new_forms: Mapping[str, dict],
    *,
    old_lane_roles: Mapping[str, str] | None = None,
    new_lane_roles: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[dict]:
    """Every change from the old diagram and forms to the new ones, sorted (see above).

    The lane mappings are each side's lane name -> role defaults (a lane's own role
    property overrides them). Pure: no database, so the bench times exactly this."""
    old = diagram_compare.describe(load_xml(_bytes(old_xml), max_bytes=max_bytes),
                                   old_lane_roles)
    new = diagram_compare.describe(load_xml(_bytes(new_xml), max_bytes=max_bytes),
                                   new_lane_roles)
    changes = diagram_compare.compare_diagrams(old, new)
    engine = diagram_compare.engine_changes(old.root, new.root)
    for change in changes:
        change["engine"] = _engine_flag(change, old, new, engine)
    changes.extend(_unexplained(changes, old, new, engine))
    changes.extend(_form_changes(old, new, old_forms, new_forms))
    return sorted(changes, key=lambda change: _order(change, old, new))


def _bytes(xml: str | bytes) -> bytes:
    return xml.encode("utf-8") if isinstance(xml, str) else xml


def _engine_flag(change: dict, old, new, engine: dict | None) -> bool | None:
    if engine is None or change["element_type"] in NOT_SPECS:
        return None
    if change["element_type"] == "sequenceFlow":  # a flow is wired into its source's spec
        sides = [side.elements.get(change["element_id"]) for side in (old, new)]
        sources = {e.facts.get("source") for e in sides if e is not None}
        return any(source in engine for source in sources)
    return change["element_id"] in engine


def _unexplained(changes: list[dict], old, new, engine: dict | None) -> list[dict]:
    """What the engine builds differently and no fact explains (an element of another
    tool's making, say): reported, so the list never hides a change that runs."""
    if not engine:
        return []
    reported = {change["element_id"] for change in changes if change["kind"] != "layout"}
    extra = []
    for element_id, attributes in sorted(engine.items()):
        shown = [a for a in attributes if a not in FLOW_ATTRIBUTES | {"added", "removed"}]
        element = new.elements.get(element_id) or old.elements.get(element_id)
        if element_id in reported or not shown or element is None:
            continue
        change = diagram_compare.change_of("changed", element, subject="engine",
                                           after=", ".join(shown))
        change["engine"] = True
        extra.append(change)
    return extra


def _form_changes(old, new, old_forms: Mapping, new_forms: Mapping) -> list[dict]:
    """The forms either side shows, compared; each change placed on a step showing it."""
    keys = old.form_keys() | new.form_keys()
    changes = form_compare.compare_forms(old_forms, new_forms, keys)
    for change in changes:
        users = new.users_of_form(change["form_key"]) or old.users_of_form(change["form_key"])
        if users:
            element = users[0]
            change.update(element_id=element.element_id, element_type=element.element_type,
                          sop_step=element.sop_step, name=element.name or None)
        change["engine"] = None
    return changes


def _order(change: dict, old, new) -> tuple:
    element = new.elements.get(change["element_id"]) or old.elements.get(change["element_id"])
    anchor = element.anchor if element is not None else change["sop_step"]
    return (
        change["kind"] == "layout",
        diagram_compare.step_key(anchor),
        change["element_id"] or "",
        change["form_key"] is not None,
        change["form_key"] or "",
        KIND_ORDER.get(change["kind"], 9),
        change["field"] or "",
        diagram_compare.subject_rank(change["subject"]),
    )


KIND_ORDER = {"removed": 0, "added": 1, "changed": 2, "layout": 3}


# ---- versions and drafts -----------------------------------------------------------------

def diff_versions(session: Session, actor: User, key: str, from_number: int,
                  to_number: int) -> dict:
    """The changes from version `from_number` to version `to_number` of process `key`."""
    access.ensure_modeler(actor)
    _check_key(key)
    _check_number("from", from_number)
    _check_number("to", to_number)
    definition = session.scalars(select(Definition).where(Definition.key == key)).first()
    if definition is None:
        raise NotFoundError("There is no such process", code="definition_not_found",
                            details={"definition": key})
    old = _version(session, definition, from_number)
    new = _version(session, definition, to_number)
    changes = compare_contents(
        old.bpmn_xml, old.forms, new.bpmn_xml, new.forms,
        old_lane_roles=old.lane_roles, new_lane_roles=new.lane_roles,
        max_bytes=_max_bytes(session),
    )
    return {"definition": _definition_side(definition), "from": version_side(session, old),
            "to": version_side(session, new), "changes": changes}


def diff_draft(session: Session, actor: User, draft_id: int) -> dict:
    """The changes from the draft's base version (or, for an upload without one, the
    newest version of its process) to the draft as last saved."""
    access.ensure_modeler(actor)
    _check_number("draft", draft_id)
    draft = session.get(ProcessDraft, draft_id)
    if draft is None:
        raise NotFoundError("There is no such draft", code="draft_not_found",
                            details={"draft": draft_id})
    base = draft.base_version or _newest(session, draft.definition_key)
    if base is None:
        raise InvalidInputError(
            "This draft has no deployed version to compare with; deploy it first",
            code="draft_without_base", details={"draft": draft_id})
    changes = compare_contents(
        base.bpmn_xml, base.forms, draft.bpmn_xml, draft.forms,
        old_lane_roles=base.lane_roles, new_lane_roles=definitions.default_lane_roles(session),
        max_bytes=_max_bytes(session),
    )
    return {"definition": _definition_side(base.definition),
            "from": version_side(session, base), "to": draft_side(draft), "changes": changes}


def list_comparable(session: Session, actor: User) -> list[dict]:
    """Every process and its version numbers, for the page's pickers."""
    access.ensure_modeler(actor)
    rows = session.execute(
        select(Definition.key, Definition.name, DefinitionVersion.version)
        .join(DefinitionVersion, DefinitionVersion.definition_id == Definition.id)
        .order_by(Definition.name, Definition.key, DefinitionVersion.version)
    )
    found: dict[str, dict] = {}
    for key, name, number in rows:
        found.setdefault(key, {"key": key, "name": name, "versions": []})["versions"].append(number)
    return list(found.values())


def _check_key(key: object) -> None:
    if not isinstance(key, str) or not key.strip() or len(key) > KEY_LENGTH:
        raise InvalidInputError("Name the process by its key", code="invalid_parameter",
                                details={"definition": ["Not a valid process key"]})


def _check_number(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_VERSION:
        raise InvalidInputError("Versions and drafts are named by positive whole numbers",
                                code="invalid_parameter",
                                details={name: ["Not a positive whole number"]})


def _version(session: Session, definition: Definition, number: int) -> DefinitionVersion:
    version = session.scalars(select(DefinitionVersion).where(
        DefinitionVersion.definition_id == definition.id, DefinitionVersion.version == number,
    )).first()
    if version is None:
        raise NotFoundError("This process has no such version", code="version_not_found",
                            details={"definition": definition.key, "version": number})
    return version


def _newest(session: Session, key: str | None) -> DefinitionVersion | None:
    if not key:
        return None
    return session.scalars(
        select(DefinitionVersion).join(Definition).where(Definition.key == key)
        .order_by(DefinitionVersion.version.desc()).limit(1)
    ).first()


def _max_bytes(session: Session) -> int:
    return runtime_of(session).settings.max_bpmn_bytes


def _definition_side(definition: Definition) -> dict:
    return {"key": definition.key, "name": definition.name}


def version_side(session: Session, version: DefinitionVersion) -> dict:
    """A compared version as the page and the API name it."""
    deployer = session.get(User, version.deployed_by_id) if version.deployed_by_id else None
    return {"kind": "version", "id": version.id, "version": version.version,
            "content_hash": version.content_hash, "deployed_at": version.deployed_at,
            "deployed_by": deployer.full_name if deployer is not None else None}


def draft_side(draft: ProcessDraft) -> dict:
    return {"kind": "draft", "id": draft.id, "title": draft.title, "revision": draft.revision,
            "updated_at": draft.updated_at, "updated_by": draft.updated_by.full_name}


def diagrams_of(session: Session, diff: dict) -> tuple[str, str]:
    """The two diagrams' text, for a page that draws them side by side."""
    return _diagram(session, diff["from"]), _diagram(session, diff["to"])


def _diagram(session: Session, side: dict) -> str:
    model = ProcessDraft if side["kind"] == "draft" else DefinitionVersion
    return session.get(model, side["id"]).bpmn_xml


__all__ = ["compare_contents", "diagrams_of", "diff_draft", "diff_versions", "draft_side",
           "list_comparable", "version_side"]
