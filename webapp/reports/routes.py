"""Registers the report pages' views on their blueprint (see webapp/reports/__init__.py)."""

from webapp.reports import bp, dashboard, packageimport, packages, report  # noqa: F401

__all__ = ["bp"]
