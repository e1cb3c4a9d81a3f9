"""Audit pages: bundles (being written)."""
