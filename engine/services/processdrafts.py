"""Process owners' drafts: a diagram and its forms, edited in the browser, kept on the server.

A draft starts from a deployed version or from an upload, is saved every few seconds by the
editor, and ends as a new version through the same deploy as the CLI
(engine.services.definitions.deploy_checked). Two owners may have the same draft open: every
save names the revision it was based on and is one `UPDATE ... WHERE id = ? AND revision = ?`,
so of two saves based on the same revision exactly one wins and the other is a 409
`draft_conflict` saying who saved first. A deployed draft is read-only (409 `draft_deployed`).

What a draft holds is bounded (the diagram by settings.max_bpmn_bytes, each form, the number
of forms and their total size by engine.services.diagramfiles) and always readable: the
diagram is well-formed BPMN and every form is one the server can enforce
(engine.forms.check_form), so the editor can always open what it saved. Whether the diagram
would deploy is check_draft's question, answered without storing anything. Every function
checks the modeler role itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.errors import ConflictError, DomainError, NotFoundError
from engine.models import Definition, DefinitionVersion, ProcessDraft, User
from engine.services import access, definitions
from engine.services.deployments import Deployment
from engine.services.diagramfiles import (
    TITLE_LENGTH,
    check_forms,
    clean_filename,
    diagram_bytes,
    diagram_text,
    diagram_title,
    main_process_key,
    parse_diagram,
)

# ---- reading -----------------------------------------------------------------------------

def get_draft(session: Session, actor: User, draft_id: int) -> ProcessDraft:
    access.ensure_modeler(actor)
    draft = session.get(ProcessDraft, draft_id)
    if draft is None:
        raise NotFoundError("There is no such draft", code="draft_not_found")
    return draft


def list_drafts(session: Session, actor: User, *, include_deployed: bool = False
                ) -> list[ProcessDraft]:
    """Drafts, the most recently saved first; deployed ones only when asked for."""
    access.ensure_modeler(actor)
    query = select(ProcessDraft).order_by(ProcessDraft.updated_at.desc(), ProcessDraft.id.desc())
    if not include_deployed:
        query = query.where(ProcessDraft.deployed_version_id.is_(None))
    return list(session.scalars(query))


# ---- creating ----------------------------------------------------------------------------

def create_from_version(session: Session, actor: User, version_id: int, now: datetime
                        ) -> ProcessDraft:
    """A new draft holding a deployed version's diagram and forms, based on that version."""
    version = definitions.get_version(session, actor, version_id)
    access.ensure_can_write(actor)
    return _add(session, actor, now, definition_key=version.definition.key, base=version,
                title=version.definition.name, filename=version.filename,
                bpmn_xml=version.bpmn_xml, forms=dict(version.forms))


def create_from_upload(session: Session, actor: User, *, filename: str, data: bytes,
                       forms: dict, now: datetime) -> ProcessDraft:
    """A new draft from a file: refused (nothing stored) unless it is readable BPMN in UTF-8
    and every form is one the server can enforce. Its base is the newest version of the
    process it defines, if that process is deployed, so it can be compared with it."""
    access.ensure_modeler(actor)
    access.ensure_can_write(actor)
    root = parse_diagram(session, data)
    text = diagram_text(data)
    checked = check_forms(forms)
    key = main_process_key(root)
    return _add(session, actor, now, definition_key=key, base=_latest(session, key),
                title=diagram_title(root, filename), filename=clean_filename(filename),
                bpmn_xml=text, forms=checked)


def copy_draft(session: Session, actor: User, draft_id: int, *, bpmn_xml: str, forms: dict,
               now: datetime, title: str | None = None) -> ProcessDraft:
    """A new draft with the given content and the source's base: "save as a new draft"
    when a save met a conflict, so nothing typed is lost and nothing is overwritten."""
    source = get_draft(session, actor, draft_id)
    access.ensure_can_write(actor)
    key = main_process_key(parse_diagram(session, diagram_bytes(bpmn_xml)))
    return _add(session, actor, now, definition_key=key or source.definition_key,
                base=source.base_version, title=(title or source.title)[:TITLE_LENGTH],
                filename=source.filename, bpmn_xml=bpmn_xml, forms=check_forms(forms))


def _add(session: Session, actor: User, now: datetime, *, base: DefinitionVersion | None,
         **values) -> ProcessDraft:
    draft = ProcessDraft(base_version=base, revision=1, created_by=actor, created_at=now,
                         updated_by=actor, updated_at=now, **values)
    session.add(draft)
    session.flush()
    return draft


def _latest(session: Session, key: str | None) -> DefinitionVersion | None:
    if key is None:
        return None
    return session.scalars(
        select(DefinitionVersion).join(Definition).where(Definition.key == key)
        .order_by(DefinitionVersion.version.desc()).limit(1)
    ).first()


# ---- saving (compare-and-set on the revision) -------------------------------------------

def save_draft(session: Session, actor: User, draft_id: int, *, revision: int,
               bpmn_xml: str | None = None, forms: dict | None = None, now: datetime
               ) -> ProcessDraft:
    """Store the diagram and/or the whole set of forms; the revision goes up by one."""
    draft = _writable(session, actor, draft_id)
    values: dict = {}
    if bpmn_xml is not None:
        root = parse_diagram(session, diagram_bytes(bpmn_xml))
        values.update(bpmn_xml=bpmn_xml,
                      definition_key=main_process_key(root) or draft.definition_key)
    if forms is not None:
        values["forms"] = check_forms(forms)
    return _compare_and_set(session, actor, draft, revision, values, now)


def save_form(session: Session, actor: User, draft_id: int, key: str, schema: dict, *,
              revision: int, now: datetime) -> ProcessDraft:
    """Store one form (new or changed); refused with the component named (400 invalid_form)
    when the server could not enforce it."""
    draft = _writable(session, actor, draft_id)
    checked = check_forms({**draft.forms, key: schema})
    return _compare_and_set(session, actor, draft, revision, {"forms": checked}, now)


def _writable(session: Session, actor: User, draft_id: int) -> ProcessDraft:
    draft = get_draft(session, actor, draft_id)
    access.ensure_can_write(actor)
    if draft.deployed_version_id is not None:
        raise deployed_error(draft)
    return draft


def deployed_error(draft: ProcessDraft) -> ConflictError:
    version = draft.deployed_version
    return ConflictError(
        "This draft has been deployed and can no longer change; start a new draft from its "
        "version", code="draft_deployed",
        details={"version": version.version if version else None,
                 "version_id": draft.deployed_version_id})


def _compare_and_set(session: Session, actor: User, draft: ProcessDraft, revision: int,
                     values: dict, now: datetime) -> ProcessDraft:
    """One UPDATE that only matches the revision the caller saw: on PostgreSQL a second
    writer waits for the first one's row lock, then finds the revision moved and matches
    nothing; on SQLite writers are serialized whole. No match is a conflict."""
    result = session.execute(
        update(ProcessDraft)
        .where(ProcessDraft.id == draft.id, ProcessDraft.revision == revision,
               ProcessDraft.deployed_version_id.is_(None))
        .values(revision=ProcessDraft.revision + 1, updated_by_id=actor.id, updated_at=now,
                **values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(draft)
    if result.rowcount != 1:
        raise conflict_error(draft)
    return draft


def conflict_error(draft: ProcessDraft) -> DomainError:
    """Someone saved (or deployed) since the caller's revision: say who and when."""
    if draft.deployed_version_id is not None:
        return deployed_error(draft)
    return ConflictError(
        "Someone else saved this draft in the meantime; reload it or save yours as a new "
        "draft", code="draft_conflict",
        details={"revision": draft.revision, "updated_by": draft.updated_by.full_name,
                 "updated_at": draft.updated_at.isoformat()})


# ---- checking and deploying --------------------------------------------------------------

def check_draft(session: Session, actor: User, draft_id: int) -> list[dict]:
    """Every problem a deploy of the draft would meet (contract-1 problems); nothing stored."""
    draft = get_draft(session, actor, draft_id)
    return definitions.check_content(session, data=diagram_bytes(draft.bpmn_xml),
                                     filename=draft.filename, forms=draft.forms)


def deploy_draft(session: Session, actor: User, draft_id: int, *, revision: int,
                 now: datetime) -> Deployment:
    """Deploy the draft as the revision the caller saw, then mark it deployed (read-only).

    A refusal raises (and is recorded after the rollback, definitions.deploy_checked);
    identical content yields the existing version, which the draft then points at."""
    draft = _writable(session, actor, draft_id)
    if draft.revision != revision:
        raise conflict_error(draft)
    deployment = definitions.deploy_checked(
        session, actor, filename=draft.filename, data=diagram_bytes(draft.bpmn_xml),
        forms=draft.forms, now=now)
    _compare_and_set(session, actor, draft, revision,
                     {"deployed_version_id": deployment.version.id}, now)
    return deployment
