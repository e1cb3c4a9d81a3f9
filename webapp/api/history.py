"""An auditor's replay of one run over the API (engine.services.replay).

GET /api/v1/instances/<id>/history gives the whole history (every event, each activity's
passes against its Waktu, the flows taken, the OPDs' work, the final tokens and data);
`?until=k` gives where the run stood after event k (its tokens and data, the flows and
passes up to then) and what event k changed. Audit readers only: the role is checked
before the query is read, so anyone else gets 403 whatever they send. Event labels are
English msgids in the service and translated here, into the caller's language.
"""

from __future__ import annotations

import re

from flask_babel import gettext
from marshmallow import INCLUDE, Schema, fields

from engine.errors import N_, InvalidInputError
from engine.services import access, replay
from webapp.api import bp
from webapp.api.inputs import ID, query_args
from webapp.api.openapi import documented
from webapp.api.schemas import StrictSchema
from webapp.requests import actor, now
from webapp.transaction import db

WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,18}$")
UNTIL_NOT_A_NUMBER = N_("The event number (until) must be a whole number")


class HistoryQuerySchema(StrictSchema):
    until = fields.String()


class HistorySchema(Schema):
    """The whole replay (without `until`) or where the run stood after event `until`."""

    class Meta:
        unknown = INCLUDE

    instance = fields.Dict()
    event_count = fields.Integer()
    events = fields.List(fields.Dict())
    activities = fields.Raw()
    flows = fields.Raw()
    opd_work = fields.Raw()
    final = fields.Dict()
    k = fields.Integer()
    event = fields.Dict()
    tokens = fields.List(fields.Raw())
    data = fields.Raw()
    changes = fields.Raw()
    passes = fields.Dict()


@bp.get(f"/instances/<{ID}:instance_id>/history")
@documented("Replay a Pelaksanaan, whole or up to one event", tag="audit",
            ok={200: HistorySchema}, query=HistoryQuerySchema, errors=(403, 404))
def instance_history(instance_id: int):
    session, user = db(), actor()
    access.ensure_audit_reader(user)
    until = _until(query_args(HistoryQuerySchema()).get("until"))
    if until is None:
        whole = replay.history_of(session, user, instance_id, now())
        for event in whole["events"]:
            _translate(event)
        return whole
    step = replay.history_until(session, user, instance_id, until, now())
    _translate(step["event"])
    return step


def _until(text: str | None) -> int | None:
    """The step asked for, as a number (its range is the service's to check)."""
    if text is None:
        return None
    if not WHOLE_NUMBER.match(text.strip()):
        raise InvalidInputError(UNTIL_NOT_A_NUMBER, code="invalid_parameter",
                                details={"until": [UNTIL_NOT_A_NUMBER]})
    return int(text)


def _translate(event: dict) -> None:
    msgid = event["label"]  # a variable: extraction would take a literal key for a msgid
    event["label"] = gettext(msgid)
