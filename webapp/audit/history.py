"""Audit pages: history (being written)."""
