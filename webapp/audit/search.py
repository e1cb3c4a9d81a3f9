"""Audit pages: search (being written)."""
