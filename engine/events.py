"""The kinds of event in the audit log: their names, payload schemas and labels, in one place.

Every event the engine appends has an `EventType`; each type declares the shape of its
payload per payload version (version 1 is the shape the log has held from the start)
and an English label msgid that the web layer translates. `audit` checks every payload
against its type's current schema before anything is written, so a caller that sends a
misspelt type or a payload of the wrong shape fails loudly instead of logging it.

A payload changes shape only by adding a version here: old events keep the version they
were written with (`Event.payload_version`), so readers know which schema they follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from engine.errors import N_


class InvalidEventError(ValueError):
    """An unknown event type or a payload that does not fit its schema: a bug, not a user's
    mistake, so it is not a DomainError and no page turns it into a friendly message."""


class EventType(StrEnum):
    INSTANCE_STARTED = "instance_started"
    INSTANCE_ENDED = "instance_ended"
    TASK_CREATED = "task_created"
    TASK_CLAIMED = "task_claimed"
    TASK_UNCLAIMED = "task_unclaimed"
    TASK_COMPLETED = "task_completed"
    TASK_CANCELLED = "task_cancelled"
    GATEWAY_TAKEN = "gateway_taken"
    TIMER_FIRED = "timer_fired"
    PERIOD_STARTED = "period_started"
    PERIOD_COMPLETED = "period_completed"
    DOCUMENT_ADDED = "document_added"
    COMMENT_ADDED = "comment_added"
    DEPLOYMENT_CREATED = "deployment_created"
    DEPLOYMENT_REJECTED = "deployment_rejected"
    # accounts and sign-in (global chain, no instance): engine.services.users, .throttle
    USER_SIGNED_IN = "user_signed_in"
    USER_SIGNED_OUT = "user_signed_out"
    SIGN_IN_LOCKED = "sign_in_locked"
    PASSWORD_CHANGED = "password_changed"
    TOKEN_REVOKED = "token_revoked"
    USER_CREATED = "user_created"
    USER_DEACTIVATED = "user_deactivated"
    # a supervisor hands a task to someone else (Disposisi): the instance's chain
    TASK_REASSIGNED = "task_reassigned"
    # administration (global chain): webapp/admin through engine services
    USER_UPDATED = "user_updated"
    USER_REACTIVATED = "user_reactivated"
    PASSWORD_RESET = "password_reset"
    OPD_CREATED = "opd_created"
    OPD_UPDATED = "opd_updated"
    LANE_ROLES_CHANGED = "lane_roles_changed"
    HOLIDAY_CHANGED = "holiday_changed"
    HOLIDAYS_RESEEDED = "holidays_reseeded"
    DUE_DATES_RECOMPUTED = "due_dates_recomputed"
    JOB_RETRIED = "job_retried"
    PACKAGES_IMPORTED = "packages_imported"
    SOP_METADATA_UPDATED = "sop_metadata_updated"

    @property
    def label(self) -> str:
        """The English msgid naming this kind of event (translate it where it is shown)."""
        return SPECS[self].label

    @property
    def payload_version(self) -> int:
        """The payload version new events of this type are written with."""
        return SPECS[self].current_version


# ---- payload schemas, version 1: the shapes written since the log began -------------------

SHA256_HEX = validate.Regexp(r"^[0-9a-f]{64}$")


class _Payload(Schema):
    """Every key required, none unknown; None only where a field says so."""

    class Meta:
        unknown = RAISE


def _text(**kwargs) -> fields.String:
    return fields.String(required=True, **kwargs)


def _optional_text() -> fields.String:
    return fields.String(required=True, allow_none=True)


def _integer() -> fields.Integer:
    return fields.Integer(required=True, strict=True)


def _mapping() -> fields.Dict:
    return fields.Dict(keys=fields.String(), required=True)


class EmptyV1(_Payload):
    """Claimed, released, cancelled, ended: who and which task say it all."""


class InstanceStartedV1(_Payload):
    data = _mapping()
    version = _integer()
    definition = _text()


class TaskCreatedV1(_Payload):
    sop_step = _optional_text()
    role = _text()
    opd = _optional_text()
    due_on = fields.Date(required=True, allow_none=True)
    period_no = _integer()


class TaskCompletedV1(_Payload):
    sop_step = _optional_text()
    form_key = _text()
    data = _mapping()


class GatewayTakenV1(_Payload):
    taken = fields.List(fields.String(), required=True)


class TimerFiredV1(_Payload):
    due_at = fields.DateTime(required=True)
    opd = _optional_text()


class PeriodStartedV1(_Payload):
    period_no = _integer()
    # The diagram's period-end variable as its data holds it (an ISO date from the form):
    # the process's data, not the engine's, so its type is not the log's to refuse.
    akhir_periode = fields.Raw(required=True, allow_none=True)


class PeriodCompletedV1(_Payload):
    period_no = _integer()


class DocumentAddedV1(_Payload):
    document_id = _integer()
    filename = _text()
    sha256 = _text(validate=SHA256_HEX)
    size = _integer()
    revision = _integer()
    content_type = _text()


class CommentAddedV1(_Payload):
    comment_id = _integer()
    body = _text()


class DeploymentCreatedV1(_Payload):
    definition = _text()
    version = _integer()
    content_hash = _text(validate=SHA256_HEX)
    filename = _text()


class DeploymentRejectedV1(_Payload):
    filename = _text()
    sha256 = _text(validate=SHA256_HEX)
    code = _text()
    message = _text()
    details = fields.Raw(required=True)


class UserSignedInV1(_Payload):
    """Never a password: who (actor_id), from where and through which door."""

    client = _text()
    via = _text(validate=validate.OneOf(["page", "api"]))


class UserSignedOutV1(_Payload):
    everywhere = fields.Boolean(required=True)
    sessions_ended = _integer()
    tokens_revoked = _integer()


class SignInLockedV1(_Payload):
    """The moment a username or a client address became locked (a failure made it so)."""

    scope = _text(validate=validate.OneOf(["user", "client"]))
    username = _text()
    client = _text()
    failures = _integer()
    retry_after = _integer()


class PasswordChangedV1(_Payload):
    user_id = _integer()
    by = _text(validate=validate.OneOf(["self", "shell"]))
    sessions_ended = _integer()
    tokens_revoked = _integer()


class TokenRevokedV1(_Payload):
    token_id = _integer()
    label = _optional_text()


class UserCreatedV1(_Payload):
    user_id = _integer()
    username = _text()
    roles = fields.List(fields.String(), required=True)
    opd = _optional_text()


class UserDeactivatedV1(_Payload):
    user_id = _integer()
    username = _text()
    sessions_ended = _integer()
    tokens_revoked = _integer()


class TaskReassignedV1(_Payload):
    to_user_id = _integer()
    to_username = _text()
    from_username = _optional_text()  # who held it before (None: it was unclaimed)
    reason = _text()


class UserChangedV1(_Payload):
    user_id = _integer()
    username = _text()
    changes = _mapping()  # field -> [before, after]; never a password or its hash


class UserNamedV1(_Payload):
    user_id = _integer()
    username = _text()


class OpdCreatedV1(_Payload):
    opd_id = _integer()
    code = _text()
    name = _text()


class OpdUpdatedV1(_Payload):
    opd_id = _integer()
    code = _text()
    changes = _mapping()


class LaneRolesChangedV1(_Payload):
    changes = _mapping()  # lane name -> [role before, role after]


class HolidayChangedV1(_Payload):
    action = _text(validate=validate.OneOf(["added", "updated", "removed"]))
    day = _text()  # ISO date
    name = _text()
    kind = _text()
    legal_basis = _optional_text()
    changes = fields.Dict(required=False, allow_none=True)


class HolidaysReseededV1(_Payload):
    year = _integer()
    added = _integer()
    updated = _integer()
    kept_manual = _integer()


class DueDatesRecomputedV1(_Payload):
    tasks_moved = _integer()
    moves = fields.List(fields.Dict(), required=True)  # {task_id, before, after}


class JobRetriedV1(_Payload):
    job_id = _integer()
    kind = _text()


class PackagesImportedV1(_Payload):
    """A SIRUP file imported for one budget year (the counts of what it changed)."""

    tahun_anggaran = _integer()
    filename = _text()
    sha256 = _text()
    added = _integer()
    updated = _integer()
    unchanged = _integer()


class SopMetadataUpdatedV1(_Payload):
    """The SOP-AP header of a process (Nomor SOP, dates, Dasar Hukum, ...) edited."""

    definition_key = _text()
    changes = _mapping()  # field -> [before, after]


# ---- the registry -------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSpec:
    label: str
    schemas: Mapping[int, Schema]  # payload version -> schema

    @property
    def current_version(self) -> int:
        return max(self.schemas)


def _spec(label: str, *schemas: type[Schema]) -> EventSpec:
    """Schemas in version order: the first is version 1 (one instance each, reused)."""
    versions = {number: schema() for number, schema in enumerate(schemas, start=1)}
    return EventSpec(label, MappingProxyType(versions))


SPECS: Mapping[EventType, EventSpec] = MappingProxyType(
    {
        EventType.INSTANCE_STARTED: _spec(N_("Process run started"), InstanceStartedV1),
        EventType.INSTANCE_ENDED: _spec(N_("Process run ended"), EmptyV1),
        EventType.TASK_CREATED: _spec(N_("Task opened"), TaskCreatedV1),
        EventType.TASK_CLAIMED: _spec(N_("Task taken"), EmptyV1),
        EventType.TASK_UNCLAIMED: _spec(N_("Task released"), EmptyV1),
        EventType.TASK_COMPLETED: _spec(N_("Task completed"), TaskCompletedV1),
        EventType.TASK_CANCELLED: _spec(N_("Task cancelled"), EmptyV1),
        EventType.GATEWAY_TAKEN: _spec(N_("Decision taken"), GatewayTakenV1),
        EventType.TIMER_FIRED: _spec(N_("Timer fired"), TimerFiredV1),
        EventType.PERIOD_STARTED: _spec(N_("Reporting period started"), PeriodStartedV1),
        EventType.PERIOD_COMPLETED: _spec(N_("Reporting period completed"), PeriodCompletedV1),
        EventType.DOCUMENT_ADDED: _spec(N_("Supporting document uploaded"), DocumentAddedV1),
        EventType.COMMENT_ADDED: _spec(N_("Comment added"), CommentAddedV1),
        EventType.DEPLOYMENT_CREATED: _spec(N_("Process version deployed"), DeploymentCreatedV1),
        EventType.DEPLOYMENT_REJECTED: _spec(
            N_("Diagram deployment refused"), DeploymentRejectedV1
        ),
        EventType.USER_SIGNED_IN: _spec(N_("Signed in"), UserSignedInV1),
        EventType.USER_SIGNED_OUT: _spec(N_("Signed out"), UserSignedOutV1),
        EventType.SIGN_IN_LOCKED: _spec(N_("Sign-in locked after failed attempts"), SignInLockedV1),
        EventType.PASSWORD_CHANGED: _spec(N_("Password changed"), PasswordChangedV1),
        EventType.TOKEN_REVOKED: _spec(N_("API token revoked"), TokenRevokedV1),
        EventType.USER_CREATED: _spec(N_("Account created"), UserCreatedV1),
        EventType.USER_DEACTIVATED: _spec(N_("Account deactivated"), UserDeactivatedV1),
        EventType.TASK_REASSIGNED: _spec(N_("Task reassigned (disposition)"), TaskReassignedV1),
        EventType.USER_UPDATED: _spec(N_("Account changed"), UserChangedV1),
        EventType.USER_REACTIVATED: _spec(N_("Account reactivated"), UserNamedV1),
        EventType.PASSWORD_RESET: _spec(N_("Password reset by an administrator"), UserNamedV1),
        EventType.OPD_CREATED: _spec(N_("OPD added"), OpdCreatedV1),
        EventType.OPD_UPDATED: _spec(N_("OPD changed"), OpdUpdatedV1),
        EventType.LANE_ROLES_CHANGED: _spec(N_("Lane roles changed"), LaneRolesChangedV1),
        EventType.HOLIDAY_CHANGED: _spec(N_("Holiday table changed"), HolidayChangedV1),
        EventType.HOLIDAYS_RESEEDED: _spec(N_("Holidays of a year re-seeded"), HolidaysReseededV1),
        EventType.DUE_DATES_RECOMPUTED: _spec(N_("Due dates recomputed"), DueDatesRecomputedV1),
        EventType.JOB_RETRIED: _spec(N_("Background job retried"), JobRetriedV1),
        EventType.PACKAGES_IMPORTED: _spec(N_("SIRUP packages imported"), PackagesImportedV1),
        EventType.SOP_METADATA_UPDATED: _spec(
            N_("SOP document header edited"), SopMetadataUpdatedV1
        ),
    }
)


def parse_event_type(value: str) -> EventType:
    """The EventType named `value` (a member or its string); InvalidEventError if none."""
    try:
        return EventType(value)
    except ValueError as error:
        raise InvalidEventError(f"unknown event type {value!r}") from error


def find_event_type(value: str) -> EventType | None:
    """The EventType named `value`, or None (for readers of rows written by older code)."""
    try:
        return EventType(value)
    except ValueError:
        return None


def check_payload(type_: EventType, payload: dict, version: int | None = None) -> int:
    """Raise InvalidEventError unless `payload` fits the type's schema of `version` (by
    default the current one); returns the version checked against."""
    spec = SPECS[type_]
    version = spec.current_version if version is None else version
    schema = spec.schemas.get(version)
    if schema is None:
        raise InvalidEventError(f"{type_} has no payload version {version}")
    if not isinstance(payload, dict):
        raise InvalidEventError(f"{type_} payload must be an object, not {type(payload).__name__}")
    try:
        schema.load(payload)
    except ValidationError as error:
        raise InvalidEventError(f"{type_} payload v{version} refused: {error.messages}") from error
    return version
