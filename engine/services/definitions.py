"""Process definitions for their owners: every version with its use, and deploying new ones.

Reading: each definition with its versions (number, who deployed it and when, the content
hash, how many runs are going and finished on it), counted in one grouped query.

Deploying: `deploy_checked` is the one way the modeler and the definitions API deploy. It
checks what the CLI's files never need checking (the upload itself, by
engine.services.diagramfiles: the sizes and keys of the forms sent; then the process key
the caller named), then calls the same `deployments.deploy_diagram` as the CLI with the
same lane -> role defaults (bpmn/lane-roles.toml); `check_content` asks the deploy's own
check (deployments.check_deploy) without storing anything.

Every deploy is an audit event: deploy_diagram records `deployment_created`; a refusal is
recorded as `deployment_rejected` (who, when, the file's SHA-256, every problem) in a
transaction of its own once the caller's transaction has rolled back, so the refusal
leaves a trace and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from engine.db import RUNTIME_KEY
from engine.errors import DomainError, InvalidInputError, NotFoundError
from engine.models import Definition, DefinitionVersion, ProcessInstance, User
from engine.models.instances import STATUS_RUNNING
from engine.runtime import runtime_of
from engine.services import access, deployments
from engine.services.deployments import Deployment
from engine.services.diagramfiles import (
    check_form_shapes,
    clean_filename,
    main_process_key,
    parse_diagram,
)

SHORT_HASH = 12
# The rule a refusal without a list of problems is reported under (contract 1).
RULE_OF_CODE = {"bpmn_too_large": "alur/bounds", "invalid_form": "alur/form-schema",
                "form_too_large": "alur/form-schema"}


@dataclass(frozen=True)
class VersionSummary:
    id: int
    number: int
    content_hash: str
    filename: str
    deployed_at: datetime
    deployed_by: str | None  # the person's full name; None for the CLI
    running: int
    finished: int

    @property
    def short_hash(self) -> str:
        return self.content_hash[:SHORT_HASH]


@dataclass(frozen=True)
class DefinitionSummary:
    id: int
    key: str
    name: str
    versions: list[VersionSummary]  # newest first

    @property
    def latest(self) -> VersionSummary | None:
        return self.versions[0] if self.versions else None


# ---- reading -----------------------------------------------------------------------------

def list_definitions(session: Session, actor: User) -> list[DefinitionSummary]:
    """Every definition by name, each with its versions, newest first: three queries."""
    access.ensure_modeler(actor)
    return _summaries(session, select(Definition).order_by(Definition.name, Definition.key))


def get_definition(session: Session, actor: User, key: str) -> DefinitionSummary:
    access.ensure_modeler(actor)
    found = _summaries(session, select(Definition).where(Definition.key == key))
    if not found:
        raise NotFoundError(f"No deployed process '{key}'", code="definition_not_found")
    return found[0]


def get_version(session: Session, actor: User, version_id: int) -> DefinitionVersion:
    access.ensure_modeler(actor)
    version = session.get(DefinitionVersion, version_id)
    if version is None:
        raise NotFoundError("There is no such process version", code="version_not_found")
    return version


def _summaries(session: Session, query) -> list[DefinitionSummary]:
    rows = list(session.scalars(query))
    if not rows:
        return []
    ids = [row.id for row in rows]
    counts = _instance_counts(session, ids)
    versions: dict[int, list[VersionSummary]] = {row.id: [] for row in rows}
    for v in session.execute(
        select(DefinitionVersion.id, DefinitionVersion.definition_id, DefinitionVersion.version,
               DefinitionVersion.content_hash, DefinitionVersion.filename,
               DefinitionVersion.deployed_at, User.full_name)
        .outerjoin(User, User.id == DefinitionVersion.deployed_by_id)
        .where(DefinitionVersion.definition_id.in_(ids))
        .order_by(DefinitionVersion.version.desc())
    ):
        running, finished = counts.get(v.id, (0, 0))
        versions[v.definition_id].append(VersionSummary(
            v.id, v.version, v.content_hash, v.filename, v.deployed_at, v.full_name,
            running, finished))
    return [DefinitionSummary(row.id, row.key, row.name, versions[row.id]) for row in rows]


def _instance_counts(session: Session, definition_ids: list[int]) -> dict[int, tuple[int, int]]:
    """version id -> (running, finished) runs, in one grouped query."""
    counts: dict[int, tuple[int, int]] = {}
    for version_id, status, number in session.execute(
        select(ProcessInstance.version_id, ProcessInstance.status, func.count())
        .join(DefinitionVersion, DefinitionVersion.id == ProcessInstance.version_id)
        .where(DefinitionVersion.definition_id.in_(definition_ids))
        .group_by(ProcessInstance.version_id, ProcessInstance.status)
    ):
        running, finished = counts.get(version_id, (0, 0))
        if status == STATUS_RUNNING:
            running += number
        else:
            finished += number
        counts[version_id] = (running, finished)
    return counts


# ---- checking and deploying --------------------------------------------------------------

def default_lane_roles(session: Session) -> dict[str, str]:
    """The lane -> role defaults, read as the CLI reads them (bpmn/lane-roles.toml)."""
    settings = runtime_of(session).settings
    return deployments.load_lane_roles(Path(settings.bpmn_dir) / "lane-roles.toml")


def check_content(session: Session, *, data: bytes, filename: str, forms: dict) -> list[dict]:
    """Every problem a deploy of this content would meet, as contract-1 problems, by the
    deploy's own check (deployments.check_deploy); nothing is stored."""
    try:
        problems = deployments.check_deploy(session, data, filename=filename, forms=forms,
                                            lane_roles=default_lane_roles(session))
    except DomainError as error:  # the whole file refused: too large, not BPMN, ...
        problems = problems_of(error)
    return unique_problems(problems)


def deploy_checked(session: Session, actor: User, *, filename: str, data: bytes, forms: dict,
                   now: datetime, key: str | None = None) -> Deployment:
    """Deploy a diagram and its forms as a process owner; with `key`, only as a version of
    that process. Identical content gives the existing version (created False)."""
    access.ensure_modeler(actor)
    access.ensure_can_write(actor)
    filename = clean_filename(filename)
    try:
        return _deploy(session, actor, filename=filename, data=data, forms=forms, now=now,
                       key=key)
    except DomainError as error:
        record_refusal_after_rollback(session, filename=filename, data=data, error=error,
                                      now=now, actor_id=actor.id)
        raise


def _deploy(session: Session, actor: User, *, filename: str, data: bytes, forms: dict,
            now: datetime, key: str | None) -> Deployment:
    forms = check_form_shapes(forms)
    root = parse_diagram(session, data)
    found = main_process_key(root)  # None: deploy_diagram says there is no process
    if key is not None and found is not None and found != key:
        raise InvalidInputError(
            f"The diagram's main process is '{found}', not '{key}': deploy it as a version "
            f"of '{found}' or change the process id", code="definition_key_mismatch",
            details={"key": key, "main_process_id": found})
    return deployments.deploy_diagram(session, data, filename=filename, forms=forms,
                                      lane_roles=default_lane_roles(session), now=now,
                                      actor_id=actor.id)


# ---- a refusal is recorded after the rollback --------------------------------------------

_REFUSALS = "alur.deploy_refusals"


def record_refusal_after_rollback(session: Session, *, filename: str, data: bytes,
                                  error: DomainError, now: datetime, actor_id: int) -> None:
    """Once `session` rolls back, record the refused deploy (with every problem) in a
    transaction of its own; forgotten if the session commits after all."""
    details = error.details if isinstance(error.details, dict) else {"details": error.details}
    refusal = DomainError(error.message, code=error.code,
                          details={**details, "problems": problems_of(error)})
    bind, runtime = session.get_bind(), session.info.get(RUNTIME_KEY)

    def record() -> None:
        with Session(bind=bind, info={RUNTIME_KEY: runtime}) as other:
            deployments.record_rejected_deploy(other, filename=filename, data=data,
                                               error=refusal, now=now, actor_id=actor_id)
            other.commit()

    _pending(session).append(record)


def _pending(session: Session) -> list[Callable[[], None]]:
    return session.info.setdefault(_REFUSALS, [])


@event.listens_for(Session, "after_rollback")
def _record_on_rollback(session: Session) -> None:
    for record in session.info.pop(_REFUSALS, []):
        record()


@event.listens_for(Session, "after_commit")
def _forget_on_commit(session: Session) -> None:
    session.info.pop(_REFUSALS, None)


# ---- refusals as contract-1 problems ----------------------------------------------------

def problems_of(error: DomainError) -> list[dict]:
    """A refusal as contract-1 problems: its own list, or one problem saying what it was."""
    details = error.details if isinstance(error.details, dict) else {}
    listed = details.get("problems")
    if isinstance(listed, list) and listed:
        return [as_problem(item) for item in listed if isinstance(item, dict)]
    params = {key: value for key, value in details.items() if key != "problems"}
    return [{"element_id": None, "rule": RULE_OF_CODE.get(error.code, "alur/engine"),
             "message": error.message, "params": params}]


def as_problem(item: dict) -> dict:
    """{element_id, rule, message, params}, whatever the checker filled in."""
    return {"element_id": item.get("element_id"), "rule": item.get("rule") or "alur/engine",
            "message": str(item.get("message") or ""), "params": dict(item.get("params") or {})}


def unique_problems(problems: list[dict]) -> list[dict]:
    seen, found = set(), []
    for problem in map(as_problem, problems):
        mark = (problem["element_id"], problem["rule"], problem["message"])
        if mark not in seen:
            seen.add(mark)
            found.append(problem)
    return found
