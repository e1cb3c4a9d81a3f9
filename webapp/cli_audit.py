"""`flask alur verify` and `flask alur checkpoint` (being written)."""

from webapp.cli import cli  # noqa: F401
