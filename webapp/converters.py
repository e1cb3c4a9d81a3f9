"""URL converters shared by every blueprint."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """`<id:name>`: a database row id. Anything outside 1..2^31-1 is a 404 at routing, so a
    forged huge id never reaches the database (where it would overflow the column type).

    The regex itself admits only 1..2147483647 (no sign, no leading zero): a value the
    regex took but the range refused would make Werkzeug answer 405, not 404, on a path
    that other methods share (its matcher notes their methods before the range check)."""

    regex = (r"(?:[1-9]\d{0,8}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}"
             r"|21474[0-7]\d{4}|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d"
             r"|214748364[0-7])")

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ID)


def init_converters(app: Flask) -> None:
    app.url_map.converters["id"] = RowIdConverter
