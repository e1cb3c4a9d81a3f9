"""Audit pages: heatmap (being written)."""
