"""Registers the modeler's views on its blueprint (see webapp/modeler/__init__.py)."""

from webapp.modeler import (  # noqa: F401
    bp,
    diffs,
    drafts,
    editor,
    formeditor,
    pages,
    sopdocument,
)

__all__ = ["bp"]
