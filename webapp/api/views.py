"""Shared pieces of the API's views: the dump state of a request and the page envelope."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app
from marshmallow import Schema

from webapp.api.auth import request_now
from webapp.api.schemas import DumpState, dump


def dump_state(**extra) -> DumpState:
    zone = ZoneInfo(current_app.extensions["alur"].settings.timezone)
    return DumpState(now=request_now(), zone=zone, **extra)


def page_of(schema: Schema, rows: list, *, page: int, per_page: int, total: int) -> dict:
    return {"items": dump(schema, rows, dump_state()), "page": page, "per_page": per_page,
            "total": total}
