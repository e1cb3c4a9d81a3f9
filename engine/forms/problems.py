"""Validation messages that an API shows as English text and a page shows translated.

A `Problem` is the English text itself (a str, so JSON and comparisons see plain text)
and remembers its msgid and parameters, so the web layer translates the message rather
than pattern-matching English sentences. `N_` marks msgids for extraction.
"""

from __future__ import annotations

from engine.errors import N_

AT_MOST_CHARS = N_("At most %(n)s characters")
AT_LEAST_CHARS = N_("At least %(n)s characters")
AT_MOST_CHARS_FOR_FORMAT = N_("At most %(n)s characters for this format")
AT_MOST = N_("At most %(n)s")
AT_LEAST = N_("At least %(n)s")
AT_MOST_DIGITS = N_("At most %(n)s decimal digits")
AT_MOST_ROWS = N_("At most %(n)s rows")
NOT_VALID = N_("Not a valid %(n)s")
NOT_REAL = N_("Not a real %(n)s")
ISO_FORMAT = N_("Must be a %(n)s in ISO format")


class Problem(str):
    """English text of a msgid with its parameters filled in; `.msgid` and `.params` kept."""

    msgid: str
    params: dict

    def __new__(cls, msgid: str, **params):
        problem = super().__new__(cls, msgid % params if params else msgid)
        problem.msgid, problem.params = msgid, params
        return problem
