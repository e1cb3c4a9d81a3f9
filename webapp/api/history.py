"""API: history (being written)."""
