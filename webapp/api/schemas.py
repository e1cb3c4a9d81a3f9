"""What the API accepts and what it answers, as marshmallow schemas.

Input schemas refuse unknown keys (Meta.unknown = RAISE). Output schemas read the models;
the values that depend on the request come from `DumpContext`, set by `dump()`: whether a
task is overdue today (`now`, `zone`), who acted in an event (`users`), a version's forms
and SOP rows (`contents`, the runtime's cache of engine.services.versions, so no dump loads
the diagram) and what the caller may read of a failure (`viewer`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate
from marshmallow.experimental.context import Context
from sqlalchemy.orm import object_session

from engine.events import find_event_type
from engine.models import DefinitionVersion, HumanTask, ProcessInstance, User
from engine.models.instances import STATUS_COMPLETED, STATUS_RUNNING
from engine.models.tasks import TASK_COMPLETED, TASK_OPEN
from engine.services import access
from engine.services.deadlines import is_overdue
from engine.services.formlists import FormLists
from engine.services.tasks import SCOPES, SORTS, TaskFilters
from engine.services.timers import timer_failure_of
from engine.services.versions import VersionContent

DEFAULT_DEFINITION = "sop_pengelolaan_kinerja"
MAX_ID = 2**31 - 1
_STEP = re.compile(r"[0-9]{1,9}")
SOP_KEYS = ("kegiatan", "documentation", "waktu_hari_kerja", "kelengkapan", "output")


class DumpState(TypedDict, total=False):
    now: datetime
    zone: ZoneInfo
    users: dict[int, User]
    contents: Callable[[DefinitionVersion], VersionContent]
    viewer: User
    form_lists: Callable[[HumanTask], FormLists]


DumpContext = Context[DumpState]


def dump(schema: Schema, value: Any, state: DumpState) -> Any:
    with DumpContext(state):
        return schema.dump(value)


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("May not contain NUL characters")


def _text(max_length: int, **kwargs) -> fields.String:
    rules = [validate.Length(min=1, max=max_length), _no_nul]
    return fields.String(validate=rules, **kwargs)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


# ---- requests ---------------------------------------------------------------------------

class TokenRequestSchema(StrictSchema):
    username = _text(64, required=True)
    password = _text(1024, required=True)


class StartInstanceSchema(StrictSchema):
    definition_key = _text(120, load_default=DEFAULT_DEFINITION)
    data = fields.Dict(keys=fields.String(), required=True)


class CommentRequestSchema(StrictSchema):
    body = fields.String(required=True)


class PageQuerySchema(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class TaskQuerySchema(PageQuerySchema):
    scope = fields.String(load_default="all", validate=validate.OneOf(SCOPES))
    state = fields.String(load_default=TASK_OPEN,
                          validate=validate.OneOf((TASK_OPEN, TASK_COMPLETED)))
    sop_step = fields.Integer(validate=validate.Range(min=1, max=9999))
    instance_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    opd = _text(32)
    sort = fields.String(load_default="due_on", validate=validate.OneOf(tuple(SORTS)))

    @post_load
    def to_filters(self, data: dict, **_) -> TaskFilters:
        step = data.pop("sop_step", None)  # stored as text: "10"
        return TaskFilters(opd_code=data.pop("opd", None),
                           sop_step=str(step) if step is not None else None, **data)


class InstanceQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf((STATUS_RUNNING, STATUS_COMPLETED)))


class EventQuerySchema(StrictSchema):
    after_seq = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


# ---- responses --------------------------------------------------------------------------

class OpdSchema(Schema):
    code = fields.String()
    name = fields.String()


class UserRefSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()


class UserSchema(UserRefSchema):
    roles = fields.Function(lambda user: sorted(user.roles),
                            metadata={"type": "array", "items": {"type": "string"}})
    opd = fields.Nested(OpdSchema, allow_none=True)


class CommentSchema(Schema):
    id = fields.Integer()
    task_id = fields.Integer()
    author = fields.Nested(UserRefSchema)
    body = fields.String()
    created_at = fields.DateTime()


class TokenSchema(Schema):
    token = fields.String()
    token_type = fields.Constant("Bearer")
    expires_at = fields.DateTime()
    user = fields.Nested(UserSchema)


class TaskSchema(Schema):
    """A task. `sop_step` is the number of its row in the SOP table (1-17), an integer; the
    diagram stores it as text, and a step written with a suffix ("17a") is given by its
    number (17); null when the diagram gives the task no step."""

    id = fields.Integer()
    instance_id = fields.Integer()
    registration_no = fields.Function(lambda task: task.instance.registration_no,
                                      metadata={"type": "string"})
    name = fields.String()
    element_id = fields.String()
    sop_step = fields.Function(lambda task: step_number(task.sop_step), allow_none=True,
                               metadata={"type": "integer"})
    lane = fields.String(allow_none=True)
    role = fields.String()
    opd = fields.Nested(OpdSchema, allow_none=True)
    state = fields.String()
    assignee = fields.Nested(UserRefSchema, attribute="claimed_by", allow_none=True)
    due_on = fields.Date(allow_none=True)
    is_overdue = fields.Method("get_is_overdue", metadata={"type": "boolean"})
    created_at = fields.DateTime()
    claimed_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    form_key = fields.String()
    period_no = fields.Integer()

    def get_is_overdue(self, task: HumanTask) -> bool:
        state = DumpContext.get()
        return task.state == TASK_OPEN and is_overdue(task.due_on, state["now"], state["zone"])


def step_number(step: str | None) -> int | None:
    """The whole number a stored SOP step starts with: "10" -> 10, "17a" -> 17."""
    match = _STEP.match(step or "")
    return int(match.group(0)) if match else None


def content_of(task: HumanTask) -> VersionContent:
    """The content of the task's version, through the dump's `contents` (a cached read)."""
    return DumpContext.get()["contents"](task.instance.version)


class TaskDetailSchema(TaskSchema):
    """A task with its form. `options` holds every option list the form names by
    `valuesKey`, as the task's page and its validation see them ({"daftar_opd": [{"label",
    "value"}]} at row 7; at row 10 "paket_opd", the task's OPD's SIRUP packages for the
    run's year, each with the kode_rup, nama_paket, pagu and metode_pemilihan it fills in,
    and "indikator_rencana", the run's planned indicators), so a client can fill the form
    from this answer alone. `data` is the prefill while open (earlier answers, never
    earlier decisions, and a proposed end for a new period) with the facts the form's
    conditions read (row 10's `sumber_paket`: "sirup" to pick a package, "isian" to type
    one in), the submission once done."""

    form = fields.Function(lambda task: content_of(task).form(task.form_key),
                           metadata={"type": "object", "description": "The form-js schema"})
    options = fields.Method("get_options", metadata={"type": "object"})
    data = fields.Method("get_data", metadata={"type": "object"})
    context = fields.Function(lambda task: visible_context(task), metadata={"type": "object"})
    sop = fields.Function(lambda task: sop_row(content_of(task).activity(task.element_id)),
                          metadata={"type": "object"})

    def get_options(self, task: HumanTask) -> dict:
        lists_of = DumpContext.get().get("form_lists")
        return lists_of(task).options if lists_of else {}

    def get_data(self, task: HumanTask) -> dict:
        if task.state == TASK_COMPLETED:
            return task.data or {}
        lists_of = DumpContext.get().get("form_lists")
        return {**(task.prefill or {}), **(lists_of(task).facts if lists_of else {})}


def visible_context(task: HumanTask) -> dict:
    """The task's context as the caller may read it (engine.services.access)."""
    return access.visible_context(object_session(task), DumpContext.get()["viewer"], task)


def sop_row(activity: dict) -> dict:
    """The task's row of the SOP table: Kegiatan, Kelengkapan, Waktu and Output."""
    row = {key: activity.get(key) for key in SOP_KEYS}
    row["kegiatan"] = activity.get("name")
    return row


class VersionRefSchema(Schema):
    key = fields.Function(lambda version: version.definition.key, metadata={"type": "string"})
    name = fields.Function(lambda version: version.definition.name,
                           metadata={"type": "string"})
    version = fields.Integer()


class TimerFailureSchema(Schema):
    """Why a run stands still: its scheduled step (a timer) failed `failed_attempts` times in
    a row, the last time at `since`; the worker tries again at `next_try_at`. `message` is
    the technical error text for callers with the role `admin`, and null for everyone else;
    `reason` says in plain English why, for everyone, when the diagram's bounds stopped a step
    (a loop larger than allowed, too many automatic steps, a timer value that makes no sense)."""

    failed_attempts = fields.Integer()
    since = fields.DateTime(allow_none=True)
    next_try_at = fields.DateTime(allow_none=True)
    message = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class InstanceSchema(Schema):
    """A Pelaksanaan. `error` is null while its timers run fine, else a TimerFailureSchema."""

    id = fields.Integer()
    registration_no = fields.String()
    title = fields.String()
    status = fields.String()
    period_no = fields.Integer()
    version = fields.Nested(VersionRefSchema)
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()
    next_due_at = fields.DateTime(allow_none=True)
    error = fields.Method("get_error", metadata={
        "anyOf": [{"$ref": "#/components/schemas/TimerFailure"}, {"type": "null"}]})

    def get_error(self, instance: ProcessInstance) -> dict | None:
        failure = timer_failure_of(instance, DumpContext.get()["viewer"])
        return TimerFailureSchema().dump(failure) if failure is not None else None


class EventSchema(Schema):
    """One logged event. The API speaks English: `label` is the type's English label (the
    msgid that pages translate), and `payload_version` says which payload schema applies."""

    seq = fields.Integer()
    type = fields.String()
    label = fields.Method("get_label", metadata={"type": "string"})
    occurred_at = fields.DateTime()
    actor = fields.Method("get_actor", metadata={
        "anyOf": [{"$ref": "#/components/schemas/UserRef"}, {"type": "null"}]})
    task_id = fields.Integer(allow_none=True)
    element_id = fields.String(allow_none=True)
    payload = fields.Raw()
    payload_version = fields.Integer()
    prev_hash = fields.String(allow_none=True)
    hash = fields.String()

    def get_label(self, event) -> str:
        found = find_event_type(event.type)
        return found.label if found is not None else event.type

    def get_actor(self, event) -> dict | None:
        found = DumpContext.get().get("users", {}).get(event.actor_id)
        return UserRefSchema().dump(found) if found is not None else None


# ---- answers built around the schemas above (described for the OpenAPI document) -------

class PageSchema(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class TaskPageSchema(PageSchema):
    items = fields.List(fields.Nested(TaskSchema))


class InstancePageSchema(PageSchema):
    items = fields.List(fields.Nested(InstanceSchema))


class InstanceDetailSchema(InstanceSchema):
    """A Pelaksanaan with the open tasks the caller may see."""

    open_tasks = fields.List(fields.Nested(TaskSchema))


class EventPageSchema(Schema):
    items = fields.List(fields.Nested(EventSchema))
    total = fields.Integer()
    after_seq = fields.Integer()
    limit = fields.Integer()
    next_after_seq = fields.Integer(allow_none=True)
    chain_valid = fields.Boolean()
    broken_at_seq = fields.Integer(allow_none=True)


class CommentListSchema(Schema):
    items = fields.List(fields.Nested(CommentSchema))
