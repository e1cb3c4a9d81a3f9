"""Deploy a BPMN diagram and its forms as an immutable, content-addressed version.

Every deploy path (the CLI, `make run`, the API, the modeler's Deploy button) goes through
`deploy_diagram`, and the modeler's "check" through `check_deploy`, so a diagram and its
forms are checked the same way wherever they come from, with every problem at once. The
same content (diagram, forms, effective lane roles) deployed twice yields the same version;
running instances keep theirs.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import forms as form_schemas
from engine import sop
from engine.bpmn.lint import label_problems
from engine.bpmn.parser import describe_diagram, diagram_problems, load_xml
from engine.bpmn.stored import process_name, stored_activities
from engine.errors import DomainError, InvalidDiagramError, NotFoundError
from engine.events import EventType
from engine.models import Definition, DefinitionVersion
from engine.models.users import ROLE_CODES
from engine.runtime import runtime_of
from engine.services import audit, lanedefaults
from engine.services.formchecks import form_problems
from engine.services.versions import START_KEY


@dataclass(frozen=True)
class Deployment:
    version: DefinitionVersion
    created: bool


def load_lane_roles(path: Path) -> dict[str, str]:
    with path.open("rb") as handle:
        return dict(tomllib.load(handle).get("lanes", {}))


def content_hash(data: bytes, forms: dict, lane_roles: dict) -> str:
    digest = hashlib.sha256(data)
    digest.update(audit.canonical_json({"forms": forms, "lanes": lane_roles}).encode("utf-8"))
    return digest.hexdigest()


def check_deploy(
    session: Session, data: bytes, *, filename: str, forms: dict, lane_roles: dict
) -> list[dict]:
    """Every problem that would refuse this deploy, or [] when it may be deployed; stores
    nothing. Whole-file refusals (too large, not XML, a DOCTYPE, not BPMN, not UTF-8) raise
    as they do at deploy. `lane_roles` are the defaults for lanes without a role of their own.
    """
    lane_roles = lanedefaults.overlay(session, lane_roles)
    return _inspect(session, data, filename=filename, forms=forms, lane_roles=lane_roles)[1]


def _inspect(session: Session, data: bytes, *, filename: str, forms: dict, lane_roles: dict):
    runtime = runtime_of(session)
    root = load_xml(data, max_bytes=runtime.settings.max_bpmn_bytes)
    _utf8(data)

    def sop_rules(tree, main_id: str) -> list[dict]:
        return sop.rule_problems(tree, main_id, lane_roles, set(forms))

    problems = diagram_problems(
        root, lane_roles=lane_roles, form_keys=set(forms), filename=filename,
        checks=[sop_rules], limits=runtime.bpmn.limits, known_roles=ROLE_CODES,
    )
    problems.extend(label_problems(root, form_problems(root, forms)))
    return root, problems


def deploy_diagram(
    session: Session,
    data: bytes,
    *,
    filename: str,
    forms: dict,
    lane_roles: dict,
    now: datetime,
    actor_id: int | None = None,
) -> Deployment:
    """Validate and store a diagram; raise InvalidDiagramError naming each problem.

    `lane_roles` are the defaults (bpmn/lane-roles.toml); a lane's own `role` property wins,
    and the effective mapping is what the version stores and hashes. The global chain's
    lock comes first: it serializes whole deploys, so two at once can neither take the
    same version number nor fork the chain.
    """
    audit.lock_global_chain(session)
    lane_roles = lanedefaults.overlay(session, lane_roles)  # the admins' defaults win
    root, problems = _inspect(session, data, filename=filename, forms=forms, lane_roles=lane_roles)
    if problems:
        raise InvalidDiagramError(
            f"The diagram was refused: {len(problems)} problem(s)",
            code="invalid_diagram",
            details={"problems": problems},
        )
    parsed = describe_diagram(root, lane_roles)
    activities = stored_activities(parsed, root, START_KEY)
    used = {a.form_key for a in parsed.activities.values() if a.form_key}
    used |= {activities[START_KEY]["form_key"]} - {None}
    bundle = {key: forms[key] for key in sorted(used)}
    digest = content_hash(data, bundle, parsed.lane_roles)
    key = parsed.main_process_id
    definition = _definition_for(session, key, process_name(root, key), now)
    existing = session.scalars(
        select(DefinitionVersion).where(
            DefinitionVersion.definition_id == definition.id,
            DefinitionVersion.content_hash == digest,
        )
    ).first()
    if existing is not None:
        return Deployment(existing, created=False)
    version = DefinitionVersion(
        definition=definition,
        version=_next_number(session, definition),
        content_hash=digest,
        filename=filename,
        bpmn_xml=data.decode("utf-8"),
        forms=bundle,
        activities=activities,
        lane_roles=parsed.lane_roles,
        rules=sop.read_rules(root, parsed.main_process_id).to_dict(),
        deployed_by_id=actor_id,
        deployed_at=now,
    )
    session.add(version)
    session.flush()
    _record_created(session, version, filename, now, actor_id)
    return Deployment(version, created=True)


def _record_created(session: Session, version: DefinitionVersion, filename: str,
                    now: datetime, actor_id: int | None) -> None:
    audit.record_event(
        session,
        None,
        EventType.DEPLOYMENT_CREATED,
        now,
        actor_id=actor_id,
        payload={
            "definition": version.definition.key,
            "version": version.version,
            "content_hash": version.content_hash,
            "filename": filename,
        },
    )


def _utf8(data: bytes) -> str:
    """Versions are stored as text; refuse other encodings up front rather than guess."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidDiagramError(
            "BPMN files must be encoded in UTF-8",
            code="bpmn_not_utf8",
            details={"position": error.start},
        ) from error


def record_rejected_deploy(
    session: Session,
    *,
    filename: str,
    data: bytes,
    error: DomainError,
    now: datetime,
    actor_id: int | None = None,
) -> None:
    """Keep a trace of a refused upload (who, what, why); called in its own transaction.
    Appending to the global chain takes its lock (audit._global_head)."""
    audit.record_event(
        session,
        None,
        EventType.DEPLOYMENT_REJECTED,
        now,
        actor_id=actor_id,
        payload={
            "filename": filename,
            "sha256": hashlib.sha256(data).hexdigest(),
            "code": error.code,
            "message": error.message,
            "details": error.details,
        },
    )


def _definition_for(session: Session, key: str, name: str, now: datetime) -> Definition:
    definition = session.scalars(select(Definition).where(Definition.key == key)).first()
    if definition is None:
        definition = Definition(key=key, name=name, created_at=now)
        session.add(definition)
        session.flush()
    return definition


def _next_number(session: Session, definition: Definition) -> int:
    current = session.scalar(
        select(func.max(DefinitionVersion.version)).where(
            DefinitionVersion.definition_id == definition.id
        )
    )
    return (current or 0) + 1


def latest_version(session: Session, key: str) -> DefinitionVersion:
    version = session.scalars(
        select(DefinitionVersion)
        .join(Definition)
        .where(Definition.key == key)
        .order_by(DefinitionVersion.version.desc())
        .limit(1)
    ).first()
    if version is None:
        raise NotFoundError(f"No deployed process '{key}'", code="definition_not_found")
    return version


def list_definitions(session: Session) -> list[Definition]:
    return list(session.scalars(select(Definition).order_by(Definition.name)))


def load_forms_dir(path: Path) -> dict[str, dict]:
    return form_schemas.load_forms(path)
