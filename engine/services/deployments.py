"""Deploy a BPMN diagram and its forms as an immutable, content-addressed version.

Every deploy path (the CLI, `make run`, later the modeler) goes through
`deploy_diagram`, so a diagram is checked the same way wherever it comes from. The same
content deployed twice yields the same version; running instances keep theirs.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import forms as form_schemas
from engine import sop
from engine.bpmn.parser import ParsedDiagram, load_xml, validate_diagram
from engine.errors import DomainError, InvalidDiagramError, NotFoundError
from engine.events import EventType
from engine.models import Definition, DefinitionVersion
from engine.runtime import runtime_of
from engine.services import audit
from engine.services.versions import START_KEY

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


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

    The global chain's lock comes first: it serializes whole deploys, so two at once can
    neither take the same version number nor fork the chain.
    """
    audit.lock_global_chain(session)
    settings = runtime_of(session).settings
    text = _utf8(data)

    def sop_rules(root, main_id: str) -> list[dict]:
        return sop.rule_problems(root, main_id, lane_roles, set(forms))

    parsed = validate_diagram(
        data,
        lane_roles=lane_roles,
        form_keys=set(forms),
        max_bytes=settings.max_bpmn_bytes,
        filename=filename,
        checks=[sop_rules],
        limits=runtime_of(session).bpmn.limits,
    )
    used = {a.form_key for a in parsed.activities.values() if a.form_key}
    root = (
        parsed.root
        if parsed.root is not None
        else load_xml(data, max_bytes=settings.max_bpmn_bytes)
    )
    activities = _activities(parsed, root)
    used |= {activities[START_KEY]["form_key"]} - {None}
    bundle = {key: forms[key] for key in sorted(used)}
    digest = content_hash(data, bundle, lane_roles)
    definition = _definition_for(session, parsed.main_process_id, _process_name(root, parsed), now)
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
        bpmn_xml=text,
        forms=bundle,
        activities=activities,
        lane_roles=dict(lane_roles),
        rules=sop.read_rules(root, parsed.main_process_id).to_dict(),
        deployed_by_id=actor_id,
        deployed_at=now,
    )
    session.add(version)
    session.flush()
    audit.record_event(
        session,
        None,
        EventType.DEPLOYMENT_CREATED,
        now,
        actor_id=actor_id,
        payload={
            "definition": definition.key,
            "version": version.version,
            "content_hash": digest,
            "filename": filename,
        },
    )
    return Deployment(version, created=True)


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


def _process_name(root, parsed: ParsedDiagram) -> str:
    """The pool's name (participant) if there is one, else the process's, else its id."""
    ns = {"bpmn": BPMN_NS}
    key = parsed.main_process_id
    for xpath in ("//bpmn:participant[@processRef=$id]/@name", "//bpmn:process[@id=$id]/@name"):
        names = root.xpath(xpath, id=key, namespaces=ns)
        if names and names[0].strip():
            return names[0].strip()
    return key


def _activities(parsed: ParsedDiagram, root) -> dict[str, dict]:
    """Activity metadata as stored on the version, plus every extension property."""
    result = {}
    for element_id, info in parsed.activities.items():
        entry = asdict(info)
        entry.update({k: v for k, v in _properties(root, element_id).items() if k not in entry})
        result[element_id] = entry
    result[START_KEY] = _start_entry(root, parsed)
    return result


def _properties(root, element_id: str) -> dict[str, str]:
    nodes = root.xpath(
        "//*[@id=$id]/bpmn:extensionElements/spiff:properties/spiff:property",
        id=element_id,
        namespaces={"bpmn": BPMN_NS, "spiff": SPIFF_NS},
    )
    return {n.get("name"): n.get("value") for n in nodes}


def _start_entry(root, parsed: ParsedDiagram) -> dict:
    """The main process's start event: who may start an instance, with which form."""
    ns = {"bpmn": BPMN_NS}
    process = root.xpath("//bpmn:process[@id=$id]", id=parsed.main_process_id, namespaces=ns)[0]
    start = process.xpath("./bpmn:startEvent", namespaces=ns)[0]
    lanes = process.xpath(".//bpmn:lane[bpmn:flowNodeRef=$id]", id=start.get("id"), namespaces=ns)
    lane = lanes[0].get("name") if lanes else None
    props = _properties(root, start.get("id"))
    return {
        "element_id": start.get("id"),
        "name": start.get("name") or "",
        "lane": lane,
        "role": parsed.lanes.get(lane) if lane else None,
        "form_key": props.get("form_key"),
    }


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
