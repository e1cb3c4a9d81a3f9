"""Shared pieces of the API's views: the dump state of a request and the page envelope."""

from __future__ import annotations

from functools import partial

from marshmallow import Schema

from engine.services import versions
from webapp.api.schemas import DumpState, dump
from webapp.i18n import zone
from webapp.requests import actor, now
from webapp.transaction import db


def dump_state(**extra) -> DumpState:
    """What the schemas need of this request: its moment, zone, caller and version content."""
    return DumpState(now=now(), zone=zone(), viewer=actor(),
                     contents=partial(versions.content_of, db()), **extra)


def page_of(schema: Schema, rows: list, *, page: int, per_page: int, total: int) -> dict:
    return {"items": dump(schema, rows, dump_state()), "page": page, "per_page": per_page,
            "total": total}
