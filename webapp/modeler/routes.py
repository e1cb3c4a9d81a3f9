"""Registers the modeler's views on its blueprint (see webapp/modeler/__init__.py)."""

from webapp.modeler import bp, diffs, drafts, editor, formeditor, pages  # noqa: F401

__all__ = ["bp"]
