"""`flask alur replay-check` (being written)."""

from webapp.cli import cli  # noqa: F401
