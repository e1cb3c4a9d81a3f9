"""Registers the audit pages' views on their blueprint (see webapp/audit/__init__.py)."""

from webapp.audit import bp, bundles, heatmap, history, search  # noqa: F401

__all__ = ["bp"]
