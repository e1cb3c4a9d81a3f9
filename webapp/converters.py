"""URL converters shared by every blueprint."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """`<id:name>`: a database row id. Anything outside 1..2^31-1 is a 404 at routing, so a
    forged huge id never reaches the database (where it would overflow the column type)."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ID)


def init_converters(app: Flask) -> None:
    app.url_map.converters["id"] = RowIdConverter
