"""Registers the admin pages' views on their blueprint (see webapp/admin/__init__.py)."""

from webapp.admin import bp, holidays, incidents, lanes, opds, pages, users  # noqa: F401

__all__ = ["bp"]
